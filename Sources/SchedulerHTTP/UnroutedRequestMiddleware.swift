import Hummingbird

/// Answers what no route took: 405 with `Allow` when the path is the API's but the method is
/// not declared on it (`HEAD` goes with `GET`), otherwise 404; both as problem+json.
struct UnroutedRequestMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = table.methods(for: request.uri.path) else {
                throw APIProblem(.notFound, "Not found", detail: "no such path: \(request.uri.path.prefix(200))")
            }
            let allowed = methods.contains(.get) && !methods.contains(.head) ? methods + [.head] : methods
            var problem = APIProblem(
                .methodNotAllowed, "Method not allowed",
                detail: "\(request.method.rawValue.prefix(40)) is not allowed here; use \(allowed.map(\.rawValue).joined(separator: ", "))")
            problem.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            throw problem
        }
    }
}
