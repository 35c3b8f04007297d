// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "interview-scheduler",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "scheduler", targets: ["scheduler"]),
        .library(name: "SchedulingCore", targets: ["SchedulingCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // Up to the next minor only: PostgresStore also uses the underscored `_ConnectionPoolModule`.
        .package(url: "https://github.com/vapor/postgres-nio", .upToNextMinor(from: "1.33.0")),
    ],
    targets: [
        // MARK: Pure core: Foundation only, no I/O.
        .target(name: "SchedulingCore"),
        .target(name: "SagaCore"),
        .target(name: "Events", dependencies: ["SchedulingCore", "SagaCore"]),

        // MARK: C libraries, each seen by exactly one Swift adapter.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CLibical",
            pkgConfig: "libical",
            providers: [.apt(["libical-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: Adapters.
        // Group commit for SQLite: concurrent writers share one transaction (the saga store, the local calendar).
        .target(name: "GroupCommit", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "SagaStore",
            dependencies: [
                "SagaCore", "GroupCommit", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // The saga store's second backend: several instances over one PostgreSQL database.
        .target(
            name: "PostgresStore",
            dependencies: [
                "SagaCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                // For `ConnectionPoolError` only: the pool's own errors (its circuit breaker, open
                // while the server cannot be reached) are not mapped to `PSQLError`.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "SagaEngine",
            dependencies: [
                "SagaCore", "SagaStore", "Yams",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "Kafka", dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]),
        .target(name: "ICalendar", dependencies: ["CLibical", "SchedulingCore"]),
        // E-mail: the message format and the delivery port (Foundation only), and SMTP over libcurl.
        .target(name: "Mail", dependencies: ["SchedulingCore", .product(name: "Logging", package: "swift-log")]),
        .target(name: "SMTP", dependencies: ["CCurl", "Mail", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "CalendarProviders",
            dependencies: [
                "SchedulingCore", "SagaCore", "ICalendar", "Yams", "GroupCommit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "SagaCore",
                "Kafka", "Events", "SagaEngine", "SagaStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        .target(
            name: "InterviewScheduling",
            dependencies: [
                "SchedulingCore", "SagaCore", "SagaEngine", "SagaStore", "Events", "ICalendar", "CalendarProviders", "Mail", "PostgresStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        .target(
            name: "SchedulerHTTP",
            dependencies: [
                "CalendarProviders", .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                // The use cases, not the sagas: no SagaCore, SagaEngine or SagaStore here.
                "InterviewScheduling", "SchedulingCore", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),

        .target(
            name: "SchedulerRuntime",
            dependencies: [
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "SagaCore", "SchedulingCore",
                "SchedulerHTTP", "InterviewScheduling", "Messaging", "Kafka", "Events", "ICalendar", "CalendarProviders", "SagaEngine", "SagaStore",
                "PostgresStore",
                "Mail", "SMTP", "Yams",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // MARK: The command-line entry point: argument parsing only.
        .executableTarget(
            name: "scheduler",
            dependencies: [
                "SagaCore", "SagaStore", "PostgresStore",
                "SchedulingCore", "SagaEngine", "Messaging", "Kafka", "ICalendar", "CalendarProviders", "InterviewScheduling", "SchedulerRuntime",
                "SchedulerHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // MARK: Test support and benchmarks.
        .target(
            name: "SchedulerTesting", dependencies: ["SagaCore", .product(name: "Logging", package: "swift-log"), "SchedulingCore", "SagaEngine"]),
        // Swift Testing traits the test targets share (kept out of SchedulerTesting, which benchmarks link).
        .target(name: "SchedulerTestScopes"),
        .executableTarget(
            name: "SlotFinderBenchmark",
            dependencies: ["SchedulingCore", "SchedulerTesting"],
            path: "benchmarks/SlotFinderBenchmark"
        ),

        .executableTarget(
            name: "SagaEngineBenchmark",
            dependencies: ["SagaCore", "SagaStore", "SagaEngine", .product(name: "GRDB", package: "GRDB.swift")],
            path: "benchmarks/SagaEngineBenchmark"
        ),

        .executableTarget(
            name: "SagaStoreBackendsBenchmark",
            dependencies: [
                "SagaCore", "SagaStore", "SagaEngine", "PostgresStore", "SchedulerTesting", .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "benchmarks/SagaStoreBackendsBenchmark"
        ),

        .executableTarget(
            name: "KafkaPipelineBenchmark",
            dependencies: [
                "Events", "Kafka", "SagaCore", "SagaEngine", "SagaStore", "Messaging", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "benchmarks/KafkaPipelineBenchmark"
        ),

        .executableTarget(
            name: "ServiceBenchmark",
            dependencies: ["Kafka", "Messaging"],
            path: "benchmarks/ServiceBenchmark"
        ),

        .executableTarget(
            name: "ICalendarBenchmark",
            dependencies: ["SchedulingCore", "ICalendar"],
            path: "benchmarks/ICalendarBenchmark"
        ),

        .testTarget(name: "SchedulingCoreTests", dependencies: ["SchedulingCore", "SchedulerTesting"]),
        .testTarget(name: "SagaCoreTests", dependencies: ["SagaCore", "SchedulerTesting"]),
        .testTarget(
            name: "SagaStoreTests", dependencies: ["SagaStore", "SagaCore", "SchedulerTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "SagaStore", "SagaCore", "SagaEngine", "SchedulerTesting", "InterviewScheduling", "SchedulingCore",
                "Messaging", "Kafka", "Events", "SchedulerTestScopes", "CalendarProviders", "ICalendar", "Mail",
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "EventsTests", dependencies: ["Events", "SchedulingCore", "SagaCore"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "SMTP", "SchedulerTesting"]),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Events", "Kafka", "SagaCore", "SagaEngine", "SagaStore", .product(name: "Logging", package: "swift-log"), "Messaging",
                "SchedulerTesting", "SchedulerTestScopes", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "CalendarProvidersTests",
            dependencies: [
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                "ICalendar", "SagaCore", "SagaStore", "SchedulingCore", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                "CalendarProviders", "SchedulerTesting", "SagaEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .testTarget(
            name: "ICalendarTests", dependencies: ["SchedulingCore", "ICalendar", "SchedulerTesting"], exclude: ["CORPUS-DIFFERENCES.md"]),
        .testTarget(
            name: "SagaEngineTests",
            dependencies: ["SagaCore", "SagaStore", "SagaEngine", "SchedulerTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(
            name: "LibicalBurstHarness",
            dependencies: ["CLibical", "ICalendar", "SchedulingCore"],
            path: "Tests/LibicalBurstHarness"
        ),
        .executableTarget(
            name: "SagaCrashHarness",
            dependencies: ["SagaCore", "SagaStore", "SagaEngine", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/SagaCrashHarness"
        ),
        .testTarget(
            name: "InterviewSchedulingTests",
            dependencies: [
                "InterviewScheduling", "SchedulerTesting", "CalendarProviders", "SagaCore", "SagaEngine", "SagaStore", "Events", "SchedulingCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "SchedulerRuntimeTests",
            dependencies: [
                "SagaCore",
                "SchedulerRuntime", "SchedulerTesting", "CalendarProviders", "Events", "SchedulingCore", "SMTP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ServiceEndToEndTests",
            dependencies: [
                "SagaStore", "SchedulerTesting", "SchedulerTestScopes", "CalendarProviders", "SchedulingCore", "Events", "InterviewScheduling",
                "PostgresStore", "Messaging", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "SchedulerCLITests",
            dependencies: [
                "SagaCore", "SagaStore", "SchedulerTesting", "SagaEngine", "InterviewScheduling", "PostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "SchedulerHTTPTests",
            dependencies: [
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "SchedulerHTTP", "InterviewScheduling", "SchedulerTesting", "CalendarProviders", "SagaCore", "SagaEngine", "SagaStore",
                "SchedulingCore", "Mail", "SMTP", .product(name: "Logging", package: "swift-log"),
                "Events", "Yams", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every import names a declared dependency and says how far it is re-exported (as Hummingbird does).
for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
        ]
}
