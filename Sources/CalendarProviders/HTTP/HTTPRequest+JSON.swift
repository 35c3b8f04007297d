import Foundation

extension HTTPRequest {
    /// A request to `base` + `path` (already percent-encoded) with a JSON body.
    static func json(
        _ method: String, base: URL, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: (any Encodable)?,
        provider: String
    ) throws(ProviderError) -> HTTPRequest {
        let queryText = query.sorted { $0.key < $1.key }.map { "\(PercentEncoding.encode($0.key))=\(PercentEncoding.encode($0.value))" }.joined(
            separator: "&")
        guard let url = URL(string: base.absoluteString + path + (queryText.isEmpty ? "" : "?" + queryText)) else {
            throw ProviderError(.rejected, provider: provider, message: "cannot build a URL for \(path)")
        }
        var allHeaders = headers
        allHeaders["Accept"] = "application/json"
        var data: Data?
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            do {
                data = try encoder.encode(body)
            } catch {
                throw ProviderError(.rejected, provider: provider, message: "cannot encode the request body: \(error)")
            }
            allHeaders["Content-Type"] = "application/json"
        }
        return HTTPRequest(method: method, url: url, headers: allHeaders, body: data)
    }
}

/// Percent-encoding of a path segment, a query component or a form field: only RFC 3986's
/// unreserved characters stay as they are (`@` becomes `%40`, as Google's client libraries
/// send it).
enum PercentEncoding {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
