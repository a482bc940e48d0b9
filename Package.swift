// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Server-side modules are compiled with full cross-module optimization in release builds: the consensus core is
/// generic over its payload, and without it the replica runs the unspecialized code (about 19% fewer writes/s in a
/// three-server ensemble). Not on the client library and what it uses, which other packages may depend on (they
/// cannot have unsafe flags).
let server: [SwiftSetting] = strict + [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "Aviary",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aviary-server", targets: ["aviary-server"]),
        .library(name: "AviaryWire", targets: ["AviaryWire"]),
        .library(name: "AviaryClient", targets: ["AviaryClient"]),
        .executable(name: "aviary-cli", targets: ["aviary-cli"]),
        .executable(name: "aviary-bench", targets: ["aviary-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(
            name: "AviaryWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: server
        ),
        .target(
            name: "AviaryDataTree",
            dependencies: [
                "AviaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: server
        ),
        .target(
            name: "AviaryConsensus",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: server
        ),
        .testTarget(
            name: "AviaryConsensusTests",
            dependencies: ["AviaryConsensus", "AviarySimulator"],
            swiftSettings: strict
        ),
        .target(
            name: "AviarySimulator",
            dependencies: [
                "AviaryConsensus", "AviaryReplica", "AviaryDataTree", "AviaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: server
        ),
        .executableTarget(
            name: "aviary-sim",
            dependencies: ["AviarySimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .target(
            name: "AviaryReplica",
            dependencies: [
                "AviaryWire", "AviaryDataTree", "AviaryConsensus",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: server
        ),
        .target(
            name: "AviaryTLS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: server
        ),
        .testTarget(
            name: "AviaryTLSTests",
            dependencies: [
                "AviaryTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AviaryTransport",
            dependencies: [
                "AviaryWire", "AviaryTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: server
        ),
        .testTarget(
            name: "AviaryTransportTests",
            dependencies: [
                "AviaryTransport", "AviaryWire", "AviaryTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AviaryClient",
            dependencies: [
                "AviaryWire",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AviaryServer",
            dependencies: [
                "AviaryWire", "AviaryDataTree", "AviaryReplica", "AviaryTransport", "AviaryStorage", "AviaryTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: server
        ),
        .executableTarget(
            name: "aviary-server",
            dependencies: [
                "AviaryServer", "AviaryTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryWireTests",
            dependencies: ["AviaryWire", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryDataTreeTests",
            dependencies: ["AviaryDataTree", "AviaryWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryReplicaTests",
            dependencies: [
                "AviaryReplica", "AviaryDataTree", "AviaryWire", "AviaryConsensus",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryServerTests",
            dependencies: [
                "AviaryServer", "AviaryStorage", "AviaryTLS", "AviaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryClientTests",
            dependencies: [
                "AviaryClient", "AviaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ArchitectureTests",
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "AviaryStorage",
            dependencies: [
                "AviaryWire", "AviaryDataTree", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: server
        ),
        .testTarget(
            name: "AviaryStorageTests",
            dependencies: [
                "AviaryStorage", "AviaryDataTree", "AviaryWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        // Client-side tools: the zkCli-compatible shell and the load generator.
        .systemLibrary(
            name: "CEditLine",
            path: "Sources/CEditLine",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .target(
            name: "AviaryShell",
            dependencies: [
                "AviaryClient", "CEditLine",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "aviary-cli",
            dependencies: ["AviaryShell", "AviaryClient", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryShellTests",
            dependencies: ["AviaryShell", "AviaryClient"],
            swiftSettings: strict
        ),
        .target(
            name: "AviaryBench",
            dependencies: [
                "AviaryClient",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AviaryBenchTests",
            dependencies: ["AviaryBench"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "aviary-bench",
            dependencies: ["AviaryBench", "AviaryClient", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
    ]
)
