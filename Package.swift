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
    ],
    targets: [
        // MARK: Pure core: Foundation only, no I/O.
        .target(name: "SchedulingCore"),
        .target(name: "SagaCore"),

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

        // MARK: Adapters.
        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        .target(name: "ICalendar", dependencies: ["CLibical", "SchedulingCore"]),

        // MARK: The command-line entry point: argument parsing only.
        .executableTarget(
            name: "scheduler",
            dependencies: [
                "SchedulingCore", "Kafka", "ICalendar",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Test support and benchmarks.
        .target(name: "SchedulerTesting", dependencies: ["SchedulingCore"]),
        .executableTarget(
            name: "SlotFinderBenchmark",
            dependencies: ["SchedulingCore", "SchedulerTesting"],
            path: "benchmarks/SlotFinderBenchmark"
        ),

        .testTarget(name: "SchedulingCoreTests", dependencies: ["SchedulingCore", "SchedulerTesting"]),
        .testTarget(name: "SagaCoreTests", dependencies: ["SagaCore"]),
        .testTarget(name: "SchedulerCLITests", dependencies: ["SchedulerTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
