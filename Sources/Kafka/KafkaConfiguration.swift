/// How to reach a Kafka cluster, in librdkafka's property names.
///
/// Typed fields cover what every deployment sets; `properties` passes anything else
/// through to librdkafka unchanged. Secrets (SASL credentials, TLS key material, secret
/// properties) never appear in descriptions or `dump` output, nested types included.
package struct KafkaConfiguration: Hashable, Sendable {
    package struct SASL: Hashable, Sendable {
        /// `SCRAM-SHA-512` or `SCRAM-SHA-256` (or `PLAIN`).
        package var mechanism: String
        package var username: String
        package var password: String

        package init(mechanism: String = "SCRAM-SHA-512", username: String, password: String) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    package struct TLS: Hashable, Sendable {
        /// PEM file of the certificate authorities to trust.
        package var caLocation: String?
        /// Client certificate and key (PEM files) for mutual TLS.
        package var certificateLocation: String?
        package var keyLocation: String?
        package var keyPassword: String?

        package init(caLocation: String? = nil, certificateLocation: String? = nil, keyLocation: String? = nil, keyPassword: String? = nil) {
            self.caLocation = caLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
            self.keyPassword = keyPassword
        }
    }

    /// `host:port` pairs, comma-separated.
    package var bootstrapServers: String
    package var clientID: String
    package var sasl: SASL?
    package var tls: TLS?
    /// Any other librdkafka property (`linger.ms`, `compression.type`, …).
    package var properties: [String: String]
    /// Properties only consumers take (`session.timeout.ms`, …), kept apart so producers do
    /// not warn about them.
    package var consumerProperties: [String: String]

    package init(
        bootstrapServers: String, clientID: String = "interview-scheduler", sasl: SASL? = nil, tls: TLS? = nil,
        properties: [String: String] = [:], consumerProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.sasl = sasl
        self.tls = tls
        self.properties = properties
        self.consumerProperties = consumerProperties
    }

    /// Property names whose values are secrets.
    static let secretProperties: Set<String> = [
        "sasl.password", "sasl.username", "ssl.key.password", "ssl.key.pem", "ssl_key", "ssl.keystore.password",
        "sasl.oauthbearer.config", "sasl.oauthbearer.client.secret", "sasl.kerberos.keytab",
    ]

    /// Every property handed to librdkafka.
    var librdkafkaProperties: [String: String] {
        // Nagle's algorithm off, as librdkafka ≥ 2.10 has it by default (2.0.2 has it on): a
        // request written right after another would otherwise wait for the broker's ACK.
        var result = ["bootstrap.servers": bootstrapServers, "client.id": clientID, "socket.nagle.disable": "true"]
        if let sasl {
            result["security.protocol"] = tls == nil ? "SASL_PLAINTEXT" : "SASL_SSL"
            result["sasl.mechanisms"] = sasl.mechanism
            result["sasl.username"] = sasl.username
            result["sasl.password"] = sasl.password
        } else if tls != nil {
            result["security.protocol"] = "SSL"
        }
        if let tls {
            result["ssl.ca.location"] = tls.caLocation
            result["ssl.certificate.location"] = tls.certificateLocation
            result["ssl.key.location"] = tls.keyLocation
            result["ssl.key.password"] = tls.keyPassword
        }
        return result.merging(properties) { _, explicit in explicit }
    }

    /// The properties with secrets replaced by `[redacted]`, sorted, for logs.
    package var description: String {
        Self.redacted(librdkafkaProperties).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
