package import Foundation
package import JWTKit
package import SagaCore

/// An Entra ID application's credential for Graph: a client secret, or a certificate's
/// private key with the certificate's SHA-1 thumbprint.
package struct GraphClientCredentials: Sendable, CustomStringConvertible {
    package enum Secret: Sendable {
        case clientSecret(String)
        case certificate(privateKey: Insecure.RSA.PrivateKey, sha1Thumbprint: [UInt8])
    }

    package var tenantID: String
    package var clientID: String
    package var secret: Secret
    /// `https://login.microsoftonline.com/`, or a fake's address in tests.
    package var authorityURL: URL

    package init(tenantID: String, clientID: String, secret: Secret, authorityURL: URL = URL(string: "https://login.microsoftonline.com/")!) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.secret = secret
        self.authorityURL = authorityURL
    }

    /// The v2.0 token endpoint of the tenant.
    package var tokenURL: URL {
        authorityURL.appendingPathComponent(tenantID).appendingPathComponent("oauth2/v2.0/token")
    }

    /// Reads a certificate credential: a PEM private key and the thumbprint as hex (as the
    /// Entra portal shows it).
    package static func certificate(privateKeyPEM: String, thumbprintHex: String, setting: String) throws(CredentialError) -> Secret {
        let key: Insecure.RSA.PrivateKey
        do {
            key = try Insecure.RSA.PrivateKey(pem: privateKeyPEM)
        } catch {
            throw CredentialError(setting: setting, problem: "is not a readable RSA private key in PEM form")
        }
        let hex = thumbprintHex.filter { !$0.isWhitespace && $0 != ":" }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        guard bytes.count == 20, index == hex.endIndex else {
            throw CredentialError(setting: setting + " thumbprint", problem: "must be the certificate's SHA-1 thumbprint: 40 hexadecimal digits")
        }
        return .certificate(privateKey: key, sha1Thumbprint: bytes)
    }

    package var description: String {
        switch secret {
        case .clientSecret: "tenant \(tenantID), client \(clientID), client secret (redacted)"
        case .certificate: "tenant \(tenantID), client \(clientID), certificate (private key redacted)"
        }
    }
}

/// The client-credentials grant for `https://graph.microsoft.com/.default`, with the secret
/// or an RS256 client assertion signed by the certificate's key (`x5t` its thumbprint).
package struct GraphTokenFetcher: AccessTokenFetcher {
    package static let scope = "https://graph.microsoft.com/.default"

    let credentials: GraphClientCredentials
    let endpoint: OAuthTokenEndpoint
    let keys: JWTKeyCollection

    package init(credentials: GraphClientCredentials, http: ResilientHTTPClient, clock: any WallClock = SystemWallClock()) async {
        self.credentials = credentials
        endpoint = OAuthTokenEndpoint(url: credentials.tokenURL, http: http, clock: clock)
        let keys = JWTKeyCollection()
        if case .certificate(let key, _) = credentials.secret {
            await keys.add(rsa: key, digestAlgorithm: .sha256)
        }
        self.keys = keys
    }

    package func fetchToken(subject: String?) async throws(ProviderError) -> AccessToken {
        var form = [("client_id", credentials.clientID), ("scope", Self.scope), ("grant_type", "client_credentials")]
        switch credentials.secret {
        case .clientSecret(let secret):
            form.append(("client_secret", secret))
        case .certificate(_, let thumbprint):
            let now = Int64(endpoint.clock.now().timeIntervalSince1970)
            let claims = AssertionClaims(
                aud: credentials.tokenURL.absoluteString, iss: credentials.clientID, sub: credentials.clientID,
                jti: UUID().uuidString, nbf: now, iat: now, exp: now + 600)
            var header = JWTHeader()
            header.typ = "JWT"
            header.x5t = Data(thumbprint).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            do {
                form.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
                form.append(("client_assertion", try await keys.sign(claims, header: header)))
            } catch {
                throw ProviderError(.authentication, provider: endpoint.http.provider, message: "could not sign the client assertion: \(error)")
            }
        }
        return try await endpoint.requestToken(form: form)
    }

    struct AssertionClaims: JWTPayload {
        var aud: String
        var iss: String
        var sub: String
        var jti: String
        var nbf: Int64
        var iat: Int64
        var exp: Int64

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
