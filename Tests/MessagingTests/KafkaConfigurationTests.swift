import Foundation
import Kafka
import Testing

@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    @Test func secretsNeverAppearInTheDescription() throws {
        let configuration = KafkaConfiguration(
            bootstrapServers: "broker-1:9093", sasl: .init(username: "svc-scheduler", password: "s3cr3t-pa55"),
            tls: .init(caLocation: "/etc/kafka/ca.pem", keyPassword: "key-pa55"))
        let text = configuration.description
        #expect(!text.contains("s3cr3t-pa55") && !text.contains("key-pa55") && !text.contains("svc-scheduler"))
        #expect(text.contains("sasl.password=[redacted]"))
        #expect(text.contains("security.protocol=SASL_SSL"))
        #expect(text.contains("sasl.mechanisms=SCRAM-SHA-512"))
    }

    @Test func environmentGivesServersSecurityAndPassThroughProperties() throws {
        let configuration = try #require(try KafkaConfiguration.fromEnvironment([
            "KAFKA_BOOTSTRAP_SERVERS": "a:9092,b:9092", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p",
            "KAFKA_SSL_CA_LOCATION": "/ca.pem", "KAFKA_PROPERTY_LINGER_MS": "20",
        ]))
        #expect(configuration.bootstrapServers == "a:9092,b:9092")
        #expect(configuration.sasl?.username == "u")
        #expect(configuration.tls?.caLocation == "/ca.pem")
        #expect(configuration.properties["linger.ms"] == "20")
        #expect(try KafkaConfiguration.fromEnvironment([:]) == nil, "no servers: the embedded cluster is used")
        #expect(throws: KafkaError.self) { try KafkaConfiguration.fromEnvironment(["KAFKA_BOOTSTRAP_SERVERS": "a:1", "KAFKA_SASL_USERNAME": "u"]) }
    }

    @Test func aFileSectionWithEnvironmentOverrides() throws {
        let file = try JSONDecoder().decode(KafkaConfiguration.File.self, from: Data(#"{"bootstrapServers":"file:9092","clientId":"sched-1","properties":{"compression.type":"zstd"}}"#.utf8))
        let plain = try KafkaConfiguration(file: file)
        #expect(plain.bootstrapServers == "file:9092" && plain.clientID == "sched-1" && plain.properties["compression.type"] == "zstd")
        let overridden = try KafkaConfiguration(file: file, environment: ["KAFKA_BOOTSTRAP_SERVERS": "env:9092"])
        #expect(overridden.bootstrapServers == "env:9092" && overridden.clientID == "sched-1")
    }

    @Test func librdkafkaRefusesABadPropertyWithItsName() {
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "localhost:1", properties: ["linger.ms": "soon"]))
        } throws: { error in
            (error as? KafkaError)?.message.hasPrefix("linger.ms:") == true
        }
    }
}
