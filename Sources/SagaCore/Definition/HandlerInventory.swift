/// The handler names a service has registered, which definitions are checked against at start.
public struct HandlerInventory: Sendable {
    /// Action names, each saying whether its effect must be undone on failure (then a
    /// definition may not declare `compensation: none` for it).
    public var actions: [String: Bool]
    public var compensations: Set<String>
    public var eventHandlers: Set<String>
    public var deadlineHandlers: Set<String>

    public init(actions: [String: Bool] = [:], compensations: Set<String> = [], eventHandlers: Set<String> = [], deadlineHandlers: Set<String> = []) {
        self.actions = actions
        self.compensations = compensations
        self.eventHandlers = eventHandlers
        self.deadlineHandlers = deadlineHandlers
    }
}
