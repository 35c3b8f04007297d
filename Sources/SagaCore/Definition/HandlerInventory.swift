/// The handler names a service has registered, which definitions are checked against at start.
package struct HandlerInventory: Sendable {
    /// Action names, each saying whether its effect must be undone on failure (then a
    /// definition may not declare `compensation: none` for it).
    package var actions: [String: Bool]
    package var compensations: Set<String>
    package var eventHandlers: Set<String>
    package var deadlineHandlers: Set<String>
    /// False for tools that only read definitions (diagrams, operator commands that store a
    /// transition for the service to carry out): handler names are then not checked.
    package var checksNames = true

    /// Accepts any handler name; structure, durations and policies are still checked.
    package static let namesUnchecked: HandlerInventory = {
        var inventory = HandlerInventory()
        inventory.checksNames = false
        return inventory
    }()

    package init(actions: [String: Bool] = [:], compensations: Set<String> = [], eventHandlers: Set<String> = [], deadlineHandlers: Set<String> = [])
    {
        self.actions = actions
        self.compensations = compensations
        self.eventHandlers = eventHandlers
        self.deadlineHandlers = deadlineHandlers
    }

    /// Whether a step running `action` must name a compensation; nil for an unknown action.
    func requiresCompensation(_ action: String) -> Bool? {
        checksNames ? actions[action] : false
    }

    func knows(_ name: String, in names: Set<String>) -> Bool {
        !checksNames || names.contains(name)
    }
}
