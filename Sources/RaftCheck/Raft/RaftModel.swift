import RaftCore
import Synchronization

/// The Raft cluster as a `Model`: every server runs `RaftCore`'s `RaftNode`, and an action
/// delivers one network item, fires one pending timer, crashes a server or restarts one.
///
/// By default this is raft-lite's stateright model (see `RaftModelConfiguration` and
/// docs/MODEL.md). Node states, network items and durable states are interned, and each
/// node step is memoized per (node state, input), so a state is a few dozen words and most
/// successors cost a lookup.
///
/// For an explorer: `initialState`, `successors(of:)` with `label(of:)`, `state(after:)`
/// to follow a path of labels, `snapshot(of:)` to read a state, `evaluate(_:)` /
/// `violations(in:)` for properties, and `Checker(model:options:)` for a search.
public final class RaftModel: Model {
    /// What this model explores.
    public let configuration: RaftModelConfiguration
    /// Labels of the steps taken from the usual initial state before the model starts (see
    /// `starting(after:_:)`); empty for a model that starts at the beginning.
    public let startPath: [String]

    /// The state every path starts from: the usual initial state, or the end of `startPath`.
    /// Built on first use and kept (every discovery's path and every replay start here).
    public var initialState: ClusterState {
        if let state = initialStateCache.withLock({ $0 }) { return state }
        let state: ClusterState
        do {
            state = try path(from: makeInitialState(), following: startPath).last?.state ?? makeInitialState()
        } catch {
            preconditionFailure("start path step \"\(error.label)\" is not enabled (validated at creation)")
        }
        initialStateCache.withLock { $0 = state }
        return state
    }
    private let initialStateCache = Mutex<ClusterState?>(nil)

    let layout: StateLayout
    let order: NetworkOrder
    let members: [NodeID]
    let crashCountMax: Int

    let nodes = InternTable<RaftNode>()
    let items = InternTable<NetworkItem>()
    let durables = InternTable<PersistentState>()
    let deltas = InternTable<[PersistentChange]>()
    let verdicts = InternTable<PropertyMask>()
    let packedVerdicts = ExactMemo()
    let pairVerdicts = ExactMemo()
    let serverVerdicts = ExactMemo()
    let transitions = ExactMemo()
    let restarts = ExactMemo()
    let durableUpdates = ExactMemo()
    let incarnationUpdates = ExactMemo()
    let rawSteps = ExactMemo()
    let canonical: CanonicalFingerprints

    /// A model of `configuration`, which must be valid (`configuration.problem == nil`).
    public convenience init(_ configuration: RaftModelConfiguration = RaftModelConfiguration()) {
        self.init(configuration, startPath: [])
    }

    /// A model whose single initial state is the end of `path` (labels followed from the
    /// usual initial state): depths, paths and discoveries then count from there. This is how
    /// a long scenario is checked around its end, e.g. docs/MODEL.md's 21-step counterexample
    /// for `commit-older-term`.
    public static func starting(after path: [String],
                                _ configuration: RaftModelConfiguration = RaftModelConfiguration()) throws(ReplayError) -> RaftModel {
        let model = RaftModel(configuration, startPath: path)
        let start = try model.path(from: model.makeInitialState(), following: path).last?.state ?? model.makeInitialState()
        model.initialStateCache.withLock { $0 = start }
        return model
    }

    private init(_ configuration: RaftModelConfiguration, startPath: [String]) {
        if let problem = configuration.problem { preconditionFailure(problem) }
        self.configuration = configuration
        self.startPath = startPath
        layout = StateLayout(serverCount: configuration.totalServerCount,
                             tracksDurableState: configuration.crashMode == .restart)
        order = NetworkOrder(semantics: configuration.network)
        members = Array(0..<configuration.totalServerCount)
        crashCountMax = configuration.effectiveCrashCountMax
        canonical = CanonicalFingerprints(serverCount: configuration.totalServerCount, layout: layout,
                                          configuration: configuration)
    }

