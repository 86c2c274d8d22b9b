import ArgumentParser
import Foundation
import RaftBench
import RaftRuntime

/// `raftlab bench storage`: group-commit latency and replay speed of the durable log.
struct BenchStorageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Durable log: commit (write + fdatasync) latency per batch and replay speed.",
        discussion: """
        Example:
          swift run -c release raftlab bench storage --batches 2000 --entries 16 --payload 256
        """
    )

    @Option(help: "Batches committed.") var batches = 2000
    @Option(help: "Entries per batch.") var entries = 1
    @Option(help: "Payload bytes per entry.") var payload = 4096
    @Flag(help: "Skip fdatasync.") var noFsync = false
    @Option(help: "Scratch directory (removed afterwards).") var directory = FileManager.default.temporaryDirectory.path + "/raftlab-bench-storage"

    func validate() throws {
        guard batches >= 1, entries >= 1, payload >= 0 else { throw ValidationError("--batches and --entries must be positive, --payload not negative") }
    }

    func run() throws {
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print(try StorageBenchmark.run(directory: directory, batches: batches, entriesPerBatch: entries,
                                       payloadBytes: payload, fsync: !noFsync))
    }
}

/// `raftlab bench wire`: frame encoding and decoding speed.
struct BenchWireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Wire format: log-request frames encoded and decoded per second.",
        discussion: """
        Example:
          swift run -c release raftlab bench wire --entries 64 --payload 128
        """
    )

    @Option(help: "Frames encoded and decoded.") var frames = 100_000
    @Option(help: "Entries per log request.") var entries = 64
    @Option(help: "Payload bytes per entry.") var payload = 128

    func validate() throws {
        guard frames >= 1, entries >= 0, payload >= 0 else { throw ValidationError("--frames must be positive") }
    }

    func run() throws {
        print(try WireBenchmark.run(frames: frames, entriesPerFrame: entries, payloadBytes: payload))
    }
}

/// `raftlab bench compaction`: what compacting a large log does to a node's loop.
struct BenchCompactionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compaction",
        abstract: "Compact a large durable log on the node's loop and off it; print the heartbeat gaps meanwhile.",
        discussion: """
        Fills a fresh log with --log-mib MiB of 1 KiB entries, then compacts it twice while a
        timer on the same event loop fires every 10 ms and commits one more entry each time:
        first on the loop (as nodes did before), then with the heavy part on a background
        thread (as nodes do now). Prints the compaction time and the gaps between firings.

        Example:
          swift run -c release raftlab bench compaction --log-mib 1024
        """
    )

    @Option(help: "MiB of live entries in the log.") var logMib = 1024
    @Option(help: "Scratch directory (removed afterwards).") var directory = FileManager.default.temporaryDirectory.path + "/raftlab-bench-compaction"

    func validate() throws {
        guard (1...65536).contains(logMib) else { throw ValidationError("--log-mib must be in 1...65536, got \(logMib)") }
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for result in try await CompactionBenchmark.run(directory: directory, logMiB: logMib, progress: { print($0) }) {
            print(result)
        }
    }
}
