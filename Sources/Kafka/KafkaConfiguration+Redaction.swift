/// Secrets stay out of `description`, `debugDescription` and `dump`/`Mirror` output.
private let hidden = "[redacted]"

extension KafkaConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "bootstrapServers": bootstrapServers, "clientID": clientID, "sasl": sasl as Any, "tls": tls as Any,
                "properties": Self.redacted(properties), "consumerProperties": Self.redacted(consumerProperties),
            ], displayStyle: .struct)
    }

    /// `properties` with the values of secret names replaced.
    static func redacted(_ properties: [String: String]) -> [String: String] {
        properties.reduce(into: [:]) { $0[$1.key] = secretProperties.contains($1.key) ? hidden : $1.value }
    }
}

extension KafkaConfiguration.SASL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String { "SASL(mechanism: \(mechanism), username: \(hidden), password: \(hidden))" }
    package var debugDescription: String { description }
    package var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism, "username": hidden, "password": hidden], displayStyle: .struct)
    }
}

extension KafkaConfiguration.TLS: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        "TLS(caLocation: \(caLocation ?? "nil"), certificateLocation: \(certificateLocation ?? "nil"), keyLocation: \(keyLocation ?? "nil"), keyPassword: \(keyPassword == nil ? "nil" : hidden))"
    }
    package var debugDescription: String { description }
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "caLocation": caLocation as Any, "certificateLocation": certificateLocation as Any, "keyLocation": keyLocation as Any,
                "keyPassword": keyPassword.map { _ in hidden } as Any,
            ], displayStyle: .struct)
    }
}

extension KafkaConfiguration.File: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        let properties = KafkaConfiguration.redacted(self.properties ?? [:]), consumer = KafkaConfiguration.redacted(consumerProperties ?? [:])
        return "File(bootstrapServers: \(bootstrapServers), clientId: \(clientId ?? "nil"), sasl: \(sasl.map { "\($0)" } ?? "nil"), "
            + "tls: \(tls.map { "\($0)" } ?? "nil"), properties: \(properties), consumerProperties: \(consumer))"
    }
    package var debugDescription: String { description }
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "bootstrapServers": bootstrapServers, "clientId": clientId as Any, "sasl": sasl as Any, "tls": tls as Any,
                "properties": properties.map(KafkaConfiguration.redacted) as Any,
                "consumerProperties": consumerProperties.map(KafkaConfiguration.redacted) as Any,
            ], displayStyle: .struct)
    }
}

extension KafkaConfiguration.File.SASL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String { "SASL(mechanism: \(mechanism ?? "nil"), username: \(hidden), password: \(hidden))" }
    package var debugDescription: String { description }
    package var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism as Any, "username": hidden, "password": hidden], displayStyle: .struct)
    }
}

extension KafkaConfiguration.File.TLS: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package var description: String {
        KafkaConfiguration.TLS(caLocation: caLocation, certificateLocation: certificateLocation, keyLocation: keyLocation, keyPassword: keyPassword)
            .description
    }
    package var debugDescription: String { description }
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "caLocation": caLocation as Any, "certificateLocation": certificateLocation as Any, "keyLocation": keyLocation as Any,
                "keyPassword": keyPassword.map { _ in hidden } as Any,
            ], displayStyle: .struct)
    }
}
