import SchedulerTesting

/// `SeededGenerator` with the helpers tests use.
struct SeededGeneratorForTests {
    var base: SeededGenerator

    init(seed: UInt64) {
        base = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &base)
    }
}
