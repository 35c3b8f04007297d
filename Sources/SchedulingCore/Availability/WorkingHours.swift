/// When a person works, in their own wall-clock time: weekly ranges plus date overrides.
public struct WorkingHours: Hashable, Sendable {
    /// How one date departs from the weekly pattern.
    public enum Override: Hashable, Sendable {
        /// No working time at all that date (a day off).
        case dayOff
        /// These ranges instead of the weekly ones.
        case replace([LocalTimeRange])
        /// These ranges in addition to the weekly ones (extra hours).
        case extra([LocalTimeRange])
    }

    public var weekly: [Weekday: [LocalTimeRange]]
    public var overrides: [LocalDate: Override]

    public init(weekly: [Weekday: [LocalTimeRange]], overrides: [LocalDate: Override] = [:]) {
        self.weekly = weekly
        self.overrides = overrides
    }

    /// The ranges that start on `date`.
    public func ranges(on date: LocalDate) -> [LocalTimeRange] {
        let usual = weekly[date.weekday] ?? []
        switch overrides[date] {
        case nil: return usual
        case .dayOff: return []
        case .replace(let ranges): return ranges
        case .extra(let ranges): return usual + ranges
        }
    }
}
