/// A saga definition as written in `sagas/*.yaml` (or JSON): durations as text, handler
/// names as strings. `validated` turns it into a `SagaDefinition`.
package struct SagaDefinitionDocument: Codable, Hashable, Sendable {
    package struct Retry: Codable, Hashable, Sendable {
        package var maxAttempts: Int?
        package var initialBackoff: String?
        package var maxBackoff: String?
        package var multiplier: Double?
        package var jitter: String?
        package var retryOn: [String]?

        package init(
            maxAttempts: Int? = nil, initialBackoff: String? = nil, maxBackoff: String? = nil, multiplier: Double? = nil, jitter: String? = nil,
            retryOn: [String]? = nil
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.multiplier = multiplier
            self.jitter = jitter
            self.retryOn = retryOn
        }
    }

    package struct Wait: Codable, Hashable, Sendable {
        package var event: String
        package var correlation: String
        package var onEvent: String
        package var deadline: String
        package var onDeadline: String?

        package init(event: String, correlation: String, onEvent: String, deadline: String, onDeadline: String? = nil) {
            self.event = event
            self.correlation = correlation
            self.onEvent = onEvent
            self.deadline = deadline
            self.onDeadline = onDeadline
        }
    }

    package struct Step: Codable, Hashable, Sendable {
        package var name: String
        package var action: String
        /// A handler name, or `none`. Must be present: leaving it out is an error, so that
        /// "no compensation" is always a decision someone wrote down.
        package var compensation: String?
        package var retry: Retry?
        package var compensationRetry: Retry?
        package var timeout: String?
        package var wait: Wait?

        package init(
            name: String, action: String, compensation: String?, retry: Retry? = nil, compensationRetry: Retry? = nil, timeout: String? = nil,
            wait: Wait? = nil
        ) {
            self.name = name
            self.action = action
            self.compensation = compensation
            self.retry = retry
            self.compensationRetry = compensationRetry
            self.timeout = timeout
            self.wait = wait
        }
    }

    package var name: String
    package var version: Int
    package var description: String?
    package var stuckAfter: String?
    package var steps: [Step]

    package init(name: String, version: Int, description: String? = nil, stuckAfter: String? = nil, steps: [Step]) {
        self.name = name
        self.version = version
        self.description = description
        self.stuckAfter = stuckAfter
        self.steps = steps
    }
}

/// A definition that cannot be used, with where and why.
package struct DefinitionError: Error, Hashable, Sendable, CustomStringConvertible {
    package var file: String
    /// The step's name, when the problem is in one step.
    package var step: String?
    package var reason: String

    package init(file: String, step: String?, reason: String) {
        self.file = file
        self.step = step
        self.reason = reason
    }

    package var description: String {
        "\(file)" + (step.map { ": step \"\($0)\"" } ?? "") + ": \(reason)"
    }
}

extension SagaDefinitionDocument {
    /// Default step timeout and stuck threshold when a definition gives none.
    package static let defaultTimeout: Duration = .seconds(30)
    package static let defaultStuckAfter: Duration = .seconds(3600)

