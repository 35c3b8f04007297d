// Times the slot finder on the issue's workload next to the naive minute-by-minute scan,
// measured in the same process, interleaved, so that the ratio holds on a noisy machine.
//
//   swift run -c release SlotFinderBenchmark [iterations]
import Foundation
import SchedulerTesting
import SchedulingCore

struct Workload {
    let name: String
    let query: SlotQuery
}

func makeWorkload(name: String, busyMinutes: ClosedRange<Int>, meetingHours: Int?, ranking: SlotRanking) -> Workload {
    var queries = RandomSlotQueries(seed: 42)
    let start = Instant(secondsSinceEpoch: 1_772_409_600)  // 2026-03-02T00:00:00Z, spans the March DST changes
    let query = queries.query(
        start: start, days: 90, participants: 10, busyPerParticipant: 5_000, busyMinutes: busyMinutes,
        durationMinutes: 45, alignmentMinutes: 15, ranking: ranking,
        zones: ["Europe/London", "Europe/Berlin", "Europe/Helsinki", "Europe/Lisbon"],
        meetingHoursPerDay: meetingHours, nightShifts: false)
    return Workload(name: name, query: query)
}

func measure(_ body: () -> Int) -> (seconds: Double, result: Int) {
    let clock = ContinuousClock()
    var result = 0
    let elapsed = clock.measure { result = body() }
    let parts = elapsed.components
    return (Double(parts.seconds) + Double(parts.attoseconds) / 1e18, result)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func milliseconds(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1000) }

let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 30
let workloads = [
    makeWorkload(name: "meetings clustered in 4 hours a day, earliest", busyMinutes: 15...60, meetingHours: 4, ranking: .earliest),
    makeWorkload(name: "meetings clustered in 4 hours a day, humane", busyMinutes: 15...60, meetingHours: 4, ranking: .humane),
    makeWorkload(name: "blocks scattered over the day: no slot, explanation", busyMinutes: 15...60, meetingHours: nil, ranking: .earliest),
]

print("| workload | slots | finder median ms | finder p90 ms | minute scan median ms | ratio scan/finder |")
print("|---|---:|---:|---:|---:|---:|")
for workload in workloads {
    let finder = SlotFinder(query: workload.query)
    let found = finder.search().slots.map(\.interval.start).sorted()
    let reference = MinuteScanSlotFinder.slotStarts(for: workload.query)
    guard found == reference else {
        FileHandle.standardError.write(Data("\(workload.name): finder and minute scan disagree (\(found.count) vs \(reference.count))\n".utf8))
        exit(1)
    }
    var finderTimes: [Double] = [], scanTimes: [Double] = [], ratios: [Double] = []
    for _ in 0..<iterations {
        let a = measure { finder.search().slots.count }
        let b = measure { MinuteScanSlotFinder.slotStarts(for: workload.query).count }
        finderTimes.append(a.seconds)
        scanTimes.append(b.seconds)
        ratios.append(b.seconds / a.seconds)
    }
    print(
        "| \(workload.name) | \(found.count) | \(milliseconds(median(finderTimes))) | \(milliseconds(percentile(finderTimes, 0.9))) | \(milliseconds(median(scanTimes))) | \(String(format: "%.1f", median(ratios)))× |"
    )
}
print("")
print(
    "\(iterations) interleaved iterations per workload; 10 participants × 5,000 busy intervals over 90 days, 45-minute meetings, 15-minute grid. Ratio: median of per-pair ratios."
)
