/// A validated question for the slot finder: who, how long, and within which limits.
public struct SlotQuery: Sendable {
    /// The meeting's length.
    public var duration: Duration
    /// Slots must lie inside this window.
    public var window: Interval
    /// The present, for the minimum-notice rule.
    public var now: Instant
    /// No slot may start before `now + minimumNotice`.
    public var minimumNotice: Duration
    /// Free time each participant needs between an earlier meeting's end and the slot.
    public var bufferBefore: Duration
    /// Free time each participant needs between the slot's end and a later meeting.
    public var bufferAfter: Duration
    /// The start times slots may take.
    public var grid: SlotGrid
    public var ranking: SlotRanking
    /// At most this many slots are returned, after ranking; nil for all.
    public var limit: Int?
    /// The candidate's preferred windows; nil when any time is fine.
    public var preferredWindows: IntervalSet?
    public var participants: [Participant]

    public init(
        duration: Duration, window: Interval, now: Instant, minimumNotice: Duration = .zero,
        bufferBefore: Duration = .zero, bufferAfter: Duration = .zero, grid: SlotGrid,
        ranking: SlotRanking = .earliest, limit: Int? = nil, preferredWindows: IntervalSet? = nil,
        participants: [Participant]
    ) {
        self.duration = duration
        self.window = window
        self.now = now
        self.minimumNotice = minimumNotice
        self.bufferBefore = bufferBefore
        self.bufferAfter = bufferAfter
        self.grid = grid
        self.ranking = ranking
        self.limit = limit
        self.preferredWindows = preferredWindows
        self.participants = participants
    }

    /// The earliest instant a slot may start: the window's start or the notice, whichever is later.
    public var earliestStart: Instant { max(window.start, now + minimumNotice) }
}
