package import Foundation
package import Hummingbird
package import InterviewScheduling
package import JWTKit

/// The claims of the service's bearer tokens.
package struct APITokenClaims: JWTPayload {
    package var sub: SubjectClaim
    package var role: Caller.Role
    package var exp: ExpirationClaim

    package init(subject: String, role: Caller.Role, expires: Date) {
        sub = SubjectClaim(value: subject)
        self.role = role
        exp = ExpirationClaim(value: expires)
    }

    package func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Checks `Authorization: Bearer <JWT>` (HS256, the key from configuration).
package struct BearerAuthenticator: Sendable {
    let keys: JWTKeyCollection

    package init(secret: String) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    package func caller(of request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            var problem = APIProblem(.unauthorized, "Unauthorized", detail: "Authorization: Bearer <token> is required")
            problem.headers[.wwwAuthenticate] = "Bearer"
            throw problem
        }
        do {
            let claims = try await keys.verify(String(header.dropFirst(7)), as: APITokenClaims.self)
            return Caller(subject: claims.sub.value, role: claims.role)
        } catch {
            var problem = APIProblem(.unauthorized, "Unauthorized", detail: "the bearer token is invalid or expired")
            problem.headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
            throw problem
        }
    }

    /// A signed token, for `scheduler token` and the development run.
    package func token(for caller: Caller, validFor lifetime: TimeInterval) async throws -> String {
        try await keys.sign(APITokenClaims(subject: caller.subject, role: caller.role, expires: Date().addingTimeInterval(lifetime)))
    }
}
