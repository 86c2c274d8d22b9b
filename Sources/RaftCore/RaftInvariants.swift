/// Raft's safety properties (Raft paper, figure 3) as functions over node states.
///
/// The simulators (`SimulatedCluster`, and through it the trace simulator) check them after
/// every step and the model checker uses them as `always` properties. The offline analyzer
/// checks the same properties on traces alone, with its own streaming code (it reads traces,
/// not node states); a test holds both to one verdict (docs/ANALYZE.md, "Safety checks").
/// Each returns `nil` when the property holds, or the first violation found.
public enum RaftInvariants {
    /// The property a violation breaks.
    public enum Property: String, Sendable, CaseIterable {
        case electionSafety = "Election Safety"
        case logMatching = "Log Matching"
        case leaderAppendOnly = "Leader Append-Only"
        case leaderCompleteness = "Leader Completeness"
        case stateMachineSafety = "State Machine Safety"
    }

    /// A broken property, with the evidence in words.
    public struct Violation: Error, Hashable, Sendable, CustomStringConvertible {
        public var property: Property
        public var detail: String
        public var description: String { "\(property.rawValue) violated: \(detail)" }
    }

    /// Election Safety: at most one leader per term.
    public static func electionSafety<V: RaftStateView>(_ nodes: [V]) -> Violation? {
        var leaderOfTerm: [Term: NodeID] = [:]
        for node in nodes where node.isLeader {
            if let other = leaderOfTerm.updateValue(node.nodeID, forKey: node.currentTerm) {
                return Violation(property: .electionSafety,
                                 detail: "nodes \(other) and \(node.nodeID) both lead term \(node.currentTerm)")
            }
        }
        return nil
    }

    /// Log Matching: if two logs hold an entry with the same index and term, the logs are
    /// identical up to that index.
    public static func logMatching<V: RaftStateView>(_ nodes: [V]) -> Violation? {
        forEachPair(nodes) { logMatching(between: $0, and: $1) }
    }

    /// Log Matching for one pair of nodes.
    /// Entries either node dropped into a snapshot are committed, and compared by State
    /// Machine Safety over what the nodes applied (`deliveredSequencesAgree`), not here.
    public static func logMatching<V: RaftStateView>(between a: V, and b: V) -> Violation? {
        let floor = max(a.compactedIndex, b.compactedIndex)
        var index = min(a.lastIndex, b.lastIndex)
        while index > floor && a.entryTerm(at: index) != b.entryTerm(at: index) { index -= 1 }
        guard index > floor else { return nil }
        if let index = lastDifference(a, b, through: index) {
            return Violation(property: .logMatching,
                             detail: "nodes \(a.nodeID) and \(b.nodeID) agree on a term at some index but differ at index \(index)")
        }
        return nil
    }

    /// Leader Append-Only: a leader never overwrites or deletes entries in its log.
    /// `before` and `after` are the same node across one step.
    public static func leaderAppendOnly<V: RaftStateView>(before: V, after: V) -> Violation? {
        guard before.isLeader, after.isLeader, before.currentTerm == after.currentTerm else { return nil }
        guard after.lastIndex >= before.lastIndex else {
            return Violation(property: .leaderAppendOnly,
                             detail: "leader \(after.nodeID) of term \(after.currentTerm) shrank its log from \(before.lastIndex) to \(after.lastIndex)")
        }
        if let index = lastDifference(before, after, through: before.lastIndex) {
            return Violation(property: .leaderAppendOnly,
                             detail: "leader \(after.nodeID) of term \(after.currentTerm) overwrote index \(index)")
        }
        return nil
    }

    /// Leader Completeness: a leader's log holds every entry committed in an earlier term.
    ///
    /// Checked from states alone: a node can only know an entry committed in a term no later
    /// than its own current term, so every entry committed at a node whose term is at most a
    /// leader's term was committed no later than that leader's term, and must be in its log.
    public static func leaderCompleteness<V: RaftStateView>(_ nodes: [V]) -> Violation? {
        for leader in nodes where leader.isLeader {
            for node in nodes {
                if let violation = leaderCompleteness(leader: leader, node: node) { return violation }
            }
        }
        return nil
    }

