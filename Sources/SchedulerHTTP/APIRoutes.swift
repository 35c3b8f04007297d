import Hummingbird

/// Adds the API's routes to the router and records each in a `RouteTable`, so that the
/// methods a path does not declare can be answered 405 with `Allow`.
struct APIRoutes {
    let router: Router<BasicRequestContext>
    private(set) var table = RouteTable()

    init(router: Router<BasicRequestContext>) {
        self.router = router
    }

    mutating func on(
        _ method: HTTPRequest.Method, _ path: String,
        use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        router.on(RouterPath(path), method: method, use: handler)
        table.declare(method, path)
    }

    mutating func get(_ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        on(.get, path, use: handler)
    }

    mutating func post(_ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        on(.post, path, use: handler)
    }
}
