/// Polls `condition` every 50 ms for up to `seconds`; true as soon as it holds. A condition
/// that throws counts as not holding yet (a server still starting, say). It is looked at once
/// more at the deadline: a poll that woke late (a busy machine) still sees the final state.
package func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return (try? await condition()) == true
}
