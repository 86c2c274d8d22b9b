import RaftCore
import RaftRuntime

/// Measures the durable log on the machine it runs on: `commit()` latency (one `pwrite` plus
/// one `fdatasync`) for batches of appends, and replay speed on reopen. For `raftlab bench
/// storage`; figures, never pass/fail.
public enum StorageBenchmark {
    /// What one run measured.
    public struct Result: Sendable, CustomStringConvertible {
        /// Batches committed.
        public var batches: Int
        /// Bytes one batch added to the file (records included).
        public var batchBytes: Int
        /// `commit()` durations (write + sync), in microseconds: median, 99th percentile, maximum.
        public var commitUs: (p50: Int, p99: Int, max: Int)
        /// The `fdatasync` part alone, as `commit()` reported it.
        public var syncUs: (p50: Int, p99: Int, max: Int)
        /// Bytes of the file replayed by the final reopen.
        public var replayBytes: Int
        /// How fast the reopen replayed them, in MB/s (10^6 bytes).
        public var replayMBPerSecond: Double

        public var description: String {
            """
            batches:      \(batches) × \(batchBytes) bytes
            commit:       p50 \(commitUs.p50) µs  p99 \(commitUs.p99) µs  max \(commitUs.max) µs  (pwrite + fdatasync)
            fdatasync:    p50 \(syncUs.p50) µs  p99 \(syncUs.p99) µs  max \(syncUs.max) µs
            replay:       \(replayBytes / 1_000_000) MB at \(Int(replayMBPerSecond)) MB/s
            """
        }
    }

    /// Commits `batches` batches of `entriesPerBatch` entries of `payloadBytes` each to a
    /// fresh log in `directory` (which must not hold one), then reopens it.
    public static func run(directory: String, batches: Int, entriesPerBatch: Int, payloadBytes: Int, fsync: Bool = true) throws -> Result {
        precondition(batches >= 1 && entriesPerBatch >= 1 && payloadBytes >= 0, "benchmark sizes must be positive")
        let clock = ContinuousClock()
        let log = try DurableLog.open(directory: directory, fsync: fsync)
        guard log.incarnation == 1 else {
            throw StorageError.invalidChange(reason: "the benchmark needs a fresh directory, \(directory) holds a log")
        }
        try log.write([.hardState(term: 1, votedFor: nil)])
        let payload = [UInt8](repeating: 0x5A, count: payloadBytes)
        var commitUs: [Int] = []
        var syncUs: [Int] = []
        commitUs.reserveCapacity(batches)
        var request: RequestID = 1
        var batchBytes = 0
        for _ in 0..<batches {
            var entries: [Entry] = []
            entries.reserveCapacity(entriesPerBatch)
            for _ in 0..<entriesPerBatch {
                entries.append(Entry(term: 1, request: request, payload: payload))
                request += 1
            }
            let bytesBefore = log.fileBytes
            log.apply([.append(firstIndex: log.state.entries.count + 1, entries: entries), .commit(index: log.state.entries.count)])
            var synced: UInt64?
            let elapsed = try clock.measure { synced = try log.commit() }
            commitUs.append(microseconds(elapsed))
            if let synced { syncUs.append(Int(synced)) }
            batchBytes = log.fileBytes - bytesBefore
        }
        log.close()
        var reopened: DurableLog?
        let replay = try clock.measure { reopened = try DurableLog.open(directory: directory, fsync: fsync) }
        let replayBytes = reopened!.fileBytes
        reopened!.close()
        return Result(batches: batches, batchBytes: batchBytes, commitUs: summary(commitUs), syncUs: summary(syncUs),
                      replayBytes: replayBytes, replayMBPerSecond: Double(replayBytes) / seconds(replay) / 1e6)
    }

    private static func summary(_ values: [Int]) -> (p50: Int, p99: Int, max: Int) {
        guard !values.isEmpty else { return (0, 0, 0) }
        let sorted = values.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last!)
    }

    private static func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension DurableLog {
    /// Applies and commits `changes` as one batch.
    fileprivate func write(_ changes: [PersistentChange]) throws {
        apply(changes)
        try commit()
    }
}
