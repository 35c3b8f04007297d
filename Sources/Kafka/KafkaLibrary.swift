import CRdKafka

/// Facts about the librdkafka build the service links against.
package enum KafkaLibrary {
    /// librdkafka's version string, e.g. `2.0.2`.
    package static var version: String { String(cString: rd_kafka_version_str()) }

    /// librdkafka's version as `0xMMmmrrxx` (major, minor, revision, pre-release), from the
    /// library actually loaded, not the headers compiled against.
    package static var versionNumber: Int { Int(rd_kafka_version()) }
}
