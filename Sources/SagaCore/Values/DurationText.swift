/// Durations written for people in definition files: `500ms`, `10s`, `5m`, `2h`, `1d`,
/// or combinations such as `1m30s`.
public enum DurationText {
    /// Parses `text`, or returns nil when it is not a positive or zero duration in that form.
    public static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
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
            switch unit {
            case "ms": total += .milliseconds(amount)
            case "s": total += .seconds(amount)
            case "m": total += .seconds(amount * 60)
            case "h": total += .seconds(amount * 3600)
            case "d": total += .seconds(amount * 86_400)
            default: return nil
            }
            digits = ""
            sawComponent = true
        }
        guard digits.isEmpty, sawComponent else { return nil }
        return total
    }

    /// The shortest text that `parse` reads back to `duration` (at millisecond resolution).
    public static func format(_ duration: Duration) -> String {
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
    /// Whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
