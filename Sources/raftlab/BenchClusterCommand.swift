import ArgumentParser
import Foundation
import RaftBench
import RaftLab
import RaftRuntime

/// `raftlab bench cluster`: throughput and latency of real node processes.
struct BenchClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Commit throughput and latency of a real cluster of node processes (fsync on).",
        discussion: """
        For each cluster size and client count: start the nodes, run closed-loop clients for a
        one-second warm-up and then --seconds, and print commits/s, client latency p50/p99
        (proposal to commit acknowledgement) and the nodes' peak memory. Build with -c release.

        Example:
          swift run -c release raftlab bench cluster --nodes 3,5 --clients 1,16,64 --seconds 5
        """
    )

    @Option(help: "Cluster sizes, comma-separated.") var nodes = "3,5"
    @Option(help: "Closed-loop client counts, comma-separated.") var clients = "1,16,64"
    @Option(help: "Seconds measured per configuration.") var seconds = 5.0
    @Option(help: "Payload bytes per request.") var payload = 64
    @Flag(help: "Skip fsync (measures its cost).") var noFsync = false
    @Flag(help: "Also run each configuration with node traces off (measures tracing's cost).") var compareTraces = false
    @Flag(help: "Also run each configuration with the nodes' metrics off (measures their cost).") var compareMetrics = false
    @Flag(help: "Also run each configuration in the order before issue 13, where every request left before the batch's write (measures what the new order costs).")
    var compareOrder = false
    @Option(name: .customLong("repeat"), help: "Runs of each configuration and variant (paired: the variants of one repetition run back to back).")
    var repetitions: Int = 1
    @Option(help: "Directory for the runs' files (removed after each run).") var traces = "traces"

    func numbers(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--\(name) takes positive integers separated by commas, got '\(text)'")
        }
        return values.map { $0! }
    }

    func validate() throws {
        _ = try numbers(nodes, "nodes")
        _ = try numbers(clients, "clients")
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard (1...100).contains(repetitions) else { throw ValidationError("--repeat must be in 1...100, got \(repetitions)") }
    }

    func run() async throws {
        var variants: [ClusterBenchmark.Variant] = []
        for traced in compareTraces ? [true, false] : [true] {
            for metered in compareMetrics ? [true, false] : [true] {
                for oldOrder in compareOrder ? [true, false] : [false] {
                    variants.append(ClusterBenchmark.Variant(traces: traced, metrics: metered, oldOrder: oldOrder))
                }
            }
        }
        print(ClusterBenchmark.header)
        let rows = try await ClusterBenchmark.run(nodeCounts: try numbers(nodes, "nodes"), clientCounts: try numbers(clients, "clients"),
                                                  seconds: seconds, payloadBytes: payload, fsync: !noFsync, variants: variants,
                                                  repetitions: repetitions, root: traces) { print(ClusterBenchmark.line($0)) }
        if variants.count > 1 || repetitions > 1 {
            print("")
            for line in ClusterBenchmark.summary(rows, variants: variants) { print(line) }
        }
        // The floor under one client's commit latency on this disk, measured now: a commit
        // waits for the leader's and a follower's fsync of the entry.
        let directory = traces + "/bench-fsync-floor-\(UInt32.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if !noFsync, let floor = try? StorageBenchmark.run(directory: directory, batches: 300, entriesPerBatch: 1, payloadBytes: payload) {
            print("floor: one \(floor.batchBytes)-byte append + fdatasync p50 \(floor.commitUs.p50) µs, p99 \(floor.commitUs.p99) µs "
                  + "(one client cannot beat two of them in a row: ~\(1_000_000 / max(1, 2 * floor.commitUs.p50)) commits/s)")
        }
    }
}

