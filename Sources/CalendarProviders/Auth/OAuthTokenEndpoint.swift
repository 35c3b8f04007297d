import Foundation
import SagaCore

/// Posts a form to an OAuth 2.0 token endpoint (RFC 6749 §4.4, RFC 7523) and reads the
/// access token from the answer.
struct OAuthTokenEndpoint: Sendable {
    let url: URL
    let http: ResilientHTTPClient
    let clock: any WallClock

    func requestToken(form: [(String, String)]) async throws(ProviderError) -> AccessToken {
        let body = form.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(body.utf8))
        let requested = clock.now()
        let response = try await http.send(request)
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            let reason = [object["error"] as? String, object["error_description"] as? String].compactMap { $0 }.joined(separator: ": ")
            throw ProviderError(
                .authentication, provider: http.provider, status: response.status,
                message: "token endpoint \(url.host ?? url.path) refused the credential: \(reason.isEmpty ? "HTTP \(response.status)" : reason)")
        }
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            throw ProviderError(
                .authentication, provider: http.provider, status: response.status, message: "token endpoint answered without access_token")
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? (object["expires_in"] as? String).flatMap(Double.init) ?? 3600
        return AccessToken(value: token, expiresAt: requested.addingTimeInterval(lifetime))
    }
}
