/// Decides whether a concurrent history is linearizable against a sequential specification:
/// Wing & Gong's search with Lowe's memoization, in the form Porcupine uses. Calls and
/// returns sit in one list in time order; the search linearizes any operation whose call
/// comes before the first pending return, backtracks at a return it cannot pass, and
/// remembers every (set of linearized operations, state) it tried so that no configuration
/// is explored twice. An operation with an unknown outcome returns after everything: it
/// may take effect anywhere after its call, or never.
public struct LinearizabilityChecker<Specification: SequentialSpecification>: Sendable {
    public typealias Operation = HistoryOperation<Specification.Input, Specification.Output>

    /// What a search concluded.
    public enum Verdict: Sendable, Equatable {
        case linearizable
        case notLinearizable
        /// The search ran out of `stepsMax` before it concluded.
        case unknown
    }

    /// A search's verdict and its cost.
    public struct Result: Sendable {
        public var verdict: Verdict
        /// Search steps taken.
        public var steps: Int
    }

    public let specification: Specification
    /// Search steps one history may take before its verdict is `unknown` (a step tries one
    /// list entry; Porcupine's timeouts play the same role).
    public var stepsMax: Int

    /// Steps allowed by default: a few seconds on one core for the worst histories.
    public static var defaultStepsMax: Int { 50_000_000 }

    public init(_ specification: Specification, stepsMax: Int = defaultStepsMax) {
        precondition(stepsMax > 0, "a search needs at least one step")
        self.specification = specification
        self.stepsMax = stepsMax
    }

    /// Checks `operations` (one object's history, in any order) starting from `initial`.
    public func check(_ operations: [Operation], from initial: Specification.State) -> Result {
        var list = EventList(operations)
        var linearized = OperationSet(count: operations.count)
        var tried = Set<Configuration>()
        var stack: [(operation: Int, state: Specification.State)] = []
        var state = initial
        var node = list.first
        var steps = 0
        while !list.isEmpty {
            steps += 1
            if steps > stepsMax { return Result(verdict: .unknown, steps: steps) }
            precondition(node != EventList.end, "every call's return follows it in the list")
            let operation = list.operation(at: node)
            if list.isCall(node) {
                if let next = specification.step(state, operations[operation].input, operations[operation].output) {
                    linearized.insert(operation)
                    if tried.insert(Configuration(linearized: linearized, state: next)).inserted {
                        stack.append((operation, state))
                        state = next
                        list.lift(operation)
                        node = list.first
                        continue
                    }
                    linearized.remove(operation)
                }
                node = list.next(after: node)
            } else {
                // A return whose operation is not linearized yet: undo the latest choice.
                guard let (undone, previous) = stack.popLast() else {
                    return Result(verdict: .notLinearizable, steps: steps)
                }
                linearized.remove(undone)
                state = previous
                list.unlift(undone)
                node = list.next(after: list.callNode(of: undone))
            }
        }
        return Result(verdict: .linearizable, steps: steps)
    }

    /// A configuration of the search: which operations are linearized and the state they left.
    private struct Configuration: Hashable {
        var linearized: OperationSet
        var state: Specification.State
    }
}

/// A set of operation indexes as a bit set (the memo's key).
struct OperationSet: Hashable, Sendable {
    private(set) var words: [UInt64]

    init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }
    mutating func remove(_ index: Int) { words[index >> 6] &= ~(1 << UInt64(index & 63)) }
}

/// The calls and returns of a history as a doubly linked list in time order (node 0 is the
/// head sentinel), from which linearized operations are lifted and restored.
struct EventList {
    static let end = -1
    private var nextNode: [Int]
    private var previousNode: [Int]
    private var operationOfNode: [Int]
    private var returnFlags: [Bool]
    private var callNodes: [Int]
    private var returnNodes: [Int]

    /// Orders by time; at equal times calls come before returns (touching operations count
    /// as concurrent, the permissive reading); unknown outcomes return after everything.
    init<Input, Output>(_ operations: [HistoryOperation<Input, Output>]) {
        var events: [(time: Int64, isReturn: Bool, operation: Int)] = []
        events.reserveCapacity(operations.count * 2)
        for (index, operation) in operations.enumerated() {
            events.append((operation.invokedAt, false, index))
            events.append((operation.returnedAt ?? Int64.max, true, index))
        }
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.isReturn != b.isReturn { return !a.isReturn }
            return a.operation < b.operation
        }
        let nodeCount = events.count + 1
        nextNode = (0..<nodeCount).map { $0 + 1 < nodeCount ? $0 + 1 : EventList.end }
        previousNode = (0..<nodeCount).map { $0 - 1 }
        operationOfNode = [EventList.end] + events.map(\.operation)
        returnFlags = [false] + events.map(\.isReturn)
        callNodes = Array(repeating: 0, count: operations.count)
        returnNodes = Array(repeating: 0, count: operations.count)
        for (position, event) in events.enumerated() {
            if event.isReturn { returnNodes[event.operation] = position + 1 } else { callNodes[event.operation] = position + 1 }
        }
    }

    var isEmpty: Bool { nextNode[0] == EventList.end }
    var first: Int { nextNode[0] }
    func next(after node: Int) -> Int { nextNode[node] }
    func operation(at node: Int) -> Int { operationOfNode[node] }
    func isCall(_ node: Int) -> Bool { !returnFlags[node] }
    func callNode(of operation: Int) -> Int { callNodes[operation] }

    /// Takes `operation`'s call and return out of the list.
    mutating func lift(_ operation: Int) {
        unlink(callNodes[operation])
        unlink(returnNodes[operation])
    }

    /// Puts back what `lift(operation)` took out (the latest lifted operation first).
    mutating func unlift(_ operation: Int) {
        relink(returnNodes[operation])
        relink(callNodes[operation])
    }

    private mutating func unlink(_ node: Int) {
        nextNode[previousNode[node]] = nextNode[node]
        if nextNode[node] != EventList.end { previousNode[nextNode[node]] = previousNode[node] }
    }

    private mutating func relink(_ node: Int) {
        nextNode[previousNode[node]] = node
        if nextNode[node] != EventList.end { previousNode[nextNode[node]] = node }
    }
}
