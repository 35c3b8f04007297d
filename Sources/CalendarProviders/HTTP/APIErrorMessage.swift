import Foundation

/// The message inside a provider's JSON error body: Google and Graph both answer
/// `{"error": {"code": …, "message": "…"}}`.
enum APIErrorMessage {
    static func extract(from body: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let error = object["error"] as? [String: Any],
            let message = error["message"] as? String
        else { return nil }
        return message
    }
}
