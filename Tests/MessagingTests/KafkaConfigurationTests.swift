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

    /// Offsets move only after a message's effect is durable: librdkafka may not store or
    /// commit them on its own, whatever the configuration says.
    @Test(arguments: ["enable.auto.commit", "enable.auto.offset.store"])
    func aConsumerRefusesAutomaticOffsets(property: String) throws {
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:9", consumerProperties: [property: "true"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: configuration, groupID: "g", topics: ["t"])
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains(property), "the error names the setting")
    }

    @Test func environmentGivesServersSecurityAndPassThroughProperties() throws {
        let configuration = try #require(
            try KafkaConfiguration.fromEnvironment([
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
        let file = try JSONDecoder().decode(
            KafkaConfiguration.File.self,
            from: Data(#"{"bootstrapServers":"file:9092","clientId":"sched-1","properties":{"compression.type":"zstd"}}"#.utf8))
        let plain = try KafkaConfiguration(file: file)
        #expect(plain.bootstrapServers == "file:9092" && plain.clientID == "sched-1" && plain.properties["compression.type"] == "zstd")
        let overridden = try KafkaConfiguration(file: file, environment: ["KAFKA_BOOTSTRAP_SERVERS": "env:9092"])
        #expect(overridden.bootstrapServers == "env:9092" && overridden.clientID == "sched-1")
    }

    @Test func environmentOverridesApplyWithoutBootstrapServers() throws {
        let file = try JSONDecoder().decode(
            KafkaConfiguration.File.self,
            from: Data(#"{"bootstrapServers":"file:9092","sasl":{"username":"svc","password":""},"tls":{"caLocation":"/ca.pem"}}"#.utf8))
        let merged = try KafkaConfiguration(
            file: file,
            environment: [
                "KAFKA_SASL_PASSWORD": "from-secret", "KAFKA_SSL_KEY_PASSWORD": "key-secret", "KAFKA_PROPERTY_LINGER_MS": "20",
                "KAFKA_PROPERTY_LOG__LEVEL": "6", "KAFKA_CONSUMER_PROPERTY_SESSION_TIMEOUT_MS": "9000",
            ])
        #expect(merged.bootstrapServers == "file:9092")
        #expect(merged.sasl == .init(username: "svc", password: "from-secret"))
        #expect(merged.tls == .init(caLocation: "/ca.pem", keyPassword: "key-secret"))
        #expect(merged.properties == ["linger.ms": "20", "log_level": "6"])
        #expect(merged.consumerProperties == ["session.timeout.ms": "9000"])
        let plain = try JSONDecoder().decode(KafkaConfiguration.File.self, from: Data(#"{"bootstrapServers":"file:9092"}"#.utf8))
        #expect(throws: KafkaError.self, "a password needs a username, from either source") {
            try KafkaConfiguration(file: plain, environment: ["KAFKA_SASL_PASSWORD": "p"])
        }
    }

    @Test func nestedValuesAndDumpsRedactSecrets() throws {
        let configuration = KafkaConfiguration(
            bootstrapServers: "b:9093", sasl: .init(username: "svc-user", password: "pa55word"), tls: .init(keyPassword: "key-pa55"),
            properties: ["sasl.oauthbearer.client.secret": "oauth-s3cret"])
        let file = try JSONDecoder().decode(
            KafkaConfiguration.File.self,
            from: Data(
                #"{"bootstrapServers":"b:9093","sasl":{"username":"svc-user","password":"pa55word"},"tls":{"keyPassword":"key-pa55"},"properties":{"ssl.key.password":"oauth-s3cret"}}"#
                    .utf8))
        let sasl = try #require(configuration.sasl), tls = try #require(configuration.tls), fileSASL = try #require(file.sasl),
            fileTLS = try #require(file.tls)
        var dumps = ["\(sasl)", String(reflecting: tls), "\(file)", String(reflecting: fileSASL), "\(fileTLS)"]
        for value in [configuration as Any, file as Any] {
            var text = ""
            dump(value, to: &text)
            dumps.append(text)
        }
        for text in dumps {
            #expect(!["svc-user", "pa55word", "key-pa55", "oauth-s3cret"].contains { text.contains($0) }, "\(text)")
        }
        #expect(dumps[0].contains("SCRAM-SHA-512"), "what is not secret stays readable")
    }

    @Test func librdkafkaRefusesABadPropertyWithItsName() {
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "localhost:1", properties: ["linger.ms": "soon"]))
        } throws: { error in
            (error as? KafkaError)?.message.hasPrefix("linger.ms:") == true
        }
    }
}
