import Foundation
import Hummingbird
package import InterviewScheduling
import NIOFoundationEssentialsCompat

/// What the API's handlers use: the use cases, the authenticator and the probes.
package struct APIServices: Sendable {
    package var application: SchedulingApplication
    package var authenticator: BearerAuthenticator
    /// Whether Kafka answers, for `/health/ready`.
    package var kafkaReady: @Sendable () async -> Bool
    /// The Prometheus text of every metric.
    package var metricsText: @Sendable () -> String
    package var maximumBodyBytes: Int
    /// Checks the candidate page's links; nil: the page answers every link 404.
    package var candidateLinks: CandidateLinkSigner?

    package init(
        application: SchedulingApplication, authenticator: BearerAuthenticator, kafkaReady: @escaping @Sendable () async -> Bool,
        metricsText: @escaping @Sendable () -> String, maximumBodyBytes: Int = 256 * 1024, candidateLinks: CandidateLinkSigner? = nil
    ) {
        self.candidateLinks = candidateLinks
        self.application = application
        self.authenticator = authenticator
        self.kafkaReady = kafkaReady
        self.metricsText = metricsText
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// The body, or 413 past the limit.
    func body(of request: Request) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: maximumBodyBytes))
        } catch {
            throw APIProblem(.contentTooLarge, "Payload too large", detail: "the body is larger than \(maximumBodyBytes) bytes")
        }
    }

    /// Runs a use case, answering its refusals as problems.
    func run<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as ApplicationError {
            throw APIProblem(error)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
