import Dispatch
import RaftKV

/// Checks a key-value history key by key (P-compositionality: a history is linearizable when
/// each key's is) on every core, and explains a violation with a short window of operations.
public enum KeyValueLinearizability {
    public typealias Operation = HistoryOperation<KeyValueOperation, KeyValueResult>

    /// The verdict on one key.
    public struct KeyReport: Sendable {
        public var key: String
        public var operationCount: Int
        public var verdict: LinearizabilityChecker<KeyValueRegister>.Verdict
        public var steps: Int
        /// For a violation: operations that cannot be ordered whatever value the key held
        /// before the first of them (by invocation), or the key's history up to the failing
        /// return when no shorter window was found.
        public var window: Window?
    }

    /// The operations of a violation's window, in invocation order.
    public struct Window: Sendable {
        public var operations: [Operation]
        /// Indexes into `operations` of those whose outcome the window leaves open (they started
        /// before it, or returned after the failing return).
        public var openOutcomes: Set<Int>
        /// Whether the window starts from the key's first operation (its value known: absent).
        public var fromStart: Bool
    }

    /// The verdict on a whole history.
    public struct Report: Sendable {
        public var keys: [KeyReport]
        public var operationCount: Int

        /// Violated if any key is; else unknown if any key ran out of budget; else linearizable.
        public var verdict: LinearizabilityChecker<KeyValueRegister>.Verdict {
            if keys.contains(where: { $0.verdict == .notLinearizable }) { return .notLinearizable }
            if keys.contains(where: { $0.verdict == .unknown }) { return .unknown }
            return .linearizable
        }
    }

    /// Checks `operations` (every key's, any order; each key absent at the start) with at most
    /// `stepsMax` search steps per key. Operations answered `staleRequest` or `sessionExpired`
    /// did nothing and are left out, as failed ones must be by the caller.
    public static func check(_ operations: [Operation], stepsMax: Int = LinearizabilityChecker<KeyValueRegister>.defaultStepsMax)
        -> Report {
        var byKey: [String: [Operation]] = [:]
        for operation in operations where operation.output != .staleRequest && operation.output != .sessionExpired {
            byKey[operation.input.key, default: []].append(operation)
        }
        // Largest histories first, so the cores finish together.
        let histories = byKey.sorted { ($0.value.count, $0.key) > ($1.value.count, $1.key) }
        var reports = [KeyReport?](repeating: nil, count: histories.count)
        let checker = LinearizabilityChecker(KeyValueRegister(), stepsMax: stepsMax)
        reports.withUnsafeMutableBufferPointer { buffer in
            // Each iteration writes its own slot only.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: histories.count) { position in
                let (key, history) = histories[position]
                let result = checker.check(history, from: .known(nil))
                var report = KeyReport(key: key, operationCount: history.count, verdict: result.verdict, steps: result.steps)
                if result.verdict == .notLinearizable { report.window = window(of: history, checker: checker) }
                slots[position] = report
            }
        }
        return Report(keys: reports.map { $0! }.sorted { $0.key < $1.key }, operationCount: operations.count)
    }

    /// Explains a violated key history: first the earliest return that makes the history up to
    /// it non-linearizable (later operations dropped, those still running left open), then the
    /// latest start such that what ran from there cannot be ordered whatever the key held.
    static func window(of history: [Operation], checker: LinearizabilityChecker<KeyValueRegister>) -> Window? {
        let returns = Array(Set(history.compactMap(\.returnedAt))).sorted()
        var low = 0, high = returns.count - 1
        var failing: Int64?
        while low <= high {
            let middle = (low + high) / 2
            switch checker.check(truncated(history, at: returns[middle]), from: .known(nil)).verdict {
            case .notLinearizable: failing = returns[middle]; high = middle - 1
            case .linearizable: low = middle + 1
            case .unknown: return nil
            }
        }
        guard let failing else { return nil }
        let prefix = truncated(history, at: failing).sorted { $0.invokedAt < $1.invokedAt }
        let culprit = prefix.last { $0.returnedAt == failing }!
        let starts = Array(Set(prefix.map(\.invokedAt).filter { $0 <= culprit.invokedAt })).sorted(by: >)
        for start in starts.prefix(Self.windowStartsTried) {
            var operations: [Operation] = []
            var open: Set<Int> = []
            for operation in prefix {
                if operation.invokedAt >= start {
                    if operation.returnedAt == nil { open.insert(operations.count) }
                    operations.append(operation)
                } else if operation.returnedAt.map({ $0 >= start }) ?? true {
                    var straddling = operation
                    straddling.outcome = .unknown
                    open.insert(operations.count)
                    operations.append(straddling)
                }
            }
            if checker.check(operations, from: .unknown).verdict == .notLinearizable {
                return Window(operations: operations, openOutcomes: open, fromStart: false)
            }
        }
        return Window(operations: prefix, openOutcomes: Set(prefix.indices.filter { prefix[$0].returnedAt == nil }), fromStart: true)
    }

    /// Window starts tried before falling back to the history from its beginning.
    static let windowStartsTried = 64

    /// `history` as it stood at `time`: operations invoked later dropped, those that had not
    /// returned by then left with an unknown outcome (monotone: if this is not linearizable,
    /// neither is the whole history nor any later cut).
    static func truncated(_ history: [Operation], at time: Int64) -> [Operation] {
        history.compactMap { operation in
            guard operation.invokedAt <= time else { return nil }
            guard let returned = operation.returnedAt, returned <= time else {
                var open = operation
                open.outcome = .unknown
                return open
            }
            return operation
        }
    }
}
