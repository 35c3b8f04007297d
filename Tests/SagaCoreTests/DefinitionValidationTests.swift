import SagaCore
import Testing

@Suite("Saga definition validation")
struct DefinitionValidationTests {
    let handlers = HandlerInventory(
        actions: ["book": true, "publish": false, "collect.start": false],
        compensations: ["cancel"], eventHandlers: ["collect"], deadlineHandlers: ["settle"])

    func document(_ steps: [SagaDefinitionDocument.Step], stuckAfter: String? = "10m") -> SagaDefinitionDocument {
        SagaDefinitionDocument(name: "demo", version: 2, description: nil, stuckAfter: stuckAfter, steps: steps)
    }

    func step(
        _ name: String, action: String = "publish", compensation: String? = "none", timeout: String? = nil,
        retry: SagaDefinitionDocument.Retry? = nil, wait: SagaDefinitionDocument.Wait? = nil
    ) -> SagaDefinitionDocument.Step {
        SagaDefinitionDocument.Step(
            name: name, action: action, compensation: compensation, retry: retry, compensationRetry: nil, timeout: timeout, wait: wait)
    }

    func error(_ document: SagaDefinitionDocument) -> DefinitionError? {
        do {
            _ = try document.validated(file: "sagas/demo.yaml", handlers: handlers)
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidDefinitionResolvesDurationsAndPolicies() throws {
        let retry = SagaDefinitionDocument.Retry(
            maxAttempts: 5, initialBackoff: "200ms", maxBackoff: "30s", multiplier: 3, jitter: "equal", retryOn: ["transient", "unavailable"])
        let wait = SagaDefinitionDocument.Wait(
            event: "scheduling.availability", correlation: "requestId", onEvent: "collect", deadline: "15m", onDeadline: "settle")
        let definition = try document([
            step("book", action: "book", compensation: "cancel", timeout: "1m30s", retry: retry), step("await", action: "collect.start", wait: wait),
        ])
        .validated(file: "sagas/demo.yaml", handlers: handlers)
        #expect(definition.steps[0].timeout == .seconds(90))
        #expect(
            definition.steps[0].retry
                == RetryPolicy(
                    maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(30), multiplier: 3, jitter: .equal,
                    retryOn: [.transient, .unavailable]))
        #expect(definition.steps[0].compensationRetry == definition.steps[0].retry)
        #expect(definition.steps[1].wait?.deadline == .seconds(900))
        #expect(definition.steps[1].compensation == nil)
        #expect(definition.stuckAfter == .seconds(600))
    }

    @Test func unknownActionHandlerSuggestsTheClosestName() {
        let e = error(document([step("book", action: "bok", compensation: "cancel")]))
        #expect(e?.step == "book")
        #expect(e?.reason == "unknown action handler \"bok\" (did you mean \"book\"?)")
        #expect(e?.description == "sagas/demo.yaml: step \"book\": unknown action handler \"bok\" (did you mean \"book\"?)")
    }

    @Test func unknownCompensationHandler() {
        #expect(
            error(document([step("book", action: "book", compensation: "cancle")]))?.reason.hasPrefix("unknown compensation handler \"cancle\"")
                == true)
    }

    @Test func missingCompensationIsAnError() {
        let e = error(document([step("publish", compensation: nil)]))
        #expect(e?.reason.contains("no compensation given") == true)
    }

    @Test func noneWhereTheActionNeedsUndoing() {
        let e = error(document([step("book", action: "book", compensation: "none")]))
        #expect(e?.reason.contains("must be undone") == true)
    }

    @Test func duplicateStep() {
        let e = error(document([step("publish"), step("publish")]))
        #expect(e?.step == "publish")
        #expect(e?.reason == "duplicate step name")
    }

    @Test(arguments: ["10 minutes", "5x", "", "m", "1.5s", "999999999999999d", "9223372036854775807s", "366d", "365d1ms"])
    func badDurations(text: String) {
        let e = error(document([step("publish", timeout: text)]))
        #expect(e?.step == "publish")
        #expect(e?.reason.hasPrefix("timeout: bad duration \"\(text)\"") == true)
    }

    @Test func badStuckAfterNamesNoStep() {
        let e = error(document([step("publish")], stuckAfter: "soon"))
        #expect(e?.step == nil)
        #expect(e?.reason.hasPrefix("stuckAfter: bad duration") == true)
    }

    @Test func badRetryPolicies() {
        #expect(error(document([step("publish", retry: .init(maxAttempts: 0))]))?.reason.contains("maxAttempts must be 1 or more") == true)
        #expect(
            error(document([step("publish", retry: .init(initialBackoff: "1m", maxBackoff: "1s"))]))?.reason.contains("exceeds maxBackoff") == true)
        #expect(error(document([step("publish", retry: .init(jitter: "lots"))]))?.reason.contains("jitter must be one of none, full, equal") == true)
        #expect(error(document([step("publish", retry: .init(retryOn: ["flaky"]))]))?.reason.contains("unknown error kind \"flaky\"") == true)
    }

    @Test func unknownWaitHandlers() {
        let badEvent = SagaDefinitionDocument.Wait(event: "x", correlation: "id", onEvent: "gather", deadline: "1m")
        #expect(error(document([step("w", wait: badEvent)]))?.reason.contains("unknown event handler \"gather\"") == true)
        let badDeadline = SagaDefinitionDocument.Wait(event: "x", correlation: "id", onEvent: "collect", deadline: "1m", onDeadline: "shrug")
        #expect(error(document([step("w", wait: badDeadline)]))?.reason.contains("unknown deadline handler \"shrug\"") == true)
    }

    @Test func durationText() {
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("2d") == .seconds(172_800))
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.milliseconds(1500)) == "1s500ms")
        #expect(DurationText.parse("365d") == DurationText.maximum)
        #expect(Duration.seconds(Int64.max).milliseconds == .max, "saturates")
        #expect(Duration.seconds(Int64.min).milliseconds == .min)
    }
}
