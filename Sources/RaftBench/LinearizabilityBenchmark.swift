import Linearizability
import RaftKV
import RaftCore
import RaftLab

/// How fast the linearizability checker judges a key-value history: histories of an ideal
/// store (`AtomicStoreHistory`, linearizable by construction, so the whole search runs) of
/// `operations` operations over `keys` keys by `clients` clients, checked `runs` times. The
/// floor is what any checker pays: grouping the operations by key and sorting each key's calls
/// and returns by time, measured on the same history.
public enum LinearizabilityBenchmark {
    /// The figures of one benchmark.
    public struct Report: Sendable, CustomStringConvertible {
        public var operations: Int
        public var keys: Int
        public var clients: Int
        public var checkSeconds: [Double]
        public var floorSeconds: [Double]
        public var steps: Int

        public var description: String {
            let sorted = checkSeconds.sorted()
            let floor = floorSeconds.sorted()
            return String(format: "%d operations, %d keys, %d clients: checked in %.3f s (range %.3f–%.3f s over %d runs), %.0f operations/s, %d search steps; floor (group by key, sort events) %.3f–%.3f s",
                          operations, keys, clients, sorted[sorted.count / 2], sorted.first!, sorted.last!, sorted.count,
                          Double(operations) / sorted[sorted.count / 2], steps, floor.first!, floor.last!)
        }
    }

    public static func run(operations: Int = 100_000, keys: Int = 100, clients: Int = 16, runs: Int = 3, seed: UInt64 = 1,
                           progress: (String) -> Void) -> Report {
        var random = SplitMix64(seed: seed)
        let history = AtomicStoreHistory.generate(clients: clients, operations: operations, keys: keys, using: &random)
        var report = Report(operations: operations, keys: keys, clients: clients, checkSeconds: [], floorSeconds: [], steps: 0)
        let clock = ContinuousClock()
        for run in 1...runs {
            var result: KeyValueLinearizability.Report?
            let seconds = clock.measure { result = KeyValueLinearizability.check(history) }.secondsDouble
            guard result!.verdict == .linearizable else {
                preconditionFailure("a history of an ideal store came out \(result!.verdict): "
                                    + (result!.verdict == .unknown ? "the search ran out of steps" : "a checker bug"))
            }
            report.checkSeconds.append(seconds)
            report.steps = result!.keys.map(\.steps).reduce(0, +)
            report.floorSeconds.append(clock.measure { floorWork(history) }.secondsDouble)
            progress(String(format: "run %d/%d: %.3f s", run, runs, seconds))
        }
        return report
    }

    /// Groups by key and sorts each key's events by time: the part of the work no checker avoids.
    private static func floorWork(_ history: [KeyValueLinearizability.Operation]) {
        var byKey: [String: [(Int64, Bool)]] = [:]
        for operation in history {
            byKey[operation.input.key, default: []].append((operation.invokedAt, false))
            byKey[operation.input.key, default: []].append((operation.returnedAt ?? .max, true))
        }
        var total = 0
        for (key, events) in byKey {
            total &+= events.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && !$0.1) }.count &+ key.utf8.count
        }
        precondition(total > 0 || history.isEmpty, "the floor's work is used")
    }
}
