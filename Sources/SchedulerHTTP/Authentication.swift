import Foundation
import Hummingbird
import JWTKit

/// Who calls: the token's subject and role.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Sendable, Codable {
        case recruiter, admin
    }

    public var subject: String
    public var role: Role

    public init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }

    /// Admins see everything; recruiters their own requests.
    func mayAccess(ownedBy owner: String) -> Bool {
        role == .admin || owner == subject
    }
}

/// The claims of the service's bearer tokens.
public struct APITokenClaims: JWTPayload {
    public var sub: SubjectClaim
    public var role: Caller.Role
    public var exp: ExpirationClaim

    public init(subject: String, role: Caller.Role, expires: Date) {
        sub = SubjectClaim(value: subject)
        self.role = role
        exp = ExpirationClaim(value: expires)
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Checks `Authorization: Bearer <JWT>` (HS256, the key from configuration).
public struct BearerAuthenticator: Sendable {
    let keys: JWTKeyCollection

    public init(secret: String) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    public func caller(of request: Request) async throws -> Caller {
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
    public func token(for caller: Caller, validFor lifetime: TimeInterval) async throws -> String {
        try await keys.sign(APITokenClaims(subject: caller.subject, role: caller.role, expires: Date().addingTimeInterval(lifetime)))
    }
}
