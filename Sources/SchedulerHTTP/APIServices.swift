import Foundation
import Hummingbird
import InterviewScheduling
import SagaEngine

/// What the API's handlers use.
public struct APIServices: Sendable {
    public var engine: SagaEngine
    public var interviews: InterviewStore
    public var authenticator: BearerAuthenticator
    /// Whether Kafka answers, for `/health/ready`.
    public var kafkaReady: @Sendable () async -> Bool
    /// The Prometheus text of every metric.
    public var metricsText: @Sendable () -> String
    public var maximumBodyBytes: Int

    public init(
        engine: SagaEngine, interviews: InterviewStore, authenticator: BearerAuthenticator, kafkaReady: @escaping @Sendable () async -> Bool,
        metricsText: @escaping @Sendable () -> String, maximumBodyBytes: Int = 256 * 1024
    ) {
        self.engine = engine
        self.interviews = interviews
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

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
