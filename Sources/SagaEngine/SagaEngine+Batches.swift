import Foundation
import GRDB
package import SagaCore
// `package`: `where Store == SagaStore` below needs it (Swift 6.3 wrongly warns that it is unused).
package import SagaStore

extension SagaEngine where Store == SagaStore {
    /// Hands a batch of events to the sagas waiting for them with one read and one write:
    /// the inbox and the waiting sagas are read in one snapshot, the handlers run in batch
    /// order (a saga's later event sees its earlier one), and every inbox row and transition
    /// is stored in one transaction, each event in its own savepoint.
    ///
    /// `lanes[i]` names the ordered stream event `i` came from (a Kafka key). Nothing in a lane
    /// is applied after an event of that lane that was not: a handler that threw, a write that
    /// failed, a saga moved meanwhile by someone else (the version check catches that; no
    /// lock is needed for that). Such events come back as nil, in a suffix of their lane, for
    /// the caller to deliver one at a time, in order, with `deliver(_:)`.
    ///
    /// The write holds the locks of the sagas it moves, so that it never lands while a worker
    /// is in the middle of a step of one of them (a deadline's handler, begun on the version
    /// the snapshot saw). A saga whose lock is busy is left out, like a moved one: its events
    /// then wait for the lock one at a time, and the rest of the batch does not.
    package func deliver(batch events: [InboundEvent], lanes: [Int]) async -> [InboxOutcome?] {
        precondition(events.count == lanes.count, "one lane per event")
        guard !events.isEmpty else { return [] }
        let snapshot: BatchSnapshot
        do {
            snapshot = try await store.read { db in try BatchSnapshot(events, in: db) }
        } catch {
            return Array(repeating: nil, count: events.count)
        }
        var plan = await plan(events, lanes: lanes, snapshot: snapshot)
        guard !plan.receipts.isEmpty else { return plan.outcomes }
        let receipts = plan.receipts
        let store = self.store
        let now = clock.now()
        // All or nothing first: a savepoint per event costs more than the event's own writes.
        // When something fails (rare: a saga moved meanwhile), the whole write is undone and
        // done again event by event, so that only the failing ones and what follows them wait.
        let moved = Set(receipts.compactMap(\.sagaID))
        let stored =
            (try? await locks.withFreeLocks(moved) { busy -> [Int: InboxOutcome] in
                do {
                    return try await store.write { db in
                        try Self.record(receipts, of: events, lanes: lanes, at: now, in: store, isolating: false, busy: busy, db)
                    }
                } catch {
                    return
                        (try? await store.write { db in
                            try Self.record(receipts, of: events, lanes: lanes, at: now, in: store, isolating: true, busy: busy, db)
                        }) ?? [:]
                }
            }) ?? [:]
        for (index, outcome) in stored { plan.outcomes[index] = outcome }
        if stored.values.contains(where: { if case .applied = $0 { true } else { false } }) { wake.signal() }
        return plan.outcomes
    }

    /// Runs the handlers in batch order against the snapshot, chaining a saga's transitions.
    private func plan(_ events: [InboundEvent], lanes: [Int], snapshot: BatchSnapshot) async -> BatchPlan {
        var plan = BatchPlan(outcomes: Array(repeating: nil, count: events.count))
        var latest = snapshot.waiting
        var seen = Set<String>()
        var stoppedLanes = Set<Int>()
        var stoppedSagas = Set<String>()
        for (index, event) in events.enumerated() {
            let lane = lanes[index]
            if stoppedLanes.contains(lane) { continue }
            if snapshot.processed.contains(event.messageID) || seen.contains(event.messageID) {
                plan.outcomes[index] = .duplicate
                continue
            }
            seen.insert(event.messageID)
            let awaited = AwaitedEvent(event: event.type, correlation: event.correlation)
            guard let sagaID = snapshot.waitingIDs[awaited] else {
                plan.receipts.append(.init(index: index, sagaID: nil, transition: nil, ignoredBecause: Self.nobodyWaits(for: event)))
                continue
            }
            if stoppedSagas.contains(sagaID) {
                stoppedLanes.insert(lane)
                continue
            }
            do {
                guard let instance = latest[sagaID], let transition = try await transition(applying: event, to: instance) else {
                    // Decided on the saga as this batch left it: stored only with what came before.
                    plan.receipts.append(.init(index: index, sagaID: sagaID, transition: nil, ignoredBecause: Self.nobodyWaits(for: event)))
                    continue
                }
                var next = transition.instance
                next.version += 1
                latest[sagaID] = next
                plan.receipts.append(.init(index: index, sagaID: sagaID, transition: transition, ignoredBecause: nil))
            } catch {
                // Left for the one-at-a-time path, which retries or dead-letters it.
                stoppedLanes.insert(lane)
                stoppedSagas.insert(sagaID)
            }
        }
        return plan
    }

