import Foundation
import RaftCore
import RaftLab
import RaftRuntime

/// Whether a node stays flat over a long life: node processes with fsync on that snapshot
/// every `snapshotEvery` entries, under an open-loop load at a fixed rate for `minutes`.
/// Every `sampleSeconds` it reads each node's resident and private memory and the size of its
/// data directory; every `restartEverySeconds` a follower (in turn) is killed with `kill -9`
/// and started again. A restart is timed from the process start to its first status answer
/// (the node answers only once it loaded its snapshot and log, `Raft.run`), and to the status
/// showing it committed what the leader had when it was killed. The first restart comes
/// right after warm-up, with almost nothing to load: that is the floor the later ones are
/// compared with. The leader is never restarted, so its memory is the one that shows a leak:
/// its trend over the second half of the run is printed (the first minutes settle).
public enum LongRunBenchmark {
    /// One reading of one node.
    public struct Sample: Sendable {
        public var seconds: Double
        public var node: NodeID
        public var isLeader: Bool
        public var residentMiB: Double
        public var privateMiB: Double
        /// Proportional set size: private pages plus this node's share of pages it shares
        /// (the binary and the Swift libraries, mapped by every node alike).
        public var proportionalMiB: Double
        public var dataMiB: Double
        public var commitIndex: Int
    }

    /// One kill and restart of a follower.
    public struct Restart: Sendable {
        public var seconds: Double
        public var node: NodeID
        /// The leader's commit index when the follower was killed (what it had to load or fetch).
        public var commitIndex: Int
        /// Bytes in the follower's data directory when it was killed.
        public var dataBytes: Int
        public var answeredMs: Double
        public var caughtUpMs: Double
    }

    /// The figures of one run.
    public struct Report: Sendable, CustomStringConvertible {
        public var minutes: Double
        public var ratePerSecond: Double
        public var snapshotEvery: Int
        public var samples: [Sample]
        public var restarts: [Restart]
        public var ok: Int
        public var failed: Int
        public var timedOut: Int
        /// Commits per second over the whole run (acknowledged writes).
        public var achievedPerSecond: Double

        /// Samples after the first tenth of the run (the warm-up and the first snapshots).
        var settled: [Sample] {
            let start = minutes * 60 / 10
            return samples.filter { $0.seconds >= start }
        }

        /// Least-squares slope of `value` over time, per hour, for one node's samples.
        static func slopePerHour(_ samples: [Sample], _ value: (Sample) -> Double) -> Double? {
            guard samples.count >= 3 else { return nil }
            let n = Double(samples.count)
            let meanT = samples.map(\.seconds).reduce(0, +) / n
            let meanV = samples.map(value).reduce(0, +) / n
            var num = 0.0, den = 0.0
            for sample in samples {
                num += (sample.seconds - meanT) * (value(sample) - meanV)
                den += (sample.seconds - meanT) * (sample.seconds - meanT)
            }
            return den > 0 ? num / den * 3600 : nil
        }

        public var description: String {
            var lines: [String] = []
            lines.append(String(format: "%.1f min open loop at %.0f requests/s, --snapshot-every %d: %d ok (%.0f commits/s), %d failed, %d timed out",
                                minutes, ratePerSecond, snapshotEvery, ok, achievedPerSecond, failed, timedOut))
            let nodes = Set(samples.map(\.node)).sorted()
            for node in nodes {
                let mine = samples.filter { $0.node == node }
                let late = settled.filter { $0.node == node }
                guard let first = mine.first, let last = mine.last else { continue }
                let leads = mine.filter(\.isLeader).count * 2 > mine.count
                let rss = late.map(\.residentMiB), anon = late.map(\.privateMiB), pss = late.map(\.proportionalMiB)
                let data = mine.map(\.dataMiB)
                // Allocators and tables settle in the first minutes: the second half's trend is
                // the one that would show a leak.
                let secondHalf = mine.filter { $0.seconds >= minutes * 30 }
                let slope = leads ? Self.slopePerHour(secondHalf) { $0.residentMiB } : nil
                let privateSlope = leads ? Self.slopePerHour(secondHalf) { $0.privateMiB } : nil
                lines.append(String(format: "node %d%@: RSS %.1f MiB at the start, %.1f–%.1f MiB after the first tenth (private %.1f–%.1f MiB, PSS %.1f–%.1f MiB)%@; data directory %.1f–%.1f MiB, %.1f MiB at the end; commit index %d at the end",
                                    node, leads ? " (leader)" : "", first.residentMiB, rss.min() ?? 0, rss.max() ?? 0,
                                    anon.min() ?? 0, anon.max() ?? 0, pss.min() ?? 0, pss.max() ?? 0,
                                    slope.map { rss in String(format: ", second-half trend %+.1f MiB/hour (private %+.1f)", rss, privateSlope ?? 0) } ?? "",
                                    data.min() ?? 0, data.max() ?? 0, last.dataMiB, last.commitIndex))
            }
            if let floor = restarts.first {
                lines.append(String(format: "floor: restart at %.0f s with %d entries committed: answering after %.0f ms, caught up after %.0f ms",
                                    floor.seconds, floor.commitIndex, floor.answeredMs, floor.caughtUpMs))
            }
            let later = Array(restarts.dropFirst())
            for restart in later {
                lines.append(String(format: "restart of node %d at %.0f s, %d entries committed, %.1f MiB on disk: answering after %.0f ms, caught up after %.0f ms",
                                    restart.node, restart.seconds, restart.commitIndex, Double(restart.dataBytes) / 1_048_576,
                                    restart.answeredMs, restart.caughtUpMs))
            }
            lines.append(SampleSummary.line("process start to answering", later.map(\.answeredMs), counting: "restarts after the floor"))
            lines.append(SampleSummary.line("process start to caught up", later.map(\.caughtUpMs), counting: "restarts after the floor"))
            return lines.joined(separator: "\n")
        }
    }