    /// Every server starts from an empty disk (both timers armed), and each has a client
    /// proposal on its way to it carrying its own id as text (raft-lite's broadcast).
    /// Built from memoized steps, so every call returns the same state.
    func makeInitialState() -> ClusterState {
        var header = [UInt32](repeating: 0, count: layout.headerCount)
        var network: [UInt32] = []
        let emptyDisk = durables.intern(StateEncoding.persistentState(.initial)) { .initial }.reference
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: OutcomeLayout.wordsMax) { buffer in
            for id in members {
                let count = restartOutcome(durable: emptyDisk, id: id, into: buffer)
                header[0] |= StateLayout.timerBits(buffer[OutcomeLayout.flagsWord], of: id)
                header[layout.nodeIndex(id)] = buffer[OutcomeLayout.nodeWord]
                if layout.tracksDurableState {
                    header[layout.durableIndex(id)] = updatedDurable(emptyDisk, applying: buffer[OutcomeLayout.deltaWord])
                }
                network += buffer[OutcomeLayout.sentStart..<count]
            }
        }
        for id in members where id < configuration.serverCount { // the joining server has no client
            let proposal = Proposal(request: RequestID(id + 1), payload: Array(String(id).utf8))
            network.append(itemReference(.clientRequest(to: id, proposal)).raw)
        }
        return ClusterState(words: header + order.canonicalize(network))
    }

    // MARK: Model

    public func initialStates() -> [ClusterState] { [initialState] }

    public func actions(in state: ClusterState, into actions: inout [RaftAction]) {
        let flags = state.words[0]
        state.words.withUnsafeBufferPointer { words in
            let network = UnsafeBufferPointer(rebasing: words[layout.headerCount...])
            for position in network.indices where order.startsDeliverable(at: position, in: network) {
                let item = ItemReference(raw: network[position])
                if flags & StateLayout.crashedBit(item.to) == 0 { actions.append(.deliver(item)) }
            }
        }
        for id in members {
            for kind in TimerKind.allCases where flags & StateLayout.timerBit(id, kind) != 0 {
                actions.append(.timeout(id, kind))
            }
        }
        if configuration.snapshots {
            for id in members where flags & StateLayout.crashedBit(id) == 0 && canSnapshot(nodes.payload(state.words[layout.nodeIndex(id)])) {
                actions.append(.snapshot(id))
            }
        }
        if configuration.membership {
            for id in members where flags & StateLayout.crashedBit(id) == 0 {
                for change in membershipChanges(of: nodes.payload(state.words[layout.nodeIndex(id)])) {
                    actions.append(.changeMembership(id, change))
                }
            }
        }
        if configuration.transfers {
            for id in members where flags & StateLayout.crashedBit(id) == 0 {
                for target in transferTargets(of: nodes.payload(state.words[layout.nodeIndex(id)])) {
                    actions.append(.transferLeadership(id, to: target))
                }
            }
        }
        let crashedCount = (flags >> UInt32(StateLayout.crashedShift)).nonzeroBitCount
        for id in members where flags & StateLayout.crashedBit(id) == 0 && crashedCount < crashCountMax {
            actions.append(.crash(id))
        }
        if layout.tracksDurableState {
            for id in members where flags & StateLayout.crashedBit(id) != 0 { actions.append(.restart(id)) }
            if crashedCount < crashCountMax {
                for id in members where flags & StateLayout.crashedBit(id) == 0 {
                    appendCrashesInBatches(of: id, in: state, into: &actions)
                }
            }
        }
    }

    public func step(_ state: ClusterState, _ action: RaftAction) -> Step<ClusterState>? {
        let flags = state.words[0]
        switch action {
        case .deliver(let item):
            guard item.to < layout.serverCount, flags & StateLayout.crashedBit(item.to) == 0 else { return nil }
            let position = state.words.withUnsafeBufferPointer { words in
                order.deliverablePosition(of: item.raw, in: UnsafeBufferPointer(rebasing: words[layout.headerCount...]))
            }
            guard let position else { return nil }
            let removed = configuration.network == .unorderedDuplicating ? nil : position
            return stepNode(state, item.to, code: item.raw, flags: flags, removing: removed)
        case .timeout(let id, let kind):
            guard id >= 0 && id < layout.serverCount, flags & StateLayout.timerBit(id, kind) != 0 else { return nil }
            return stepNode(state, id, code: InputCode.timeout(kind), flags: flags & ~StateLayout.timerBit(id, kind),
                            removing: nil)
        case .crash(let id):
            let crashedCount = (flags >> UInt32(StateLayout.crashedShift)).nonzeroBitCount
            guard id >= 0 && id < layout.serverCount, flags & StateLayout.crashedBit(id) == 0,
                  crashedCount < crashCountMax else { return nil }
            var words = state.words
            words[0] = (flags & ~StateLayout.timerBits(id)) | StateLayout.crashedBit(id)
            if layout.tracksDurableState { words[layout.nodeIndex(id)] = StateLayout.downNode }
            return Step(state: ClusterState(words: words))
        case .crashInBatch(let crash):
            return crashInBatchStep(state, crash)
        case .snapshot(let id):
            guard configuration.snapshots, id >= 0 && id < layout.serverCount, flags & StateLayout.crashedBit(id) == 0,
                  canSnapshot(nodes.payload(state.words[layout.nodeIndex(id)])) else { return nil }
            return stepNode(state, id, code: InputCode.snapshot, flags: flags, removing: nil)
        case .changeMembership(let id, let change):
            guard configuration.membership, id >= 0 && id < layout.serverCount, flags & StateLayout.crashedBit(id) == 0,
                  membershipChanges(of: nodes.payload(state.words[layout.nodeIndex(id)])).contains(change) else { return nil }
            return stepNode(state, id, code: InputCode.membership(change), flags: flags, removing: nil)
        case .transferLeadership(let id, let target):
            guard configuration.transfers, id >= 0 && id < layout.serverCount, flags & StateLayout.crashedBit(id) == 0,
                  transferTargets(of: nodes.payload(state.words[layout.nodeIndex(id)])).contains(target) else { return nil }
            return stepNode(state, id, code: InputCode.transfer(to: target), flags: flags, removing: nil)
        case .restart(let id):
            guard layout.tracksDurableState, id >= 0 && id < layout.serverCount,
                  flags & StateLayout.crashedBit(id) != 0 else { return nil }
            // The restarted node's disk counts one more incarnation before the node runs.
            let disk = nextIncarnation(of: state.words[layout.durableIndex(id)])
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: OutcomeLayout.wordsMax) { buffer in
                let count = restartOutcome(durable: disk, id: id, into: buffer)
                return successor(state, id, outcome: UnsafeBufferPointer(rebasing: buffer[..<count]),
                                 flags: flags & ~StateLayout.crashedBit(id), removing: nil, disk: disk)
            }
        }
    }

    /// The fingerprint of `state`'s class: states that differ only in campaign numbers (and,
    /// with symmetry, in server names) share it (`CanonicalFingerprints`).
    public func fingerprint(of state: ClusterState) -> Fingerprint {
        state.words.withUnsafeBufferPointer { canonical.fingerprint($0, model: self) }
    }

    public func label(of action: RaftAction) -> String {
        switch action {
        case .deliver(let item): return self.item(item).label
        case .timeout(let id, let kind): return "Timeout(\(id), \(kind.rawValue))"
        case .crash(let id): return "Crash(\(id))"
        case .restart(let id): return "Restart(\(id))"
        case .crashInBatch(let crash): return label(of: crash)
        case .snapshot(let id): return "Snapshot(\(id))"
        case .changeMembership(let id, .addLearner(let server)): return "AddLearner(\(id), \(server))"
        case .changeMembership(let id, .promote(let server)): return "Promote(\(id), \(server))"
        case .changeMembership(let id, .remove(let server)): return "Remove(\(id), \(server))"
        case .transferLeadership(let id, let target): return "TransferLeader(\(id), \(target))"
        }
    }

    // MARK: Successors

    private func stepNode(_ state: ClusterState, _ id: NodeID, code: UInt32, flags: UInt32,
                          removing removed: Int?) -> Step<ClusterState> {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: OutcomeLayout.wordsMax) { buffer in
            let count = transition(state.words[layout.nodeIndex(id)], code: code, into: buffer)
            return successor(state, id, outcome: UnsafeBufferPointer(rebasing: buffer[..<count]), flags: flags,
                             removing: removed)
        }
    }

    /// `state` with server `id` replaced by `outcome`'s node, its timers re-armed, its disk
    /// (`disk`, by default the one in `state`) updated, the delivered item at `removed` gone
    /// and the sent items added.
    private func successor(_ state: ClusterState, _ id: NodeID, outcome: UnsafeBufferPointer<UInt32>, flags: UInt32,
                           removing removed: Int?, disk: UInt32? = nil) -> Step<ClusterState> {
        let outcomeFlags = outcome[OutcomeLayout.flagsWord]
        let sent = UnsafeBufferPointer(rebasing: outcome[OutcomeLayout.sentStart...])
        let headerCount = layout.headerCount
        let durable = layout.tracksDurableState
            ? updatedDurable(disk ?? state.words[layout.durableIndex(id)], applying: outcome[OutcomeLayout.deltaWord])
            : 0
        let words = state.words.withUnsafeBufferPointer { old in
            [UInt32](unsafeUninitializedCapacity: old.count + sent.count) { output, initialized in
                for index in 0..<headerCount { output[index] = old[index] }
                output[0] = flags | StateLayout.timerBits(outcomeFlags, of: id)
                output[layout.nodeIndex(id)] = outcome[OutcomeLayout.nodeWord]
                if layout.tracksDurableState { output[layout.durableIndex(id)] = durable }
                let networkCount = order.write(UnsafeBufferPointer(rebasing: old[headerCount...]), removing: removed,
                                               adding: sent,
                                               into: UnsafeMutableBufferPointer(rebasing: output[headerCount...]))
                initialized = headerCount + networkCount
            }
        }
        var mask = PropertyMask.all
        if outcomeFlags & OutcomeLayout.violatesLeaderAppendOnly != 0 {
            mask.remove(PropertyMask(position: RaftProperties.leaderAppendOnly))
        }
        if outcomeFlags & OutcomeLayout.droppedMessage != 0 {
            mask.remove(PropertyMask(position: RaftProperties.messagesValid))
        }
        return Step(state: ClusterState(words: words), transitionMask: mask)
    }
}
