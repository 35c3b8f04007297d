package import Foundation
import JWTKit

/// The JSON key file of a Google service account (`"type": "service_account"`); unknown
/// members are ignored.
package struct GoogleServiceAccountKey: Sendable, CustomStringConvertible {
    package var clientEmail: String
    package var privateKeyID: String?
    package var tokenURL: URL
    let privateKey: Insecure.RSA.PrivateKey

    /// Reads the key; `setting` names where it came from in errors (a file or a variable).
    package init(json: Data, setting: String) throws(CredentialError) {
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw CredentialError(setting: setting, problem: "is not a JSON object (expected a service account key file)")
        }
        guard object["type"] as? String == "service_account" else {
            throw CredentialError(
                setting: setting, problem: "\"type\" must be \"service_account\", found \(object["type"].map { "\"\($0)\"" } ?? "nothing")")
        }
        guard let email = object["client_email"] as? String, email.contains("@") else {
            throw CredentialError(setting: setting, problem: "\"client_email\" is missing or not an e-mail address")
        }
        guard let pem = object["private_key"] as? String, pem.contains("PRIVATE KEY") else {
            throw CredentialError(setting: setting, problem: "\"private_key\" is missing or not a PEM private key")
        }
        do {
            privateKey = try Insecure.RSA.PrivateKey(pem: pem)
        } catch {
            throw CredentialError(setting: setting, problem: "\"private_key\" is not a readable RSA private key")
        }
        let token = object["token_uri"] as? String ?? "https://oauth2.googleapis.com/token"
        guard let url = URL(string: token), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw CredentialError(setting: setting, problem: "\"token_uri\" is not an http(s) URL")
        }
        clientEmail = email
        privateKeyID = object["private_key_id"] as? String
        tokenURL = url
    }

    /// Names the account, never the key.
    package var description: String { "service account \(clientEmail) (private key redacted)" }
}