    /// Checks the document against the registered handlers and resolves every duration.
    /// - Parameter file: named in errors.
    package func validated(file: String, handlers: HandlerInventory) throws(DefinitionError) -> SagaDefinition {
        func fail(_ step: String?, _ reason: String) -> DefinitionError {
            DefinitionError(file: file, step: step, reason: reason)
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw fail(nil, "name \"\(name)\" must be non-empty letters, digits, '-', '_' or '.'")
        }
        guard version >= 1 else { throw fail(nil, "version must be 1 or more, got \(version)") }
        guard !steps.isEmpty else { throw fail(nil, "a saga needs at least one step") }
        let stuckAfter =
            try stuckAfter.map { text throws(DefinitionError) in try duration(text, field: "stuckAfter", step: nil, file: file) }
            ?? Self.defaultStuckAfter

        var seen = Set<String>()
        var resolved: [StepDefinition] = []
        for step in steps {
            guard !step.name.isEmpty else { throw fail(nil, "a step has an empty name") }
            guard seen.insert(step.name).inserted else { throw fail(step.name, "duplicate step name") }
            guard let requiresCompensation = handlers.requiresCompensation(step.action) else {
                throw fail(step.name, "unknown action handler \"\(step.action)\"\(suggestion(step.action, among: handlers.actions.keys))")
            }
            let compensation: String?
            switch step.compensation {
            case nil:
                throw fail(
                    step.name,
                    "no compensation given; name a compensation handler, or write `compensation: none` if the action changes nothing to undo")
            case "none"?:
                guard !requiresCompensation else {
                    throw fail(step.name, "action \"\(step.action)\" has effects that must be undone, but the step says `compensation: none`")
                }
                compensation = nil
            case let name?:
                guard handlers.knows(name, in: handlers.compensations) else {
                    throw fail(step.name, "unknown compensation handler \"\(name)\"\(suggestion(name, among: handlers.compensations))")
                }
                compensation = name
            }
            let retry = try policy(step.retry, step: step.name, field: "retry", file: file)
            let compensationRetry = try step.compensationRetry.map { document throws(DefinitionError) in
                try policy(document, step: step.name, field: "compensationRetry", file: file)
            }
            let timeout =
                try step.timeout.map { text throws(DefinitionError) in try duration(text, field: "timeout", step: step.name, file: file) }
                ?? Self.defaultTimeout
            guard timeout > .zero else { throw fail(step.name, "timeout must be positive") }
            let wait = try step.wait.map { wait throws(DefinitionError) -> WaitDefinition in
                guard handlers.knows(wait.onEvent, in: handlers.eventHandlers) else {
                    throw fail(step.name, "unknown event handler \"\(wait.onEvent)\" in wait.onEvent")
                }
                if let onDeadline = wait.onDeadline, !handlers.knows(onDeadline, in: handlers.deadlineHandlers) {
                    throw fail(step.name, "unknown deadline handler \"\(onDeadline)\" in wait.onDeadline")
                }
                guard !wait.event.isEmpty, !wait.correlation.isEmpty else {
                    throw fail(step.name, "wait needs an event type and a correlation field")
                }
                let deadline = try duration(wait.deadline, field: "wait.deadline", step: step.name, file: file)
                guard deadline > .zero else { throw fail(step.name, "wait.deadline must be positive") }
                return WaitDefinition(
                    event: wait.event, correlation: wait.correlation, onEvent: wait.onEvent, deadline: deadline, onDeadline: wait.onDeadline)
            }
            resolved.append(
                StepDefinition(
                    name: step.name, action: step.action, compensation: compensation, retry: retry,
                    compensationRetry: compensationRetry, timeout: timeout, wait: wait))
        }
        return SagaDefinition(name: name, version: version, description: description ?? "", steps: resolved, stuckAfter: stuckAfter)
    }
}

private func duration(_ text: String, field: String, step: String?, file: String) throws(DefinitionError) -> Duration {
    guard let value = DurationText.parse(text) else {
        throw DefinitionError(
            file: file, step: step,
            reason: "\(field): bad duration \"\(text)\"; write e.g. 500ms, 10s, 5m, 1h30m, at most \(DurationText.format(DurationText.maximum))")
    }
    return value
}

private func policy(_ document: SagaDefinitionDocument.Retry?, step: String, field: String, file: String) throws(DefinitionError) -> RetryPolicy {
    guard let document else { return .once }
    func fail(_ reason: String) -> DefinitionError { DefinitionError(file: file, step: step, reason: "\(field).\(reason)") }
    let maxAttempts = document.maxAttempts ?? 3
    guard maxAttempts >= 1 else { throw fail("maxAttempts must be 1 or more, got \(maxAttempts)") }
    let initial =
        try document.initialBackoff.map { text throws(DefinitionError) in try duration(text, field: "\(field).initialBackoff", step: step, file: file)
        } ?? .seconds(1)
    let maximum =
        try document.maxBackoff.map { text throws(DefinitionError) in try duration(text, field: "\(field).maxBackoff", step: step, file: file) }
        ?? .seconds(60)
    guard initial <= maximum else { throw fail("initialBackoff \(DurationText.format(initial)) exceeds maxBackoff \(DurationText.format(maximum))") }
    let multiplier = document.multiplier ?? 2
    guard multiplier >= 1, multiplier <= 10 else { throw fail("multiplier must be between 1 and 10, got \(multiplier)") }
    let jitterName = document.jitter ?? "full"
    guard let jitter = RetryPolicy.Jitter(rawValue: jitterName) else {
        throw fail("jitter must be one of \(RetryPolicy.Jitter.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(jitterName)\"")
    }
    var kinds = Set<StepFailure.Kind>()
    for name in document.retryOn ?? ["transient", "timeout"] {
        guard let kind = StepFailure.Kind(rawValue: name) else {
            throw fail("retryOn: unknown error kind \"\(name)\"; known: \(StepFailure.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        kinds.insert(kind)
    }
    return RetryPolicy(maxAttempts: maxAttempts, initialBackoff: initial, maxBackoff: maximum, multiplier: multiplier, jitter: jitter, retryOn: kinds)
}

/// ` (did you mean "x"?)` for a name one or two edits away from a known one.
private func suggestion(_ name: String, among known: some Sequence<String>) -> String {
    let close = known.filter { editDistance($0, name) <= 2 }.sorted().first
    return close.map { " (did you mean \"\($0)\"?)" } ?? ""
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
