import RaftCore

/// How one node step is stored in a memo: `[node, flags, delta, sent...]`.
enum OutcomeLayout {
    static let nodeWord = 0
    static let flagsWord = 1
    static let deltaWord = 2
    static let sentStart = 3
    /// Flag: the step broke Leader Append-Only (bits 0 and 1 are the timer resets).
    static let violatesLeaderAppendOnly: UInt32 = 1 << 2
    /// Flag: a correct node dropped a message as invalid (Messages Valid).
    static let droppedMessage: UInt32 = 1 << 3
    /// Delta word when nothing was persisted (or durable state is not tracked).
    static let noDelta = UInt32.max
    /// Most messages one step may send (a leader broadcasts to at most `serverCountMax - 1`).
    static let sentPerStepMax = 32
    static let wordsMax = sentStart + sentPerStepMax
}

/// Input codes of the transition memo besides item references.
enum InputCode {
    static let electionTimeout: UInt32 = 0xFFFF_FFF0
    static let heartbeatTimeout: UInt32 = 0xFFFF_FFF1
    /// `.persisted` for the node's whole log (crash-inside-a-batch outcomes only).
    static let persisted: UInt32 = 0xFFFF_FFF2
    /// The application's snapshot through the node's commit index (`RaftAction.snapshot`).
    static let snapshot: UInt32 = 0xFFFF_FFF3

    /// `Input.changeMembership`: `0xFFFF_FE00 | kind << 4 | server` (kind 0 add-learner,
    /// 1 promote, 2 remove; servers fit four bits like item references').
    static let membershipBase: UInt32 = 0xFFFF_FE00

    static func membership(_ change: MembershipChange) -> UInt32 {
        let kind: UInt32
        switch change {
        case .addLearner: kind = 0
        case .promote: kind = 1
        case .remove: kind = 2
        }
        return membershipBase | kind << 4 | UInt32(change.server)
    }

    /// The change `code` names, if it is a membership code.
    static func membershipChange(_ code: UInt32) -> MembershipChange? {
        guard code & 0xFFFF_FF00 == membershipBase, (code >> 4) & 0xF < 3 else { return nil }
        let server = Int(code & 0xF)
        switch (code >> 4) & 0xF {
        case 0: return .addLearner(server)
        case 1: return .promote(server)
        default: return .remove(server)
        }
    }

    /// `Input.transferLeadership`: `0xFFFF_FD00 | target`.
    static let transferBase: UInt32 = 0xFFFF_FD00

    static func transfer(to target: NodeID) -> UInt32 { transferBase | UInt32(target) }

    /// The target `code` names, if it is a transfer code.
    static func transferTarget(_ code: UInt32) -> NodeID? {
        code & 0xFFFF_FFF0 == transferBase ? Int(code & 0xF) : nil
    }

    static func timeout(_ kind: TimerKind) -> UInt32 { kind == .election ? electionTimeout : heartbeatTimeout }

    /// The timer `code` fires, if it is a timer's code.
    static func timerKind(_ code: UInt32) -> TimerKind? {
        switch code {
        case electionTimeout: return .election
        case heartbeatTimeout: return .heartbeat
        default: return nil
        }
    }
}

/// Memoized node steps: the first time a node state meets an input the core's `step` runs
/// and the result is interned; every later time is one memo lookup.
extension RaftModel {
    /// Writes the outcome of node `node` taking input `code` (an item reference or an
    /// `InputCode`) into `buffer` and returns its length.
    func transition(_ node: UInt32, code: UInt32, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int {
        let key = UInt64(node) << 32 | UInt64(code)
        if let count = transitions.lookup(key, into: buffer) { return count }
        var state = nodes.payload(node)
        let before = state
        let outputs = state.stepAsBatch(code == InputCode.snapshot ? snapshotInput(of: state) : input(for: code))
        let violates = RaftInvariants.leaderAppendOnly(before: before, after: state) != nil
        let words = outcomeWords(state, outputs, violatesLeaderAppendOnly: violates)
        transitions.store(key, words)
        return copy(words, into: buffer)
    }

    /// Writes the outcome of server `id` starting from durable state `durable` into `buffer`.
    func restartOutcome(durable: UInt32, id: NodeID, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int {
        let key = UInt64(durable) << 32 | UInt64(id)
        if let count = restarts.lookup(key, into: buffer) { return count }
        var state = RaftNode(id: id, bootstrap: configuration.bootstrap(of: id), options: configuration.nodeOptions)
        let outputs = state.step(.restart(durables.payload(durable)))
        let words = outcomeWords(state, outputs, violatesLeaderAppendOnly: false)
        restarts.store(key, words)
        return copy(words, into: buffer)
    }

    /// The disk `durable` as the next incarnation finds it (a start records one more).
    func nextIncarnation(of durable: UInt32) -> UInt32 {
        let key = UInt64(durable)
        var found: UInt32?
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1) { buffer in
            if incarnationUpdates.lookup(key, into: buffer) != nil { found = buffer[0] }
        }
        if let found { return found }
        let disk = durables.payload(durable).nextIncarnation
        let updated = durables.intern(StateEncoding.persistentState(disk)) { disk }.reference
        incarnationUpdates.store(key, [updated])
        return updated
    }

    /// The durable state after applying the persisted changes `delta` to `durable`.
    func updatedDurable(_ durable: UInt32, applying delta: UInt32) -> UInt32 {
        guard delta != OutcomeLayout.noDelta else { return durable }
        let key = UInt64(durable) << 32 | UInt64(delta)
        var found: UInt32?
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1) { buffer in
            if durableUpdates.lookup(key, into: buffer) != nil { found = buffer[0] }
        }
        if let found { return found }
        var disk = durables.payload(durable)
        for change in deltas.payload(delta) { disk.apply(change) }
        let updated = durables.intern(StateEncoding.persistentState(disk)) { disk }.reference
        durableUpdates.store(key, [updated])
        return updated
    }

