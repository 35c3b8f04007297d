extension KafkaConfiguration {
    /// The `kafka` section of the service's configuration file (YAML or JSON), in the
    /// same terms as the environment variables.
    public struct File: Codable, Hashable, Sendable {
        public struct SASL: Codable, Hashable, Sendable {
            public var mechanism: String?
            public var username: String
            public var password: String
        }

        public struct TLS: Codable, Hashable, Sendable {
            public var caLocation: String?
            public var certificateLocation: String?
            public var keyLocation: String?
            public var keyPassword: String?
        }

        public var bootstrapServers: String
        public var clientId: String?
        public var sasl: SASL?
        public var tls: TLS?
        public var properties: [String: String]?
        public var consumerProperties: [String: String]?
    }

    /// Builds a configuration from a file section; each environment variable that is set
    /// overrides its field (see `apply(environment:)`).
    public init(file: File, environment: [String: String] = [:]) throws(KafkaError) {
        self.init(
            bootstrapServers: file.bootstrapServers, clientID: file.clientId ?? "interview-scheduler",
            sasl: file.sasl.map { SASL(mechanism: $0.mechanism ?? "SCRAM-SHA-512", username: $0.username, password: $0.password) },
            tls: file.tls.map { TLS(caLocation: $0.caLocation, certificateLocation: $0.certificateLocation, keyLocation: $0.keyLocation, keyPassword: $0.keyPassword) },
            properties: file.properties ?? [:], consumerProperties: file.consumerProperties ?? [:])
        try apply(environment: environment)
    }
}
