/// What a saga store reports, whichever database it keeps: the words its backends share.

/// What became of an inbound message.
package enum InboxOutcome: Hashable, Sendable {
    /// It moved the saga.
    case applied(sagaID: String)
    /// Recorded and ignored: no saga waits for it (late, unknown correlation).
    case ignored(reason: String)
    /// Its id was seen before; nothing was done.
    case duplicate

    /// How the inbox records it.
    package var stored: String {
        switch self {
        case .applied: return "applied"
        case .ignored(let reason): return "ignored: \(reason)"
        case .duplicate: return "duplicate"
        }
    }
}

/// A write that named a version which is no longer current: someone else moved the saga.
package struct StaleSagaWrite: Error, Hashable, Sendable, CustomStringConvertible {
    package let sagaID: String
    package let expectedVersion: Int

    package init(sagaID: String, expectedVersion: Int) {
        self.sagaID = sagaID
        self.expectedVersion = expectedVersion
    }

    package var description: String { "saga \(sagaID) changed since version \(expectedVersion) was read" }
}
