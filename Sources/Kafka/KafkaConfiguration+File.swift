extension KafkaConfiguration {
    /// The `kafka` section of the service's configuration file (YAML or JSON), in the
    /// same terms as the environment variables.
    package struct File: Codable, Hashable, Sendable {
        package struct SASL: Codable, Hashable, Sendable {
            package var mechanism: String?
            package var username: String
            package var password: String
        }

        package struct TLS: Codable, Hashable, Sendable {
            package var caLocation: String?
            package var certificateLocation: String?
            package var keyLocation: String?
            package var keyPassword: String?
        }

        package var bootstrapServers: String
        package var clientId: String?
        package var sasl: SASL?
        package var tls: TLS?
        package var properties: [String: String]?
        package var consumerProperties: [String: String]?
    }

    /// Builds a configuration from a file section; each environment variable that is set
    /// overrides its field (see `apply(environment:)`).
    package init(file: File, environment: [String: String] = [:]) throws(KafkaError) {
        self.init(
            bootstrapServers: file.bootstrapServers, clientID: file.clientId ?? "interview-scheduler",
            sasl: file.sasl.map { SASL(mechanism: $0.mechanism ?? "SCRAM-SHA-512", username: $0.username, password: $0.password) },
            tls: file.tls.map {
                TLS(caLocation: $0.caLocation, certificateLocation: $0.certificateLocation, keyLocation: $0.keyLocation, keyPassword: $0.keyPassword)
            },
            properties: file.properties ?? [:], consumerProperties: file.consumerProperties ?? [:])
        try apply(environment: environment)
    }
}
