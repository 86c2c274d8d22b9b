// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "raftlab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RaftCore", targets: ["RaftCore"]),
        .executable(name: "raftlab", targets: ["raftlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The protocol as a pure state machine: standard library only.
        .target(name: "RaftCore"),
        // Deterministic in-memory clusters: hand-driven scenarios and seeded random schedules.
        .target(name: "RaftSim", dependencies: ["RaftCore"]),
        // The command-line tool: parsing and printing only.
        .executableTarget(
            name: "raftlab",
            dependencies: [
                "RaftCore", "RaftSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore", "RaftSim"]),
    ]
)