/// `raftlab bench recovery`: how soon a restarted follower hears from its leader.
struct BenchRecoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Kill and restart a follower again and again; print how soon it hears from the leader.",
        discussion: """
        A cluster of node processes under a light workload. Each round kills a follower with
        kill -9, leaves it down for --down seconds (long enough for the leader's reconnection
        backoff to grow), starts it again, and measures from the moment it answers a status
        request to the first status that names the leader. Prints p50, p99 and max.

        Example:
          swift run -c release raftlab bench recovery --restarts 30
        """
    )

    @Option(help: "Nodes in the cluster.") var nodes = 3
    @Option(help: "Restarts measured.") var restarts = 30
    @Option(help: "Seconds a follower stays down before its restart.") var down = 1.5
    @Option(help: "Directory for the run's files (removed afterwards).") var traces = "traces"

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be in 3...9, got \(nodes)") }
        guard (1...1000).contains(restarts) else { throw ValidationError("--restarts must be in 1...1000, got \(restarts)") }
        guard down >= 0 && down <= 60 else { throw ValidationError("--down must be in 0...60 seconds, got \(down)") }
    }

    func run() async throws {
        let report = try await PeerRecoveryBenchmark.run(nodes: nodes, restarts: restarts, downSeconds: down, root: traces) { print($0) }
        print(report)
    }
}

/// `raftlab bench stall`: what a paused follower costs the leader's memory.
struct BenchStallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stall",
        abstract: "Pause a follower (SIGSTOP) under load; print the leader's memory against its calm value.",
        discussion: """
        Node processes under closed-loop clients: a calm phase, then one follower paused for
        --paused seconds (its connections stay open and fill up) and the leader killed, so
        the new leader probes the paused follower all along; then the follower resumes. Prints
        the new leader's RSS when it took over and at its peak, the commit rates and whether
        the follower caught up. A control run with the same phases and no pause comes first:
        the whole log stays in memory (no snapshots yet), so a leader grows under load anyway,
        and the stall's cost is the difference.

        Example:
          swift run -c release raftlab bench stall --nodes 5 --clients 64 --paused 60
        """
    )

    @Option(help: "Nodes in the cluster.") var nodes = 5
    @Option(help: "Closed-loop clients.") var clients = 64
    @Option(help: "Seconds of calm before the pause.") var calm = 10
    @Option(help: "Seconds the follower stays paused.") var paused = 60
    @Option(help: "Payload bytes per request.") var payload = 64
    @Option(help: "Directory for the run's files (removed afterwards).") var traces = "traces"

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be in 3...9, got \(nodes)") }
        guard clients >= 1, calm >= 1, paused >= 1 else { throw ValidationError("--clients, --calm and --paused must be positive") }
    }

    func run() async throws {
        var reports: [StalledPeerBenchmark.Report] = []
        for pauses in [false, true] {
            let report = try await StalledPeerBenchmark.run(nodes: nodes, clients: clients, payloadBytes: payload, calmSeconds: calm,
                                                            pausedSeconds: paused, pauses: pauses, root: traces) { print($0) }
            print(report)
            reports.append(report)
        }
        print(String(format: "the stall's own cost: %+.1f MiB of leader RSS (paused growth %+.1f MiB against control growth %+.1f MiB)",
                     reports[1].growthMiB - reports[0].growthMiB, reports[1].growthMiB, reports[0].growthMiB))
    }
}

/// `raftlab bench transfer`: how fast leadership moves on request.
struct BenchTransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Hand leadership round a cluster of node processes; print how soon each new leader leads and commits.",
        discussion: """
        Node processes (fsync on) under a light closed-loop workload; again and again the \
        leader is asked to hand over to the next member (`raftlab leader transfer`). Each \
        sample runs from the request to the first status in which the target leads, and to \
        the first proposal it commits. Prints p50, p90, p99 and max.

        Example:
          swift run -c release raftlab bench transfer --nodes 5 --transfers 30
        """
    )

    @Option(help: "Nodes in the cluster.") var nodes = 5
    @Option(help: "Transfers measured.") var transfers = 30
    @Option(help: "Directory for the run's files (removed afterwards).") var traces = "traces"

    func validate() throws {
        guard (2...9).contains(nodes) else { throw ValidationError("--nodes must be in 2...9, got \(nodes)") }
        guard (1...1000).contains(transfers) else { throw ValidationError("--transfers must be in 1...1000, got \(transfers)") }
    }

    func run() async throws {
        let report = try await TransferBenchmark.run(nodes: nodes, transfers: transfers, root: traces) { print($0) }
        print(report)
    }
}