    /// Leader Completeness of `leader` with respect to what `node` knows committed.
    public static func leaderCompleteness<V: RaftStateView>(leader: V, node: V) -> Violation? {
        guard leader.isLeader, node.currentTerm <= leader.currentTerm else { return nil }
        if node.commitIndex > leader.lastIndex {
            return Violation(property: .leaderCompleteness,
                             detail: "leader \(leader.nodeID) of term \(leader.currentTerm) holds \(leader.lastIndex) entries but node \(node.nodeID) (term \(node.currentTerm)) committed \(node.commitIndex)")
        }
        if let index = lastDifference(node, leader, through: node.commitIndex) {
            return Violation(property: .leaderCompleteness,
                             detail: "leader \(leader.nodeID) of term \(leader.currentTerm) lacks entry \(index) committed at node \(node.nodeID)")
        }
        return nil
    }

    /// State Machine Safety: no two nodes commit (and so deliver) different entries at one index.
    public static func stateMachineSafety<V: RaftStateView>(_ nodes: [V]) -> Violation? {
        forEachPair(nodes) { stateMachineSafety(between: $0, and: $1) }
    }

    /// State Machine Safety for one pair of nodes.
    public static func stateMachineSafety<V: RaftStateView>(between a: V, and b: V) -> Violation? {
        for node in [a, b] where node.commitIndex > node.lastIndex {
            return Violation(property: .stateMachineSafety,
                             detail: "node \(node.nodeID) committed through index \(node.commitIndex) but holds \(node.lastIndex) entries: committed entries were removed")
        }
        let common = min(a.commitIndex, b.commitIndex)
        if let index = lastDifference(a, b, through: common) {
            return Violation(property: .stateMachineSafety,
                             detail: "nodes \(a.nodeID) and \(b.nodeID) committed different entries at index \(index)")
        }
        return nil
    }

    /// Every property that concerns `node` and each other node of `nodes` (what one step of
    /// `node` can break): cheaper than `check` when only one node changed.
    public static func check<V: RaftStateView>(changed node: V, among nodes: [V]) -> [Violation] {
        var violations: [Violation] = []
        for other in nodes where other.nodeID != node.nodeID {
            if node.isLeader, other.isLeader, node.currentTerm == other.currentTerm {
                violations.append(Violation(property: .electionSafety,
                                            detail: "nodes \(other.nodeID) and \(node.nodeID) both lead term \(node.currentTerm)"))
            }
            // One by one: an array of the four results would be allocated per pair and step.
            if let violation = logMatching(between: node, and: other) { violations.append(violation) }
            if let violation = stateMachineSafety(between: node, and: other) { violations.append(violation) }
            if let violation = leaderCompleteness(leader: node, node: other) { violations.append(violation) }
            if let violation = leaderCompleteness(leader: other, node: node) { violations.append(violation) }
        }
        if let violation = leaderCompleteness(leader: node, node: node) { violations.append(violation) }
        return violations
    }

    /// The highest index in `1...index` at which `a` and `b` hold different entries.
    /// The highest index through `index` where `a` and `b` differ; an index one of them does
    /// not hold (a broken node may commit beyond its log) counts as a difference.
    /// Indexes either node dropped into a snapshot are not compared.
    private static func lastDifference<V: RaftStateView>(_ a: V, _ b: V, through index: Int) -> Int? {
        if index > min(a.lastIndex, b.lastIndex) { return index }
        return stride(from: index, to: max(a.compactedIndex, b.compactedIndex), by: -1).first { !a.sameEntry(at: $0, as: b) }
    }

    private static func forEachPair<V>(_ nodes: [V], _ check: (V, V) -> Violation?) -> Violation? {
        for (position, a) in nodes.enumerated() {
            for b in nodes[(position + 1)...] {
                if let violation = check(a, b) { return violation }
            }
        }
        return nil
    }

    /// State Machine Safety over what was actually delivered: sequences of (term, digest)
    /// per node, index `i` at position `i - 1`. Catches a driver that delivers something the
    /// log does not say.
    public static func deliveredSequencesAgree(_ delivered: [NodeID: [Entry]]) -> Violation? {
        let longest = delivered.max { $0.value.count < $1.value.count }
        guard let (reference, referenceEntries) = longest else { return nil }
        for (node, entries) in delivered.sorted(by: { $0.key < $1.key }) {
            for (offset, entry) in entries.enumerated() where entry != referenceEntries[offset] {
                return Violation(property: .stateMachineSafety,
                                 detail: "nodes \(node) and \(reference) delivered different entries at index \(offset + 1)")
            }
        }
        return nil
    }

    /// Every state-based property over `nodes` (Leader Append-Only needs two states: see
    /// `leaderAppendOnly(before:after:)`).
    public static func check<V: RaftStateView>(_ nodes: [V]) -> [Violation] {
        [electionSafety(nodes), logMatching(nodes), leaderCompleteness(nodes), stateMachineSafety(nodes)]
            .compactMap { $0 }
    }
}
