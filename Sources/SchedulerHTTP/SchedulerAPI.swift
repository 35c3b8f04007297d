package import Hummingbird

/// The service's HTTP routes. A method a path does not declare gets 405 with `Allow`;
/// `HEAD` is answered wherever `GET` is.
package enum SchedulerAPI {
    package static func router(_ services: APIServices) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        var routes = APIRoutes(router: router)
        HealthAPI(services: services).register(on: &routes)
        SchedulingRequestsAPI(services: services).register(on: &routes)
        InterviewsAPI(services: services).register(on: &routes)
        CandidatesAPI(services: services).register(on: &routes)
        CandidatePageAPI(services: services).register(on: &routes)
        // Added last, it wraps only what no route took.
        router.add(middleware: UnroutedRequestMiddleware(table: routes.table))
        return router
    }
}
