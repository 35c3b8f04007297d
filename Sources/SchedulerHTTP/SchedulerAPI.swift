import Hummingbird

/// The service's HTTP routes.
public enum SchedulerAPI {
    public static func router(_ services: APIServices) -> Router<BasicRequestContext> {
        let router = Router()
        HealthAPI(services: services).register(on: router)
        SchedulingRequestsAPI(services: services).register(on: router)
        InterviewsAPI(services: services).register(on: router)
        return router
    }
}
