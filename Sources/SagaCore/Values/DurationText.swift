/// Durations written for people in definition files: `500ms`, `10s`, `5m`, `2h`, `1d`,
/// or combinations such as `1m30s`, up to `maximum`.
package enum DurationText {
    /// The longest duration `parse` accepts.
    package static let maximum = Duration.seconds(365 * 86_400)

    /// Parses `text`, or returns nil when it is not a duration in that form between zero
    /// and `maximum`.
    package static func parse(_ text: String) -> Duration? {
        let limit = maximum.milliseconds
        var total: Int64 = 0
        var digits = ""
        var index = text.startIndex
        var sawComponent = false
        while index < text.endIndex {
            let character = text[index]
            if character.isASCII, character.isNumber {
                digits.append(character)
                index = text.index(after: index)
                continue
            }
            guard let amount = Int64(digits) else { return nil }
            var unit = String(character)
            index = text.index(after: index)
            if unit == "m", index < text.endIndex, text[index] == "s" {
                unit = "ms"
                index = text.index(after: index)
            }
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return nil
            }
            let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: scale)
            guard !overflow, milliseconds <= limit - total else { return nil }
            total += milliseconds
            digits = ""
            sawComponent = true
        }
        guard digits.isEmpty, sawComponent else { return nil }
        return .milliseconds(total)
    }

    /// The shortest text that `parse` reads back to `duration` (at millisecond resolution).
    package static func format(_ duration: Duration) -> String {
        var milliseconds = duration.milliseconds
        guard milliseconds > 0 else { return "0s" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero; saturates at `Int64`'s bounds.
    package var milliseconds: Int64 {
        let parts = components
        let (whole, overflow) = parts.seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return parts.seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(parts.attoseconds / 1_000_000_000_000_000)
        guard !overflowAgain else { return parts.seconds < 0 ? .min : .max }
        return total
    }
}
