import Foundation

extension KafkaConfiguration {
    /// A configuration from the environment alone (see `apply(environment:)`); nil when
    /// `KAFKA_BOOTSTRAP_SERVERS` is not set.
    package static func fromEnvironment(_ environment: [String: String]) throws(KafkaError) -> KafkaConfiguration? {
        guard let servers = environment["KAFKA_BOOTSTRAP_SERVERS"], !servers.isEmpty else { return nil }
        var configuration = KafkaConfiguration(bootstrapServers: servers)
        try configuration.apply(environment: environment)
        return configuration
    }

    /// Overlays each variable that is set (and not empty), field by field:
    /// `KAFKA_BOOTSTRAP_SERVERS`, `KAFKA_CLIENT_ID`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`,
    /// `KAFKA_SASL_PASSWORD`, `KAFKA_SSL_CA_LOCATION`, `KAFKA_SSL_CERTIFICATE_LOCATION`,
    /// `KAFKA_SSL_KEY_LOCATION`, `KAFKA_SSL_KEY_PASSWORD`, `KAFKA_PROPERTY_<NAME>` and
    /// `KAFKA_CONSUMER_PROPERTY_<NAME>`. In names, `_` stands for `.` and `__` for `_`
    /// (`KAFKA_PROPERTY_LINGER_MS` is `linger.ms`, `KAFKA_PROPERTY_LOG__LEVEL` is `log_level`).
    /// SASL needs a username and a password once merged.
    package mutating func apply(environment: [String: String]) throws(KafkaError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        bootstrapServers = value("KAFKA_BOOTSTRAP_SERVERS") ?? bootstrapServers
        clientID = value("KAFKA_CLIENT_ID") ?? clientID
        let mechanism = value("KAFKA_SASL_MECHANISM") ?? sasl?.mechanism
        switch (value("KAFKA_SASL_USERNAME") ?? sasl?.username, value("KAFKA_SASL_PASSWORD") ?? sasl?.password) {
        case (let username?, let password?):
            sasl = SASL(mechanism: mechanism ?? "SCRAM-SHA-512", username: username, password: password)
        case (nil, nil):
            guard mechanism == nil else { throw .configuration("KAFKA_SASL_MECHANISM is set but no SASL username and password are") }
        default:
            throw .configuration("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set together (in the environment or the file)")
        }
        let tlsNames = ["KAFKA_SSL_CA_LOCATION", "KAFKA_SSL_CERTIFICATE_LOCATION", "KAFKA_SSL_KEY_LOCATION", "KAFKA_SSL_KEY_PASSWORD"]
        if tlsNames.contains(where: { value($0) != nil }) {
            let current = tls ?? TLS()
            tls = TLS(
                caLocation: value("KAFKA_SSL_CA_LOCATION") ?? current.caLocation,
                certificateLocation: value("KAFKA_SSL_CERTIFICATE_LOCATION") ?? current.certificateLocation,
                keyLocation: value("KAFKA_SSL_KEY_LOCATION") ?? current.keyLocation,
                keyPassword: value("KAFKA_SSL_KEY_PASSWORD") ?? current.keyPassword)
        }
        properties.merge(Self.properties(in: environment, prefix: "KAFKA_PROPERTY_")) { _, environment in environment }
        consumerProperties.merge(Self.properties(in: environment, prefix: "KAFKA_CONSUMER_PROPERTY_")) { _, environment in environment }
    }

    /// librdkafka properties from variables named `prefix` + the property's name.
    private static func properties(in environment: [String: String], prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) && name.count > prefix.count {
            let words = name.dropFirst(prefix.count).lowercased().components(separatedBy: "__")
            result[words.map { $0.replacingOccurrences(of: "_", with: ".") }.joined(separator: "_")] = value
        }
        return result
    }
}
