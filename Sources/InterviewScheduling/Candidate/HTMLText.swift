import Foundation

/// Text as HTML content or attribute value: the five characters that could end either are
/// written as references. The candidate's e-mail and page both use it.
package enum HTMLText {
    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