    /// The interned reference of `item`.
    func itemReference(_ item: NetworkItem) -> ItemReference {
        let index = items.intern(StateEncoding.item(item)) { item }.reference
        return ItemReference(index: index, from: item.from, to: item.to)
    }

    /// The network item behind `reference`.
    func item(_ reference: ItemReference) -> NetworkItem { items.payload(reference.index) }

    /// What the model's application hands `node`: the entries it applied through its commit
    /// index (through its whole log under `snapshot-ahead-of-commit`, as that mutant takes it).
    func snapshotInput(of node: RaftNode) -> Input {
        let index = node.options.mutant == .snapshotAheadOfCommit ? node.log.lastIndex : node.commitIndex
        // The model's application state is the entries it applied (`AppliedEntriesCodec`):
        // the node's snapshot's bytes, then its log's entries after it.
        var data = node.snapshot.data
        if index > node.snapshot.index {
            data += AppliedEntriesCodec.encode(((node.snapshot.index + 1)...index).lazy.map { node.log[$0] })
        }
        return .snapshot(index: index, data: data)
    }

    /// The changes an operator may ask of `node`: none unless it leads; else adding the
    /// joining server as a learner, promoting it, or removing any member, whichever apply to
    /// its configuration (the node itself refuses what it must not append yet).
    func membershipChanges(of node: RaftNode) -> [MembershipChange] {
        guard node.isRunning, node.role == .leader else { return [] }
        var changes: [MembershipChange] = []
        let joining = configuration.serverCount
        if !node.configuration.contains(joining) { changes.append(.addLearner(joining)) }
        if node.configuration.learners.contains(joining) { changes.append(.promote(joining)) }
        for member in node.members where node.configuration.voters != NodeSet([member]) { changes.append(.remove(member)) }
        return changes
    }

    /// The servers an operator may ask `node` to hand leadership to: none unless it leads and
    /// no transfer is in progress; else every other voter of its configuration.
    func transferTargets(of node: RaftNode) -> [NodeID] {
        guard node.isRunning, node.role == .leader, node.transferTarget == nil else { return [] }
        return node.configuration.voters.filter { $0 != node.id }
    }

    /// Whether `node` has something newer than its snapshot to snapshot.
    func canSnapshot(_ node: RaftNode) -> Bool {
        node.isRunning && (node.options.mutant == .snapshotAheadOfCommit ? node.log.lastIndex : node.commitIndex) > node.snapshot.index
    }

    func input(for code: UInt32) -> Input {
        switch code {
        case InputCode.electionTimeout: return .electionTimeout
        case InputCode.heartbeatTimeout: return .heartbeatTimeout
        default:
            if let change = InputCode.membershipChange(code) { return .changeMembership(change) }
            if let target = InputCode.transferTarget(code) { return .transferLeadership(to: target) }
            return item(ItemReference(raw: code)).input
        }
    }

    private func outcomeWords(_ node: RaftNode, _ outputs: [Output], violatesLeaderAppendOnly: Bool) -> [UInt32] {
        var resets: UInt32 = 0
        var sent: [UInt32] = []
        var persisted: [PersistentChange] = []
        var droppedMessage = false
        for output in outputs {
            switch output {
            case .send(let message): sent.append(itemReference(.message(message)).raw)
            case .resetTimer(let kind): resets |= kind == .election ? 1 : 2
            case .persist(let change): persisted.append(change)
            case .dropMessage: droppedMessage = node.options.mutant == nil
            case .deliver, .restore, .rejectProposal, .trace, .membershipChanged, .membershipChangeRefused:
                break // implied by the log, or not modelled
            }
        }
        precondition(sent.count <= OutcomeLayout.sentPerStepMax,
                     "one step sent \(sent.count) messages; the model keeps at most \(OutcomeLayout.sentPerStepMax)")
        let reference = nodes.intern(StateEncoding.node(node)) { node }.reference
        var delta = OutcomeLayout.noDelta
        if layout.tracksDurableState && !persisted.isEmpty {
            delta = deltas.intern(StateEncoding.changes(persisted)) { persisted }.reference
        }
        let flags = resets | (violatesLeaderAppendOnly ? OutcomeLayout.violatesLeaderAppendOnly : 0)
            | (droppedMessage ? OutcomeLayout.droppedMessage : 0)
        return [reference, flags, delta] + sent
    }

    private func copy(_ words: [UInt32], into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int {
        precondition(words.count <= buffer.count, "outcome of \(words.count) words for a buffer of \(buffer.count)")
        for (index, word) in words.enumerated() { buffer[index] = word }
        return words.count
    }
}
