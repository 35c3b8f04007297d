package import Foundation
package import SchedulingCore

extension SlotQuery {
    /// The query with each participant's busy time extended by their .ics feeds, read over
    /// the search window in the participant's own zone.
    /// - Parameter feeds: feed files by participant index.
    package func addingBusyTime(fromFeeds feeds: [Int: [URL]]) throws(ICalendarError) -> SlotQuery {
        var query = self
        for (index, urls) in feeds where query.participants.indices.contains(index) {
            let participant = query.participants[index]
            var intervals = participant.busy.intervals
            for url in urls {
                let bytes: [UInt8]
                do {
                    bytes = Array(try Data(contentsOf: url))
                } catch {
                    throw ICalendarError("participants[\(index)].busyFeeds: cannot read \(url.path): \(error.localizedDescription)")
                }
                do {
                    let busy = try BusyTimeReader(ownerZone: participant.timeZone).busyTime(in: ICalendarDocument(bytes: bytes), window: window)
                    intervals += busy.intervals
                } catch {
                    throw ICalendarError(line: error.line, "\(url.lastPathComponent): \(error.message)")
                }
            }
            query.participants[index] = Participant(
                id: participant.id, role: participant.role, timeZone: participant.timeZone,
                workingHours: participant.workingHours, busy: IntervalSet(intervals))
        }
        return query
    }
}
