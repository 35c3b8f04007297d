import Foundation
import Hummingbird
import InterviewScheduling

/// `/health`, `/health/live`, `/health/ready` and `/metrics`: open, for probes and scrapers.
struct HealthAPI {
    let services: APIServices

    func register(on routes: inout APIRoutes) {
        routes.get("/health") { _, _ in try await self.ready() }
        routes.get("/health/live") { _, _ in try APIServices.json(.ok, ["status": "up"]) }
        routes.get("/health/ready") { _, _ in try await self.ready() }
        routes.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.services.metricsText())))
        }
    }

    func ready() async throws -> Response {
        let sqlite = await services.application.databaseIsReachable()
        let kafka = await services.kafkaReady()
        let body = ["status": sqlite && kafka ? "up" : "down", "sqlite": sqlite ? "up" : "down", "kafka": kafka ? "up" : "down"]
        return try APIServices.json(sqlite && kafka ? .ok : .serviceUnavailable, body)
    }
}