/// `raftlab bench catchup`: a follower that missed a long stretch of the log comes back.
struct BenchCatchUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catchup",
        abstract: "Kill a follower, commit many entries without it, start it again; print how long it takes to catch up.",
        discussion: """
        Node processes (fsync on) that snapshot every --snapshot-every entries (0: never, the \
        log is replayed entry by entry). One follower is killed, the others commit --entries \
        entries under 64 closed-loop clients, and the follower is started again; the figure \
        runs from its start to the status showing it committed everything.

        Example:
          swift run -c release raftlab bench catchup --entries 1000000 --snapshot-every 100000
        """
    )

    @Option(help: "Entries committed while the follower is down.") var entries = 1_000_000
    @Option(help: "Nodes snapshot every this many entries (0: never).") var snapshotEvery = 100_000
    @Option(help: "Directory for the run's files (removed afterwards).") var traces = "traces"

    func validate() throws {
        guard entries >= 1 else { throw ValidationError("--entries must be at least 1, got \(entries)") }
        guard snapshotEvery >= 0 else { throw ValidationError("--snapshot-every must be 0 (never) or more, got \(snapshotEvery)") }
    }

    func run() async throws {
        let report = try await CatchUpBenchmark.run(entries: entries, snapshotEvery: snapshotEvery == 0 ? nil : snapshotEvery,
                                                    root: traces) { print($0) }
        print(report)
    }
}

/// `raftlab bench soak`: memory, disk and restart time over a long life under steady load.
struct BenchSoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run a snapshotting cluster under open-loop load for a long time; print memory, disk and restart times.",
        discussion: """
        Node processes (fsync on) that snapshot every --snapshot-every entries, under an \
        open-loop load of --rate requests/s for --minutes. Every --sample-every seconds each \
        node's RSS, private memory (RssAnon) and data directory size are read; every \
        --restart-every seconds a follower is killed (kill -9) and started again, timed to its \
        first status answer (its snapshot and log loaded) and to catching up. The first restart, \
        right after start, has almost nothing to load: it is the floor. The leader is never \
        restarted; its memory trend over the second half of the run is printed per hour.

        Example:
          swift run -c release raftlab bench soak --minutes 30 --rate 5000 --snapshot-every 10000
        """
    )

    @Option(help: "Nodes in the cluster.") var nodes = 3
    @Option(help: "Length of the run in minutes.") var minutes = 30.0
    @Option(help: "Requests per second, open loop.") var rate = 5000.0
    @Option(help: "Nodes snapshot every this many entries.") var snapshotEvery = 10_000
    @Option(help: "Seconds between two readings of every node.") var sampleEvery = 5.0
    @Option(help: "Seconds between two follower restarts.") var restartEvery = 180.0
    @Option(help: "Directory for the run's files (removed afterwards).") var traces = "traces"

    func validate() throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be in 3...9, got \(nodes)") }
        guard minutes > 0 else { throw ValidationError("--minutes must be above 0, got \(minutes)") }
        guard rate >= 1 else { throw ValidationError("--rate must be at least 1, got \(rate)") }
        guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1, got \(snapshotEvery)") }
        guard sampleEvery >= 0.5 else { throw ValidationError("--sample-every must be at least 0.5 s, got \(sampleEvery)") }
        guard restartEvery >= 5 else { throw ValidationError("--restart-every must be at least 5 s, got \(restartEvery)") }
    }

    func run() async throws {
        let report = try await LongRunBenchmark.run(nodes: nodes, minutes: minutes, ratePerSecond: rate, snapshotEvery: snapshotEvery,
                                                    sampleSeconds: sampleEvery, restartEverySeconds: restartEvery,
                                                    root: traces) { print($0) }
        print(report)
    }
}
