import RaftCore

/// The properties the Raft model checks, and their positions in masks.
public enum RaftProperties {
    static let electionSafety = 0
    static let stateMachineSafety = 1
    static let logMatching = 2
    static let leaderCompleteness = 3
    static let leaderAppendOnly = 4
    static let electionLiveness = 5
    static let logLiveness = 6
    static let messagesValid = 7

    /// Raft's five safety properties (always), raft-lite's two liveness checks (sometimes),
    /// and that no correct node drops a message of another as invalid (`InvalidMessage`: the
    /// node's validation refuses nothing a correct peer sends; not checked under a mutant,
    /// whose nodes are not correct peers).
    public static let all: [Property] = [
        .always(RaftInvariants.Property.electionSafety.rawValue),
        .always(RaftInvariants.Property.stateMachineSafety.rawValue),
        .always(RaftInvariants.Property.logMatching.rawValue),
        .always(RaftInvariants.Property.leaderCompleteness.rawValue),
        .alwaysAcrossSteps(RaftInvariants.Property.leaderAppendOnly.rawValue),
        .sometimes("Election Liveness"),
        .sometimes("Log Liveness"),
        .alwaysAcrossSteps("Messages Valid"),
    ]
}

/// A server as the invariants see it in a model state.
enum ModelNodeView: RaftStateView {
    /// Up and running.
    case running(RaftNode)
    /// Crash-stopped: its last state stays, but it leads nothing any more.
    case stopped(RaftNode)
    /// Crash-restart server that is down: only its disk remains.
    case down(NodeID, PersistentState)

    var nodeID: NodeID {
        switch self {
        case .running(let node), .stopped(let node): return node.id
        case .down(let id, _): return id
        }
    }
    var currentTerm: Term {
        switch self {
        case .running(let node), .stopped(let node): return node.currentTerm
        case .down(_, let durable): return durable.currentTerm
        }
    }
    var isLeader: Bool {
        if case .running(let node) = self { return node.isLeader }
        return false
    }
    var lastIndex: Int {
        switch self {
        case .running(let node), .stopped(let node): return node.lastIndex
        case .down(_, let durable): return durable.lastIndex
        }
    }
    var commitIndex: Int {
        switch self {
        case .running(let node), .stopped(let node): return node.commitIndex
        case .down(_, let durable): return durable.commitIndex
        }
    }
    // Every index is compared (`compactedIndex` stays 0): an entry the log dropped is read
    // from the snapshot that holds it, whose bytes are the applied entries.
    func entryTerm(at index: Int) -> Term { index == 0 ? 0 : entry(at: index).term }
    func entryDigest(at index: Int) -> UInt64 { entry(at: index).digest }

    private func entry(at index: Int) -> Entry {
        switch self {
        case .running(let node), .stopped(let node):
            return index > node.log.compactedIndex ? node.log[index] : Self.entry(at: index, of: node.snapshot)
        case .down(_, let durable):
            return index > durable.compactedIndex ? durable.entries[index - durable.compactedIndex - 1]
                : Self.entry(at: index, of: durable.snapshot)
        }
    }

    private static func entry(at index: Int, of snapshot: Snapshot) -> Entry {
        guard let entries = AppliedEntriesCodec.decode(snapshot.data), index >= 1, index <= entries.count else {
            preconditionFailure("entry \(index) is in neither the log nor the snapshot through \(snapshot.index)")
        }
        return entries[index - 1]
    }
}

extension RaftModel {
    public var properties: [Property] { RaftProperties.all }

    /// Which state properties hold. Every state property is a conjunction over pairs of
    /// servers (safety) or a disjunction over servers (liveness), so verdicts are memoized
    /// three ways: per combination of server states, per pair, per server. The network and
    /// timers do not matter to them.
    public func evaluate(_ state: ClusterState) -> PropertyMask {
        if let key = packedViewKey(state) {
            let bits = memoized(packedVerdicts, key) {
                UInt32(truncatingIfNeeded: combinedVerdict(members.map { viewCode(state, $0) }).rawValue)
            }
            return PropertyMask(rawValue: UInt64(bits))
        }
        let views = members.map { viewCode(state, $0) }
        var key: [UInt64] = []
        key.reserveCapacity((views.count + 1) / 2)
        var index = 0
        while index < views.count {
            key.append(UInt64(views[index]) | (index + 1 < views.count ? UInt64(views[index + 1]) << 32 : 0))
            index += 2
        }
        return verdicts.intern(key) { combinedVerdict(views) }.payload
    }