    /// Stores the receipts in batch order, leaving out the sagas in `busy` and what follows
    /// them in their lanes; returns the outcomes stored. `isolating`: each in a savepoint,
    /// skipping a failed one and what follows it in its lane or saga; otherwise the first
    /// failure or stale duplicate throws, and the caller's transaction is undone.
    private static func record(
        _ receipts: [BatchPlan.Receipt], of events: [InboundEvent], lanes: [Int], at now: Date, in store: SagaStore, isolating: Bool,
        busy: Set<String>, _ db: Database
    ) throws -> [Int: InboxOutcome] {
        var outcomes: [Int: InboxOutcome] = [:]
        var stoppedLanes = Set<Int>()
        var stoppedSagas = busy
        for receipt in receipts {
            let event = events[receipt.index]
            let sagaID = receipt.sagaID
            if stoppedLanes.contains(lanes[receipt.index]) || sagaID.map(stoppedSagas.contains) == true {
                // Later transitions of its saga were planned on top of this one.
                stoppedLanes.insert(lanes[receipt.index])
                if let sagaID { stoppedSagas.insert(sagaID) }
                continue
            }
            func receive() throws -> InboxOutcome {
                try store.receive(
                    messageID: event.messageID, topic: event.topic, at: now, transition: receipt.transition,
                    ignoredBecause: receipt.ignoredBecause, in: db)
            }
            guard isolating else {
                let outcome = try receive()
                // Recorded by someone else since the snapshot: the transitions chained on it are void.
                if outcome == .duplicate, sagaID != nil { throw StaleSnapshot() }
                outcomes[receipt.index] = outcome
                continue
            }
            var outcome = InboxOutcome.duplicate
            do {
                try db.inSavepoint {
                    outcome = try receive()
                    return .commit
                }
            } catch {
                stoppedLanes.insert(lanes[receipt.index])
                if let sagaID { stoppedSagas.insert(sagaID) }
                continue
            }
            if outcome == .duplicate, let sagaID { stoppedSagas.insert(sagaID) }
            outcomes[receipt.index] = outcome
        }
        return outcomes
    }
}

/// A message was recorded by someone else after the batch's snapshot was read.
private struct StaleSnapshot: Error {}

/// The inbox and the waiting sagas as one read saw them.
private struct BatchSnapshot: Sendable {
    var processed: Set<String>
    var waitingIDs: [AwaitedEvent: String] = [:]
    var waiting: [String: SagaInstance] = [:]

    init(_ events: [InboundEvent], in db: Database) throws {
        processed = try SagaStore.processed(events.map(\.messageID), in: db)
        let fresh = events.filter { !processed.contains($0.messageID) }
        for (type, correlations) in Dictionary(grouping: fresh.map { ($0.type, $0.correlation) }, by: \.0) {
            for (correlation, instance) in try SagaStore.instancesWaiting(for: type, correlations: correlations.map(\.1), in: db) {
                waitingIDs[AwaitedEvent(event: type, correlation: correlation)] = instance.id
                waiting[instance.id] = instance
            }
        }
    }
}

/// What a batch will store, and the outcomes known before storing.
private struct BatchPlan {
    struct Receipt: Sendable {
        var index: Int
        /// The saga the event was decided against, if any was waiting for it.
        var sagaID: String?
        var transition: SagaTransition?
        var ignoredBecause: String?
    }

    var outcomes: [InboxOutcome?]
    var receipts: [Receipt] = []
}
