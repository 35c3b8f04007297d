import Foundation

/// Sends API requests with a bearer token; on a 401 it drops the token, fetches a new one
/// and tries once more.
struct AuthorizedClient: Sendable {
    let http: ResilientHTTPClient
    let tokens: AccessTokenCache

    func send(_ request: HTTPRequest, actingAs subject: String?) async throws(ProviderError) -> HTTPResponse {
        let token = try await tokens.token(for: subject)
        let response = try await http.send(request.authorized(with: token))
        guard response.status == 401 else { return response }
        await tokens.invalidate(token, for: subject)
        let fresh = try await tokens.token(for: subject)
        return try await http.send(request.authorized(with: fresh))
    }
}

extension HTTPRequest {
    func authorized(with token: String) -> HTTPRequest {
        var copy = self
        copy.headers["Authorization"] = "Bearer \(token)"
        return copy
    }
}

extension ProviderError {
    /// The error for a response that is not a success: 401/403 are credentials, any other
    /// status the request itself, with the API's message kept.
    init(unexpected response: HTTPResponse, provider: String, operation: String) {
        let message = "\(operation): " + (APIErrorMessage.extract(from: response.body) ?? "HTTP \(response.status)")
        switch response.status {
        case 401, 403: self.init(.authentication, provider: provider, status: response.status, message: message)
        case 429: self.init(.rateLimited, provider: provider, status: response.status, message: message)
        case 500...: self.init(.transient, provider: provider, status: response.status, message: message)
        default: self.init(.rejected, provider: provider, status: response.status, message: message)
        }
    }
}
