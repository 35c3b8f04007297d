import Foundation

/// Which partition assignor a consumer group uses, chosen from the librdkafka that is linked.
///
/// librdkafka before 2.3.0 aborts the process (`rd_kafka_sticky_assignor_state_destroy:
/// Assertion 'assignor_state' failed`, librdkafka issue #4312, fixed by PR #4381) when a
/// consumer using `cooperative-sticky` is destroyed after joining a generation and before its
/// first assignment: an instance stopped during a rolling deploy, one more instance than
/// partitions, a SIGTERM right after start. Below 2.3.0 only the eager assignors are used;
/// see docs/kafka.md.
package enum AssignmentStrategy {
    /// The first librdkafka with the fix: 2.3.0 (`0x020300ff`, any pre-release of it excluded).
    package static let firstSafeCooperativeVersion = 0x0203_00ff

    /// The property name in librdkafka.
    package static let property = "partition.assignment.strategy"

    /// `cooperative-sticky` where it is safe, else librdkafka's own eager default.
    package static func preferred(forVersion version: Int) -> String {
        version >= firstSafeCooperativeVersion ? "cooperative-sticky" : "range,roundrobin"
    }

    /// Refuses a configured strategy that would abort the process on this librdkafka.
    static func check(_ configured: String, version: Int) throws(KafkaError) {
        guard version < firstSafeCooperativeVersion else { return }
        let names = configured.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if names.contains("cooperative-sticky") {
            throw .configuration(
                "\(property)=\(configured): the cooperative-sticky assignor aborts librdkafka \(versionText(version)) when a consumer "
                    + "closes before its first assignment (librdkafka #4312, fixed in 2.3.0); use range or roundrobin")
        }
    }

    static func versionText(_ version: Int) -> String {
        "\((version >> 24) & 0xff).\((version >> 16) & 0xff).\((version >> 8) & 0xff)"
    }
}