    public static func run(nodes: Int = 3, minutes: Double = 30, ratePerSecond: Double = 5000, snapshotEvery: Int = 10_000,
                           sampleSeconds: Double = 5, restartEverySeconds: Double = 180, root: String,
                           progress: @Sendable (String) -> Void) async throws -> Report {
        var options = UpOptions.benchmark(nodes: nodes, clients: 0, root: root)
        options.clients = nil
        options.loadPerSecond = ratePerSecond
        options.nodeTraces = false
        options.snapshotEvery = snapshotEvery
        let launcher = try ClusterLauncher(options: options)
        let started = ContinuousClock.now
        var samples: [Sample] = []
        var restarts: [Restart] = []
        do {
            _ = try await launcher.startCluster()
            try launcher.startWorkload()
            let clock = ContinuousClock()
            let begin = clock.now
            let end = begin + .milliseconds(Int(minutes * 60_000))
            func elapsed() -> Double { (clock.now - begin).secondsDouble }
            var nextSample = begin
            var nextRestart = begin + .seconds(5)
            var nextProgress = begin + .seconds(60)
            var round = 0
            let members = launcher.cluster.nodes.map(\.id)
            while clock.now < end {
                if clock.now >= nextSample {
                    for id in members {
                        let status = try? await launcher.client.statusAsync(id, timeout: .seconds(2))
                        samples.append(Sample(seconds: elapsed(), node: id, isLeader: status?.role == .leader,
                                              residentMiB: Double(launcher.processes.residentMemoryBytes(id) ?? 0) / 1_048_576,
                                              privateMiB: Double(launcher.processes.privateMemoryBytes(id) ?? 0) / 1_048_576,
                                              proportionalMiB: Double(launcher.processes.proportionalMemoryBytes(id) ?? 0) / 1_048_576,
                                              dataMiB: Double(directoryBytes(launcher.run.dataDirectory(node: id))) / 1_048_576,
                                              commitIndex: status?.commitIndex ?? 0))
                    }
                    nextSample = nextSample + .milliseconds(Int(sampleSeconds * 1000))
                }
                if clock.now >= nextProgress {
                    let stats = await launcher.workloadStats()
                    let latest = samples.suffix(members.count)
                    progress(String(format: "%4.0f s: %d ok; ", elapsed(), stats?.ok ?? 0)
                        + latest.map { String(format: "node %d%@ RSS %.1f MiB, data %.1f MiB", $0.node, $0.isLeader ? "*" : "", $0.residentMiB, $0.dataMiB) }
                            .joined(separator: "; "))
                    nextProgress = nextProgress + .seconds(60)
                }
                if clock.now >= nextRestart {
                    let leader = try await launcher.client.waitForLeader(timeout: .seconds(30))
                    let followers = members.filter { $0 != leader }
                    let victim = followers[round % followers.count]
                    round += 1
                    let target = try await launcher.client.statusAsync(leader).commitIndex
                    let at = elapsed()
                    launcher.processes.kill9(victim)
                    launcher.client.forget(victim)
                    let dataBytes = directoryBytes(launcher.run.dataDirectory(node: victim))
                    let timing = try await launcher.startTimed(
                        victim, timeout: .seconds(60),
                        failure: "node \(victim) did not catch up with commit index \(target) within 60 s of its restart"
                    ) { $0.commitIndex >= target }
                    let restart = Restart(seconds: at, node: victim, commitIndex: target, dataBytes: dataBytes,
                                          answeredMs: timing.answeredMs, caughtUpMs: timing.readyMs)
                    restarts.append(restart)
                    progress(String(format: "%4.0f s: node %d restarted with %d entries committed: answering after %.0f ms, caught up after %.0f ms",
                                    at, victim, target, restart.answeredMs, restart.caughtUpMs))
                    nextRestart = restarts.count == 1 ? begin + .milliseconds(Int(restartEverySeconds * 1000))
                        : nextRestart + .milliseconds(Int(restartEverySeconds * 1000))
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let seconds = elapsed()
            let stats = await launcher.workloadStats()
            await launcher.discard(startedAt: started)
            return Report(minutes: minutes, ratePerSecond: ratePerSecond, snapshotEvery: snapshotEvery, samples: samples,
                          restarts: restarts, ok: stats?.ok ?? 0, failed: stats?.failed ?? 0, timedOut: stats?.timedOut ?? 0,
                          achievedPerSecond: Double(stats?.ok ?? 0) / seconds)
        } catch {
            await launcher.discard(startedAt: started)
            throw error
        }
    }

    /// Bytes in the regular files under `path`.
    static func directoryBytes(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name),
               attributes[.type] as? FileAttributeType == .typeRegular {
                total += (attributes[.size] as? Int) ?? 0
            }
        }
        return total
    }
}
