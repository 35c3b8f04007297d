import Foundation

#if canImport(FoundationNetworking)
package import FoundationNetworking
#endif

/// `HTTPTransport` over Foundation's URLSession (libcurl on Linux).
package struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    package init(session: URLSession = URLSession(configuration: .ephemeral)) {
        self.session = session
    }

    package func send(_ request: HTTPRequest, timeout: Duration) async throws(TransportFailure) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = timeout / .seconds(1)
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else { throw TransportFailure(.connectionFailed, "not an HTTP response") }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let failure as TransportFailure {
            throw failure
        } catch let error as URLError where error.code == .timedOut {
            throw TransportFailure(.timedOut, "\(request.method) \(request.url.path) timed out after \(timeout)")
        } catch {
            throw TransportFailure(.connectionFailed, "\(request.method) \(request.url.host ?? ""): \(error.localizedDescription)")
        }
    }
}
