import Dispatch
import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime

/// What a compaction of a large log does to a node's loop: a log of `logMiB` MiB of live
/// entries is compacted while a timer on the same event loop fires every
/// `heartbeatIntervalMs` (as a leader's heartbeat timer does) and, at each firing, one
/// more entry is committed (the traffic the tail copy carries over). The gaps between
/// firings are the heartbeat gaps a leader would have. Two ways: on the loop (`compact(to:)`,
/// what nodes did before issue 14) and off it (`startCompaction`, what a node does now).
/// For `raftlab bench compaction`; figures, never pass/fail.
public enum CompactionBenchmark {
    /// One way's figures.
    public struct Result: Sendable, CustomStringConvertible {
        public var background: Bool
        public var liveMiB: Double
        public var seconds: Double
        /// Milliseconds between timer firings while the compaction ran.
        public var gapsMs: [Double]
        /// Entries committed while it ran (one per firing).
        public var commitsDuring: Int

        public var description: String {
            let sorted = gapsMs.sorted()
            func at(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1) + 0.5))] }
            return String(format: "%@: %.0f MiB compacted in %.2f s; heartbeat gap p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d firings; %d entries committed meanwhile",
                          background ? "off the loop (now)" : "on the loop (before)", liveMiB, seconds, at(0.5), at(0.99),
                          sorted.last ?? 0, sorted.count, commitsDuring)
        }
    }

    /// Fills a fresh log in `directory` with `logMiB` MiB of 1 KiB entries, then compacts it
    /// both ways (on the loop first); `progress` hears what is going on.
    public static func run(directory: String, logMiB: Int, heartbeatIntervalMs: Int = 10,
                           progress: @Sendable (String) -> Void) async throws -> [Result] {
        let log = try DurableLog.open(directory: directory, fsync: true)
        let payload = [UInt8](repeating: 0x5A, count: 1024)
        let entriesPerBatch = 1024
        let batches = max(1, logMiB * 1024 / entriesPerBatch)
        var index = 0
        log.apply([.hardState(term: 1, votedFor: 0)])
        _ = try log.commit()
        for batch in 0..<batches {
            let entries = (0..<entriesPerBatch).map { Entry(term: 1, request: RequestID(index + $0 + 1), payload: payload) }
            log.apply([.append(firstIndex: index + 1, entries: entries), .commit(index: index + entriesPerBatch)])
            _ = try log.commit()
            index += entriesPerBatch
            if batch % 128 == 127 { progress("filled \(index / 1024) MiB of \(logMiB)") }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        var results: [Result] = []
        do {
            for background in [false, true] {
                progress(background ? "compacting off the loop" : "compacting on the loop")
                results.append(try await measure(log, on: loop, background: background, intervalMs: heartbeatIntervalMs))
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try? await group.shutdownGracefully()
        log.close()
        return results
    }

    private static func measure(_ log: DurableLog, on loop: any EventLoop, background: Bool, intervalMs: Int) async throws -> Result {
        /// The measurement's state, on the loop only (`NIOLoopBound` checks it).
        final class Run {
            var gapsMs: [Double] = []
            var last: NIODeadline?
            var running = true
            var commits = 0
        }
        let run = NIOLoopBound(Run(), eventLoop: loop)
        let boundLog = NIOLoopBound(log, eventLoop: loop)
        let live = Double(log.liveBytes) / 1_048_576
        let started = NIODeadline.now()
        let finished = loop.makePromise(of: Void.self)
        let timer = loop.scheduleRepeatedTask(initialDelay: .milliseconds(Int64(intervalMs)), delay: .milliseconds(Int64(intervalMs))) { _ in
            let (run, log) = (run.value, boundLog.value)
            let now = NIODeadline.now()
            if run.running, let last = run.last { run.gapsMs.append(Double((now - last).nanoseconds) / 1e6) }
            run.last = now
            guard run.running else { return }
            let next = log.state.entries.count + 1
            log.apply([.append(firstIndex: next, entries: [Entry(term: 1, request: RequestID(next), payload: [1])]), .commit(index: next)])
            if (try? log.commit()) != nil { run.commits += 1 }
        }
        try await loop.submit {
            let log = boundLog.value
            run.value.last = NIODeadline.now()
            if background {
                guard let job = try log.startCompaction() else { return finished.succeed() }
                DispatchQueue.global(qos: .utility).async {
                    job.runInBackground()
                    loop.execute {
                        _ = try? boundLog.value.finishCompaction(job)
                        finished.succeed()
                    }
                }
            } else {
                try log.compact(to: log.state)
                finished.succeed()
            }
        }.get()
        try await finished.futureResult.get()
        let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        let (gapsMs, commits) = try await loop.submit {
            let run = run.value
            run.running = false
            if let last = run.last { run.gapsMs.append(Double((NIODeadline.now() - last).nanoseconds) / 1e6) }
            return (run.gapsMs, run.commits)
        }.get()
        timer.cancel()
        return Result(background: background, liveMiB: live, seconds: seconds, gapsMs: gapsMs, commitsDuring: commits)
    }
}
