import Metrics
import SagaCore

/// The engine's Prometheus-style metrics: sagas started and settled by type, step
/// durations and outcomes, the number of stuck sagas, and (several instances) claims lost and
/// results superseded.
struct SagaMetrics: Sendable {
    private let stuckGauge = Gauge(label: "interview_sagas_stuck")

    func started(_ type: String) {
        Counter(label: "interview_sagas_started_total", dimensions: [("type", type)]).increment()
    }

    func recorded(work: SagaWork, event: SagaEvent, of instance: SagaInstance, definition: SagaDefinition, elapsed: Duration) {
        // The work's own step: the instance stored may already be at the next one.
        let (index, phase): (Int, String)
        switch work {
        case .action(let step, _, _): (index, phase) = (step, "action")
        case .compensation(let step, _, _): (index, phase) = (step, "compensation")
        case .deadline(let step): (index, phase) = (step, "deadline")
        }
        let step = definition.steps[index].name
        let outcome: String
        switch event {
        case .actionFailed, .compensationFailed, .deadlinePassed(.fail): outcome = "failure"
        default: outcome = "success"
        }
        Timer(
            label: "interview_saga_step_duration_seconds",
            dimensions: [("type", instance.type), ("step", step), ("phase", phase), ("outcome", outcome)]
        )
        .recordNanoseconds(Int64(elapsed / .nanoseconds(1)))
        switch instance.status {
        case .completed: Counter(label: "interview_sagas_completed_total", dimensions: [("type", instance.type)]).increment()
        case .compensated: Counter(label: "interview_sagas_compensated_total", dimensions: [("type", instance.type)]).increment()
        case .failed: Counter(label: "interview_sagas_failed_total", dimensions: [("type", instance.type)]).increment()
        case .running, .waiting, .compensating: break
        }
    }

    func stuck(_ count: Int) {
        stuckGauge.record(count)
    }

    /// On a store shared by several instances: a saga this instance had claimed was found, when
    /// a worker took it up or while a step ran, claimed by another instance (after the lease ran
    /// out: a slow or paused instance, or a database away for longer than a lease).
    func claimLost() {
        Counter(label: "interview_saga_claims_lost_total").increment()
    }

    /// On a store shared by several instances: a step's result left unrecorded because another
    /// instance moved the saga while the step ran (it repeats the step, or applied an event).
    func resultSuperseded(_ type: String) {
        Counter(label: "interview_saga_results_superseded_total", dimensions: [("type", type)]).increment()
    }
}
