package import Foundation
import InterviewScheduling
import JWTKit

/// The candidate's personal links: `<base>/candidate/<token>`, the token an HS256 JWT for
/// one interview (`sub`), for the candidate page only (`aud`), until it expires (`exp`).
/// The key is not the API's: a page link never works as an API token, nor the reverse.
package struct CandidateLinkSigner: CandidatePageLinks {
    static let audience = "candidate-page"

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try aud.verifyIntendedAudience(includes: CandidateLinkSigner.audience)
        }
    }

    let keys: JWTKeyCollection
    /// Where candidates reach the service, e.g. `https://interviews.acme.example`.
    package let baseURL: String

    package init(secret: String, baseURL: String) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    package func link(forInterview interviewID: String, expiring expiry: Date) async -> String? {
        guard let token = await token(forInterview: interviewID, expiring: expiry) else { return nil }
        return "\(baseURL)/candidate/\(token)"
    }

    package func token(forInterview interviewID: String, expiring expiry: Date) async -> String? {
        try? await keys.sign(
            Claims(sub: SubjectClaim(value: interviewID), aud: AudienceClaim(value: Self.audience), exp: ExpirationClaim(value: expiry)))
    }

    /// The interview a token opens; nil when it is forged, altered, for something else, or expired.
    package func interviewID(fromToken token: String) async -> String? {
        guard token.utf8.count <= 2048 else { return nil }
        return try? await keys.verify(token, as: Claims.self).sub.value
    }
}
