import Foundation
import Mail
import SchedulerTesting
import Testing

/// The arithmetic calendar against Foundation's (ICU's) on random moments and offsets.
@Suite struct CivilTimeTests {
    @Test func agreesWithFoundationsCalendar() throws {
        var random = SeededGenerator(seed: 20_261_130)
        var calendar = Calendar(identifier: .gregorian)
        for _ in 0..<3000 {
            // 1900 to 2200, offsets from -14:00 to +14:00 in quarter hours.
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &random)
            let offset = Int.random(in: -56...56, using: &random) * 900
            calendar.timeZone = try #require(TimeZone(secondsFromGMT: offset))
            let expected = calendar.dateComponents(
                [.year, .month, .day, .weekday, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let time = CivilTime(secondsSinceEpoch: seconds, offset: offset)
            #expect(
                [time.year, time.month, time.day, time.weekday + 1, time.hour, time.minute, time.second]
                    == [expected.year, expected.month, expected.day, expected.weekday, expected.hour, expected.minute, expected.second],
                "\(seconds) at \(offset)")
        }
    }
}