    /// All view codes in one exact 63-bit key, when they are small enough (the common case:
    /// a few thousand node states), so the verdict costs one memo lookup and no allocation.
    private func packedViewKey(_ state: ClusterState) -> UInt64? {
        let bitsPerView = 63 / layout.serverCount
        guard bitsPerView >= 8 else { return nil }
        var key: UInt64 = 0
        for id in members {
            let code = viewCode(state, id)
            guard code >> UInt32(bitsPerView) == 0 else { return nil }
            key = key << UInt64(bitsPerView) | UInt64(code)
        }
        return key
    }

    /// The broken safety properties of `state`, with the evidence in words.
    public func violations(in state: ClusterState) -> [RaftInvariants.Violation] {
        RaftInvariants.check(members.map { view(code: viewCode(state, $0), id: $0) })
    }

    /// A server's state as the invariants see it, as one number: a node or durable
    /// reference shifted left by two, tagged running (0), stopped (1) or down (2).
    private func viewCode(_ state: ClusterState, _ id: NodeID) -> UInt32 {
        let reference = state.words[layout.nodeIndex(id)]
        if reference == StateLayout.downNode { return state.words[layout.durableIndex(id)] << 2 | 2 }
        return reference << 2 | (state.words[0] & StateLayout.crashedBit(id) != 0 ? 1 : 0)
    }

    private func view(code: UInt32, id: NodeID) -> ModelNodeView {
        switch code & 3 {
        case 0: return .running(nodes.payload(code >> 2))
        case 1: return .stopped(nodes.payload(code >> 2))
        default: return .down(id, durables.payload(code >> 2))
        }
    }

    private func combinedVerdict(_ views: [UInt32]) -> PropertyMask {
        var mask = PropertyMask.all
        var someLeader = false, someCommit = false
        for (id, code) in views.enumerated() {
            let flags = serverVerdict(code, id: id)
            someLeader = someLeader || flags & 1 != 0
            someCommit = someCommit || flags & 2 != 0
            for other in views.indices where other > id {
                mask.formIntersection(pairVerdict(code, id, views[other], other))
            }
        }
        if !someLeader { mask.remove(PropertyMask(position: RaftProperties.electionLiveness)) }
        if !someCommit { mask.remove(PropertyMask(position: RaftProperties.logLiveness)) }
        return mask
    }

    /// Bit 0: the server leads; bit 1: it knows something committed.
    private func serverVerdict(_ code: UInt32, id: NodeID) -> UInt32 {
        memoized(serverVerdicts, UInt64(code)) {
            let view = view(code: code, id: id)
            return (view.isLeader ? 1 : 0) | (view.commitIndex > 0 ? 2 : 0)
        }
    }

    /// The safety properties that hold between two servers (all four are pairwise).
    private func pairVerdict(_ code: UInt32, _ id: NodeID, _ otherCode: UInt32, _ other: NodeID) -> PropertyMask {
        // Codes stay below 2^31 (references below 2^29), so the pair fits one exact key.
        let bits = memoized(pairVerdicts, UInt64(code) << 31 | UInt64(otherCode)) {
            let pair = [view(code: code, id: id), view(code: otherCode, id: other)]
            var failing = PropertyMask()
            if RaftInvariants.electionSafety(pair) != nil { failing.insert(PropertyMask(position: RaftProperties.electionSafety)) }
            if RaftInvariants.stateMachineSafety(pair) != nil { failing.insert(PropertyMask(position: RaftProperties.stateMachineSafety)) }
            if RaftInvariants.logMatching(pair) != nil { failing.insert(PropertyMask(position: RaftProperties.logMatching)) }
            if RaftInvariants.leaderCompleteness(pair) != nil { failing.insert(PropertyMask(position: RaftProperties.leaderCompleteness)) }
            return UInt32(truncatingIfNeeded: failing.rawValue)
        }
        return PropertyMask.all.subtracting(PropertyMask(rawValue: UInt64(bits)))
    }

    private func memoized(_ memo: ExactMemo, _ key: UInt64, _ compute: () -> UInt32) -> UInt32 {
        var found: UInt32?
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1) { buffer in
            if memo.lookup(key, into: buffer) != nil { found = buffer[0] }
        }
        if let found { return found }
        let value = compute()
        memo.store(key, [value])
        return value
    }
}
