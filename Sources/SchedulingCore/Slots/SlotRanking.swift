/// How found slots are ordered.
public enum SlotRanking: String, Hashable, Sendable, Codable, CaseIterable {
    /// Earliest start first.
    case earliest
    /// Times near the middle of every participant's working day first: the slot whose
    /// worst-placed participant is closest to their midday wins; ties go to the average,
    /// then to the earlier start.
    case humane
}
