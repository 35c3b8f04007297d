import Foundation
package import SagaCore
import SagaStore

/// An event from outside, addressed to whichever saga waits for it.
package struct InboundEvent: Sendable {
    /// Unique per message (the envelope's `eventId`); a repeat is skipped.
    package var messageID: String
    package var topic: String
    /// The event type a waiting step names, e.g. `scheduling.availability`.
    package var type: String
    /// The value that picks the saga, e.g. the `requestId`.
    package var correlation: String
    package var payload: JSONValue

    package init(messageID: String, topic: String, type: String, correlation: String, payload: JSONValue) {
        self.messageID = messageID
        self.topic = topic
        self.type = type
        self.correlation = correlation
        self.payload = payload
    }
}

extension SagaEngine {
    /// Hands an event to the saga waiting for it. The inbox row and the saga's transition
    /// are stored in one transaction; a repeated message id, or an event no saga waits for
    /// (late, unknown correlation), is recorded and otherwise ignored.
    ///
    /// Throws when the event handler fails for a reason worth retrying; nothing is stored
    /// then, so the caller may deliver the message again.
    package func deliver(_ event: InboundEvent) async throws -> InboxOutcome {
        if try await store.hasProcessed(messageID: event.messageID) { return .duplicate }
        let now = clock.now()
        guard let waitingID = try await store.instanceWaiting(for: event.type, correlation: event.correlation) else {
            return try await store.receive(
                messageID: event.messageID, topic: event.topic, at: now, transition: nil,
                ignoredBecause: Self.nobodyWaits(for: event))
        }
        let outcome = try await locks.withLock(waitingID) { () async throws -> InboxOutcome in
            // Re-read under the lock: the deadline may have passed meanwhile.
            guard let instance = try await store.instance(id: waitingID), let transition = try await transition(applying: event, to: instance) else {
                return try await store.receive(
                    messageID: event.messageID, topic: event.topic, at: clock.now(), transition: nil,
                    ignoredBecause: "saga \(waitingID) stopped waiting before the event was applied")
            }
            return try await store.receive(
                messageID: event.messageID, topic: event.topic, at: clock.now(), transition: transition, ignoredBecause: nil)
        }
        wake.signal()
        return outcome
    }

    /// The transition `event` causes in `instance`: what its handler decides, or nil when the
    /// instance does not wait for it. Throws what the handler throws.
    func transition(applying event: InboundEvent, to instance: SagaInstance) async throws -> SagaTransition? {
        guard instance.status == .waiting, instance.waitingFor == AwaitedEvent(event: event.type, correlation: event.correlation),
            let definition = catalog.definition(instance.type, version: instance.definitionVersion),
            let handlerName = definition.steps[instance.stepIndex].wait?.onEvent,
            let handler = handlers.eventHandlers[handlerName]
        else { return nil }
        let context = StepContext(
            sagaID: instance.id, sagaType: instance.type, step: definition.steps[instance.stepIndex].name,
            attempt: instance.attempt, idempotencyKey: "\(instance.id):event:\(event.messageID)",
            partitionKey: instance.partitionKey, data: instance.data, lastError: instance.lastError, now: clock.now())
        let decision = try await handler(context, event.payload)
        return try SagaMachine(definition: definition).apply(
            .eventArrived(decision), to: instance, now: clock.now(), unitRandom: Double.random(in: 0..<1))
    }

    /// Why an event was recorded and otherwise ignored.
    static func nobodyWaits(for event: InboundEvent) -> String {
        "no saga is waiting for \(event.type) with correlation \(event.correlation)"
    }

    /// Hands a batch of events to their sagas one at a time: the events of a lane (an ordered
    /// stream, a Kafka key) in order, different lanes at once. An event that fails (its
    /// handler threw, its saga moved meanwhile) and the rest of its lane come back as nil, for
    /// the caller to deliver one at a time, as with `deliver(batch:lanes:)` on SQLite.
    package func deliverEach(batch events: [InboundEvent], lanes: [Int]) async -> [InboxOutcome?] {
        precondition(events.count == lanes.count, "one lane per event")
        var byLane: [Int: [Int]] = [:]
        for (index, lane) in lanes.enumerated() { byLane[lane, default: []].append(index) }
        return await withTaskGroup(of: [(Int, InboxOutcome)].self) { group in
            for indices in byLane.values {
                group.addTask {
                    var outcomes: [(Int, InboxOutcome)] = []
                    for index in indices {
                        guard let outcome = try? await self.deliver(events[index]) else { break }
                        outcomes.append((index, outcome))
                    }
                    return outcomes
                }
            }
            var outcomes = [InboxOutcome?](repeating: nil, count: events.count)
            for await delivered in group { for (index, outcome) in delivered { outcomes[index] = outcome } }
            return outcomes
        }
    }
}
