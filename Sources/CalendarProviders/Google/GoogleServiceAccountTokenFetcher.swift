import Foundation
import JWTKit
package import SagaCore

/// Google's service-account flow with domain-wide delegation: an RS256-signed JWT assertion
/// (`iss` the account, `sub` the user acted for, `aud` the token endpoint, one hour) is
/// exchanged for an access token.
package struct GoogleServiceAccountTokenFetcher: AccessTokenFetcher {
    package static let calendarScopes = ["https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.freebusy"]

    let key: GoogleServiceAccountKey
    let scopes: [String]
    let endpoint: OAuthTokenEndpoint
    let keys: JWTKeyCollection

    package init(
        key: GoogleServiceAccountKey, scopes: [String] = Self.calendarScopes, http: ResilientHTTPClient,
        clock: any WallClock = SystemWallClock()
    ) async {
        self.key = key
        self.scopes = scopes
        endpoint = OAuthTokenEndpoint(url: key.tokenURL, http: http, clock: clock)
        keys = await JWTKeyCollection().add(rsa: key.privateKey, digestAlgorithm: .sha256, kid: key.privateKeyID.map { JWKIdentifier(string: $0) })
    }

    package func fetchToken(subject: String?) async throws(ProviderError) -> AccessToken {
        let issued = endpoint.clock.now()
        let claims = AssertionClaims(
            iss: key.clientEmail, sub: subject, scope: scopes.joined(separator: " "), aud: key.tokenURL.absoluteString,
            iat: Int64(issued.timeIntervalSince1970), exp: Int64(issued.timeIntervalSince1970) + 3600)
        let assertion: String
        do {
            var header = JWTHeader()
            header.typ = "JWT"
            assertion = try await keys.sign(claims, header: header)
        } catch {
            throw ProviderError(.authentication, provider: endpoint.http.provider, message: "could not sign the service account assertion: \(error)")
        }
        return try await endpoint.requestToken(form: [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
    }

    /// The claims of the assertion (RFC 7523 §3, with Google's `scope`).
    struct AssertionClaims: JWTPayload {
        var iss: String
        var sub: String?
        var scope: String
        var aud: String
        var iat: Int64
        var exp: Int64

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
