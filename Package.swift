// swift-tools-version: 6.2
import PackageDescription

/// One list of Swift settings for every target (STYLE.md): Swift 6 language mode is the default for
/// tools 6.x; warnings are errors everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "jump-relay",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JumpKafka", targets: ["JumpKafka"]),
        .library(name: "JumpEvents", targets: ["JumpEvents"]),
        .library(name: "JumpPublishing", targets: ["JumpPublishing"]),
        .executable(name: "jump-dev-broker", targets: ["jump-dev-broker"]),
        .executable(name: "jump-producer", targets: ["jump-producer"]),
        .executable(name: "jump-consumer", targets: ["jump-consumer"]),
        .executable(name: "jump-kafka-bench", targets: ["jump-kafka-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "JumpKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpEvents",
            swiftSettings: swiftSettings
        ),
        .target(name: "CStandardStreams"),
        .target(
            name: "JumpCommandLine",
            dependencies: [
                "CStandardStreams", "JumpEvents", "JumpKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpPublishing",
            dependencies: [
                "JumpCommandLine",
                "JumpEvents",
                "JumpKafka",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpState",
            dependencies: [
                "JumpEvents",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpDigests",
            dependencies: [
                "JumpEvents",
                "JumpKafka",
                "JumpState",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpWorker",
            dependencies: [
                "JumpDigests",
                "JumpEvents",
                "JumpKafka",
                "JumpState",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpConsole",
            dependencies: [
                "JumpDigests",
                "JumpEvents",
                "JumpKafka",
                "JumpState",
                "JumpWorker",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpService",
            dependencies: [
                "JumpCommandLine",
                "JumpConsole",
                "JumpEvents",
                "JumpKafka",
                "JumpPublishing",
                "JumpState",
                "JumpWorker",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jump-producer",
            dependencies: [
                "JumpCommandLine",
                "JumpEvents",
                "JumpKafka",
                "JumpPublishing",
                "JumpService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jump-consumer",
            dependencies: [
                "JumpCommandLine",
                "JumpDigests",
                "JumpEvents",
                "JumpKafka",
                "JumpService",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "JumpState",
                "JumpWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jump-dev-broker",
            dependencies: [
                "JumpCommandLine",
                "JumpKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "jump-kafka-bench",
            dependencies: [
                "JumpKafka", "JumpState", "JumpEvents",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/jump-kafka-bench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "JumpTestSupport",
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpEndToEndTests",
            dependencies: ["JumpEvents", "JumpKafka", "JumpState", "JumpTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpWorkerTests",
            dependencies: [
                "JumpWorker", "JumpState", "JumpKafka", "JumpEvents", "JumpTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpDigestsTests",
            dependencies: [
                "JumpDigests", "JumpState", "JumpEvents", "JumpTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpStateTests",
            dependencies: [
                "JumpState", "JumpEvents", "JumpTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpPublishingTests",
            dependencies: ["JumpPublishing", "JumpCommandLine", "JumpEvents"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpEventsTests",
            dependencies: ["JumpEvents", "JumpTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpServiceTests",
            dependencies: [
                "JumpService", "JumpCommandLine", "JumpConsole", "JumpKafka", "JumpEvents", "JumpState", "JumpWorker",
                "JumpTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JumpKafkaTests",
            dependencies: [
                "JumpKafka",
                "JumpTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
