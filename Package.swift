// swift-tools-version: 6.1
import PackageDescription

/// Trace encoding, scanning and analysis run per event at millions of events per second:
/// release builds skip the dynamic exclusivity checks there (debug builds and tests keep them).
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// The core and its simulator run optimized in debug builds too (see RaftCore's target).
let simulationSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "raftlab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "RaftCore", targets: ["RaftCore"]),
        .library(name: "RaftTrace", targets: ["RaftTrace"]),
        .executable(name: "raftlab", targets: ["raftlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The protocol as a pure state machine: standard library only. Optimized even in debug
        // builds (preconditions stay; RaftCore has no `assert`): the simulators check every
        // invariant after every step, and `swift test` runs millions of steps.
        .target(name: "RaftCore", swiftSettings: simulationSettings),
        // Deterministic in-memory clusters: hand-driven scenarios and seeded random schedules.
        .target(name: "RaftSim", dependencies: ["RaftCore"], swiftSettings: simulationSettings),
        // The exhaustive model checker (generic BFS/DFS over a `Model`) and the Raft model.
        // Optimized even in debug builds, so `swift test` can explore millions of states.
        // A prefetch hint for the checker's visited set (Swift has no prefetch intrinsic).
        .target(name: "CPrefetch"),
        .target(name: "RaftCheck", dependencies: ["RaftCore", "CPrefetch"],
                swiftSettings: [.unsafeFlags(["-O", "-wmo", "-num-threads", "2"], .when(configuration: .debug))]),
        // zlib from the system (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // ISA-L's igzip deflate from the system (Debian: libisal-dev): the trace compressor process.
        .systemLibrary(name: "CIsal", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // Debug-build checks that an object taking one caller at a time gets one.
        .target(name: "SerialAccess"),
        // The trace format: event schema, gzip JSON-lines writer and streaming reader.
        .target(name: "RaftTrace", dependencies: ["CZlib", "CIsal", "SerialAccess"], swiftSettings: hotPathSettings),
        // RaftCore's trace events as trace lines: one mapping for every driver.
        .target(name: "RaftCoreTrace", dependencies: ["RaftCore", "RaftTrace"]),
        // Seeded simulated runs written as run directories.
        .target(name: "RaftTraceSim", dependencies: ["RaftCore", "RaftSim", "RaftTrace", "RaftCoreTrace"]),
        // The library a user embeds: `Raft`, transports, durable storage, timers, trace writing.
        .target(
            name: "RaftRuntime",
            dependencies: [
                "RaftCore", "RaftTrace", "RaftCoreTrace", "CZlib", "SerialAccess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Hostile peers: real messages of a simulated run, mutated (the live-node test, the
        // fuzz target's seed corpus), and what one fuzz input does.
        .target(name: "RaftFuzz", dependencies: ["RaftCore", "RaftSim", "RaftRuntime", "SerialAccess", .product(name: "NIOCore", package: "swift-nio")]),
        // The fuzz target: libFuzzer's entry point over RaftFuzz (scripts/fuzz.sh builds it with
        // -sanitize=fuzzer); built normally, a replay tool for its inputs (docs/FUZZING.md).
        .executableTarget(name: "raftlab-fuzz", dependencies: ["RaftFuzz"]),
        // `raftlab analyze`: timeline, offline safety checks, statistics, reports and exports.
        // Linearizability of client histories (Wing & Gong's search with memoization, as
        // Porcupine does it), key by key for the key-value store. Standard library only.
        .target(name: "Linearizability", dependencies: ["RaftKV"], swiftSettings: simulationSettings),
        // The replicated key-value store's state machine: commands, client sessions, snapshots.
        // Standard library only; `raftlab kv` and Examples/kv run it on the public Raft API.
        .target(name: "RaftKV"),
        // The store on a node: its `StateMachine` and a client session over `RaftSession`.
        .target(name: "RaftKVServer", dependencies: ["RaftKV", "RaftRuntime", "RaftCore"]),
        .target(name: "RaftAnalyze", dependencies: ["RaftTrace", .product(name: "Histogram", package: "hdrhistogram-swift")],
                swiftSettings: hotPathSettings),
        // The lab: node processes, the `up` launcher, client workloads, chaos experiments.
        .target(
            name: "RaftLab",
            dependencies: [
                "RaftCore", "RaftRuntime", "RaftTrace", "RaftAnalyze", "LoopbackHTTP", "SerialAccess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // The alert rules `up` installs in each run: Dashboards/alerts.yml (a symlink here).
            resources: [.embedInCode("Prometheus/alerts.yml")]
        ),
        // `raftlab explore`: the Raft model in a browser (page, JSON API, background search), 127.0.0.1 only.
        .target(
            name: "RaftExplore",
            dependencies: [
                "RaftCheck", "RaftCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // The page as HTML, CSS and JavaScript files, embedded in the binary.
            resources: [.embedInCode("Page/explorer.html"), .embedInCode("Page/explorer.js"),
                        .embedInCode("Page/diagram.js"), .embedInCode("Page/explorer.css")]
        ),
        // Loopback helpers: free 127.0.0.1 ports, and a tiny blocking HTTP client for servers
        // there (Prometheus readiness, tests).
        .target(name: "LoopbackHTTP"),
        // The benchmarks behind `raftlab bench` (the README's "Measured" figures), apart from
        // the libraries they measure; they reach internals through `package` access.
        .target(
            name: "RaftBench",
            dependencies: [
                "RaftCore", "RaftSim", "RaftTrace", "RaftRuntime", "RaftLab", "RaftFuzz", "LoopbackHTTP", "Linearizability", "RaftKV",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // raft-lite's dinner example: three guests agree on one restaurant.
        .executableTarget(name: "dinner", dependencies: ["RaftRuntime"], path: "Examples/dinner"),
        // A replicated key-value store on the public API: operations, a retry, a restart.
        .executableTarget(name: "kv", dependencies: ["RaftRuntime", "RaftKV", "RaftKVServer"], path: "Examples/kv"),
        // The command-line tool: parsing and printing only.
        .executableTarget(
            name: "raftlab",
            dependencies: [
                "RaftCore", "RaftSim", "RaftTrace", "RaftCheck", "RaftAnalyze", "RaftTraceSim", "RaftCoreTrace", "RaftRuntime", "RaftLab", "RaftExplore", "RaftFuzz", "RaftBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The turn that long and deadline-bound tests take, shared by every test target.
        .target(name: "TestGate", path: "Tests/TestGate"),
        .testTarget(name: "RaftCoreTests", dependencies: ["RaftCore", "RaftSim", "TestGate"]),
        .testTarget(name: "RaftKVTests", dependencies: ["RaftKV", "RaftKVServer", "RaftRuntime", "RaftCore"]),
        .testTarget(name: "LinearizabilityTests", dependencies: ["Linearizability", "RaftKV", "RaftCore"]),
        .testTarget(name: "RaftCheckTests", dependencies: ["RaftCheck", "RaftCore", "TestGate"]),
        .testTarget(name: "RaftTraceTests", dependencies: ["RaftTrace", "TestGate"]),
        .testTarget(name: "RaftLabTests", dependencies: ["RaftLab", "RaftRuntime", "RaftCore", "RaftTrace", "LoopbackHTTP", "TestGate"]),
        .testTarget(
            name: "RaftRuntimeTests",
            dependencies: [
                "RaftRuntime", "RaftCore", "RaftTrace", "LoopbackHTTP", "RaftFuzz", "TestGate", "SerialAccess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "RaftExploreTests", dependencies: ["RaftExplore", "RaftCheck", "RaftCore", "LoopbackHTTP", "TestGate"]),
        .testTarget(name: "RaftAnalyzeTests", dependencies: ["RaftAnalyze", "RaftTrace", "RaftTraceSim", "RaftCore", "RaftCoreTrace", "TestGate"]),
    ]
)
