/// Renders a `SlotReport` as a plain-text table: one row per slot, one column per
/// participant showing the slot on that participant's clock.
public enum SlotTable {
    public static func render(_ report: SlotReport) -> String {
        guard !report.slots.isEmpty else { return renderExplanation(report.explanation) }
        let participants = report.slots[0].local
        var header = ["#", "UTC"] + participants.map { "\($0.participant) (\($0.timeZone))" }
        let showScore = report.slots.contains { $0.humaneScore != nil }
        if showScore { header.append("score") }
        var rows = [header]
        for (index, slot) in report.slots.enumerated() {
            var row = ["\(index + 1)", "\(clock(slot.start.description))–\(clock(slot.end.description)) \(day(slot.start.description))"]
            row += slot.local.map { "\(day($0.start)) \(clock($0.start))–\(clock($0.end)) \($0.utcOffset)" }
            if showScore { row.append(slot.humaneScore.map { String(Int(($0 * 100).rounded())) + "%" } ?? "") }
            rows.append(row)
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trailingSpacesTrimmed
        }.joined(separator: "\n") + "\n"
    }

    private static func renderExplanation(_ explanation: SlotReport.Explanation?) -> String {
        guard let explanation else { return "No slots.\n" }
        var lines = [explanation.summary]
        if !explanation.nearMisses.isEmpty { lines.append("Closest candidates:") }
        for miss in explanation.nearMisses {
            let reasons = miss.blockedBy.map { blocker in
                let who = blocker.participant.map { "\($0): " } ?? ""
                let conflict = blocker.conflictStart.map { " (\($0.description)" + (blocker.conflictEnd.map { " – \($0))" } ?? ")") } ?? ""
                return who + blocker.reason.rawValue + conflict
            }
            lines.append("  \(miss.start) – \(miss.end): " + reasons.joined(separator: "; "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `HH:MM` from an ISO 8601 timestamp.
    private static func clock(_ timestamp: String) -> String {
        String(timestamp.dropFirst(11).prefix(5))
    }

    /// `Mon 2026-03-09` from an ISO 8601 timestamp.
    private static func day(_ timestamp: String) -> String {
        let date = String(timestamp.prefix(10))
        return ISO8601.date(date).map { "\($0.weekday.abbreviation) \(date)" } ?? date
    }
}

extension String {
    fileprivate var trailingSpacesTrimmed: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
