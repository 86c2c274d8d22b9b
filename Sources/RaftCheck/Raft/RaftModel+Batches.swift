import RaftCore

/// A crash inside a batch (crash-restart models): the server takes one or two inputs as one
/// batch, carries out their outputs in the runtime's order (`OutputStage`) and crashes part
/// way, before the batch's durable write finished.
///
/// `NodeHost` steps every input of a batch before any output is carried out, then sends a
/// leader's log requests, then writes the batch's changes with one `pwrite` and one fsync,
/// then steps `.persisted` and writes the commit indexes that produced, then sends the rest
/// and delivers. A crash is named by how many of the batch's durable changes, in writing
/// order, reached the disk. The crash points explored:
/// - after the early sends, nothing written (`kill -9` during the fsync, or before it);
/// - after the write, before the commit indexes `.persisted` produced (when it produced any);
/// - with `RaftModelConfiguration.tornWrites`, after every prefix of the batch's records too
///   (power loss during the write: the replay keeps the records up to the first torn one).
/// A crash after everything was written is `Crash(i)` after the atomic step (the unsent
/// messages count as lost, which the network may do anyway).
public struct CrashInBatch: Hashable, Sendable {
    /// The server that crashes.
    public var server: NodeID
    /// The batch's first input: an item reference or an `InputCode`.
    let first: UInt32
    /// Its second input, or `CrashInBatch.noInput` for a batch of one.
    let second: UInt32
    /// How many of the batch's durable changes were written before the crash.
    public var durableChanges: Int
    /// How many durable changes the whole batch makes (named in the label).
    public var changeCount: Int

    /// Marks a batch of one input.
    static let noInput = UInt32.max

    /// The batch's inputs, in the order they were stepped.
    var inputs: [UInt32] { second == Self.noInput ? [first] : [first, second] }
}

/// The runtime's stages of one batch, as the model needs them (memoized per step; no change
/// is decoded unless a crash keeps part of a step's changes).
struct BatchOutcome {
    /// The node after the batch's steps (before `.persisted`).
    var node: UInt32
    /// Each step's interned changes (`OutcomeLayout.noDelta` for none), in order.
    var stepDeltas: (UInt32, UInt32)
    /// How many durable changes the steps made.
    var stepChanges: Int
    /// The changes `.persisted` adds (commit indexes), written after the steps'.
    var persistedDelta: UInt32
    /// How many durable changes the whole batch makes.
    var changeCount: Int
    /// Items the batch sends before its write (`OutputStage.beforeWrite`).
    var earlyCount: Int
}

extension RaftModel {
    /// Most inputs in one batch the model crashes inside. Two suffice for every window of the
    /// ordering contract: a step that changes the durable state, followed by one whose
    /// requests could leave before that change is durable (a vote request vouching for an
    /// entry appended in the same batch, the bug `send-before-persist` shows).
    public static let batchInputsMax = 2

    /// Appends the crash-inside-a-batch actions of server `id` in `state`: every batch of
    /// one or two of its enabled inputs, crashed at each point that makes a difference (see
    /// `CrashInBatch`).
    func appendCrashesInBatches(of id: NodeID, in state: ClusterState, into actions: inout [RaftAction]) {
        let nodeWord = state.words[layout.nodeIndex(id)]
        let timers = state.words[0]
        state.words.withUnsafeBufferPointer { words in
            let network = UnsafeBufferPointer(rebasing: words[layout.headerCount...])
            forEachInput(of: id, network: network, timers: timers, removing: nil) { first, firstPosition in
                let single = batchOutcome(nodeWord, first, CrashInBatch.noInput)
                for written in crashPoints(of: single) {
                    actions.append(.crashInBatch(CrashInBatch(server: id, first: first, second: CrashInBatch.noInput,
                                                              durableChanges: written, changeCount: single.changeCount)))
                }
                guard single.stepChanges > 0 else { return }
                let restTimers = InputCode.timerKind(first).map { timers & ~StateLayout.timerBit(id, $0) } ?? timers
                forEachInput(of: id, network: network, timers: restTimers,
                             removing: firstPosition >= 0 ? firstPosition : nil) { second, _ in
                    let pair = batchOutcome(nodeWord, first, second)
                    // Only a second step that sends before the write opens a window a batch of
                    // one does not have: its sends leave before the first step's changes are durable.
                    guard pair.earlyCount > single.earlyCount else { return }
                    let points = configuration.tornWrites ? Array(0..<pair.changeCount) : [0]
                    for written in points {
                        actions.append(.crashInBatch(CrashInBatch(server: id, first: first, second: second,
                                                                  durableChanges: written, changeCount: pair.changeCount)))
                    }
                }
            }
        }
    }

    /// How many of `batch`'s changes may be on disk at a crash worth exploring (see `CrashInBatch`).
    private func crashPoints(of batch: BatchOutcome) -> [Int] {
        guard batch.changeCount > 0 else { return [] } // nothing to lose: the atomic step, then a crash
        if configuration.tornWrites {
            // Nothing sent early and nothing written is crashing before the batch (its input lost).
            return Array((batch.earlyCount == 0 ? 1 : 0)..<batch.changeCount)
        }
        var points: [Int] = []
        if batch.earlyCount > 0 { points.append(0) }
        if batch.stepChanges < batch.changeCount { points.append(batch.stepChanges) }
        return points
    }

    /// The successor of `crash` in `state`, or nil when it is not enabled there.
    func crashInBatchStep(_ state: ClusterState, _ crash: CrashInBatch) -> Step<ClusterState>? {
        let id = crash.server
        let flags = state.words[0]
        let crashedCount = (flags >> UInt32(StateLayout.crashedShift)).nonzeroBitCount
        guard layout.tracksDurableState, id >= 0 && id < layout.serverCount,
              flags & StateLayout.crashedBit(id) == 0, crashedCount < crashCountMax else { return nil }
        var network = Array(state.words[layout.headerCount...])
        var timers = flags
        for code in crash.inputs {
            guard let (rest, restTimers) = taking(code, of: id, network, timers) else { return nil }
            network = rest
            timers = restTimers
        }
        let nodeWord = state.words[layout.nodeIndex(id)]
        let outcome = batchOutcome(nodeWord, crash.first, crash.second)
        guard crash.changeCount == outcome.changeCount,
              crash.durableChanges >= 0 && crash.durableChanges < outcome.changeCount else { return nil }
        var words = Array(state.words[..<layout.headerCount])
        words[0] = (flags & ~StateLayout.timerBits(id)) | StateLayout.crashedBit(id)
        words[layout.nodeIndex(id)] = StateLayout.downNode
        words[layout.durableIndex(id)] = disk(words[layout.durableIndex(id)], after: outcome, keeping: crash.durableChanges)
        let early = earlySends(nodeWord, crash.inputs)
        let count = network.count + early.count
        let networkWords = network.withUnsafeBufferPointer { old in
            early.withUnsafeBufferPointer { sent in
                [UInt32](unsafeUninitializedCapacity: count) { output, initialized in
                    initialized = order.write(old, removing: nil, adding: sent, into: output)
                }
            }
        }
        return Step(state: ClusterState(words: words + networkWords))
    }

    /// Disk `durable` with the first `kept` of `batch`'s changes written.
    private func disk(_ durable: UInt32, after batch: BatchOutcome, keeping kept: Int) -> UInt32 {
        if kept == 0 { return durable }
        if kept == batch.stepChanges {
            return updatedDurable(updatedDurable(durable, applying: batch.stepDeltas.0), applying: batch.stepDeltas.1)
        }
        // A torn write: decode the changes and keep a prefix.
        var changes: [PersistentChange] = []
        for delta in [batch.stepDeltas.0, batch.stepDeltas.1, batch.persistedDelta] where delta != OutcomeLayout.noDelta {
            changes += deltas.payload(delta)
        }
        let written = Array(changes.prefix(kept))
        let delta = deltas.intern(StateEncoding.changes(written)) { written }.reference
        return updatedDurable(durable, applying: delta)
    }

    /// `network` and `timers` after server `id` takes input `code`, or nil when `code` is
    /// not enabled there (an item delivered stays in flight in a duplicating network).
    private func taking(_ code: UInt32, of id: NodeID, _ network: [UInt32], _ timers: UInt32) -> ([UInt32], UInt32)? {
        if let kind = InputCode.timerKind(code) {
            let bit = StateLayout.timerBit(id, kind)
            return timers & bit == 0 ? nil : (network, timers & ~bit)
        }
        guard ItemReference(raw: code).to == id,
              let position = network.withUnsafeBufferPointer({ order.deliverablePosition(of: code, in: $0) }) else { return nil }
        guard configuration.network != .unorderedDuplicating else { return (network, timers) }
        var rest = network
        rest.remove(at: position)
        return (rest, timers)
    }

    /// `CrashInBatch`'s label, e.g.
    /// `Crash(1) in batch [0 → 1 LogRequest(…); Timeout(1, election)] after 0 of 2 writes`.
    func label(of crash: CrashInBatch) -> String {
        let inputs = crash.inputs.map { code -> String in
            if let kind = InputCode.timerKind(code) { return "Timeout(\(crash.server), \(kind.rawValue))" }
            return item(ItemReference(raw: code)).label
        }
        return "Crash(\(crash.server)) in batch [\(inputs.joined(separator: "; "))] after \(crash.durableChanges) of \(crash.changeCount) writes"
    }

    /// Calls `body` with every input server `id` could take with `network` in flight (without
    /// the item at `removed`, when given) and `timers` armed: each deliverable item once with
    /// its position, then its armed timers (position -1).
    private func forEachInput(of id: NodeID, network: UnsafeBufferPointer<UInt32>, timers: UInt32, removing removed: Int?,
                              _ body: (UInt32, Int) -> Void) {
        let removed = configuration.network == .unorderedDuplicating ? nil : removed // delivering leaves the item
        for position in network.indices where position != removed {
            guard ItemReference(raw: network[position]).to == id else { continue }
            var deliverable = order.startsDeliverable(at: position, in: network)
            if let removed, position == removed + 1 {
                // What follows the removed item moves up: another copy of it in a multiset,
                // the next of its queue in an ordered network.
                switch configuration.network {
                case .unorderedNonDuplicating: deliverable = deliverable || network[position] == network[removed]
                case .ordered: deliverable = deliverable || network[position] & 0xFF == network[removed] & 0xFF
                case .unorderedDuplicating: break
                }
            }
            if deliverable { body(network[position], position) }
        }
        for kind in TimerKind.allCases where timers & StateLayout.timerBit(id, kind) != 0 {
            body(InputCode.timeout(kind), -1)
        }
    }

    /// What node `nodeWord` does with the batch `first`, `second` (or `CrashInBatch.noInput`).
    func batchOutcome(_ nodeWord: UInt32, _ first: UInt32, _ second: UInt32) -> BatchOutcome {
        let one = rawStep(nodeWord, code: first)
        var outcome = BatchOutcome(node: one.node, stepDeltas: (one.delta, OutcomeLayout.noDelta), stepChanges: one.changeCount,
                                   persistedDelta: OutcomeLayout.noDelta, changeCount: one.changeCount,
                                   earlyCount: one.earlyCount)
        if second != CrashInBatch.noInput {
            let two = rawStep(one.node, code: second)
            outcome.node = two.node
            outcome.stepDeltas.1 = two.delta
            outcome.stepChanges += two.changeCount
            outcome.earlyCount += two.earlyCount
        }
        outcome.changeCount = outcome.stepChanges
        if outcome.stepChanges > 0 {
            let persisted = rawStep(outcome.node, code: InputCode.persisted)
            outcome.persistedDelta = persisted.delta
            outcome.changeCount += persisted.changeCount
        }
        return outcome
    }

    /// The early sends of the batch `inputs` at node `nodeWord`, in order.
    private func earlySends(_ nodeWord: UInt32, _ inputs: [UInt32]) -> [UInt32] {
        var node = nodeWord
        var early: [UInt32] = []
        for code in inputs {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: OutcomeLayout.wordsMax) { buffer in
                let count = rawStepWords(node, code: code, into: buffer)
                node = buffer[0]
                early += buffer[3..<count]
            }
        }
        return early
    }

    /// One core step of `node` on `code` without the write that would follow it: the node
    /// after it, its interned changes and their number, and how many of its sends leave
    /// before the write. `InputCode.persisted` is the `.persisted` input for the node's log.
    private func rawStep(_ node: UInt32, code: UInt32) -> (node: UInt32, delta: UInt32, changeCount: Int, earlyCount: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: OutcomeLayout.wordsMax) { buffer in
            let count = rawStepWords(node, code: code, into: buffer)
            return (buffer[0], buffer[1], Int(buffer[2]), count - 3)
        }
    }

    /// `rawStep`'s memo entry, `[node, delta, changeCount, early...]`, written into `buffer`.
    private func rawStepWords(_ node: UInt32, code: UInt32, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int {
        let key = UInt64(node) << 32 | UInt64(code)
        if let count = rawSteps.lookup(key, into: buffer) { return count }
        var state = nodes.payload(node)
        let input: Input = code == InputCode.persisted
            ? .persisted(logLength: state.log.lastIndex, lastTerm: state.log.lastTerm)
            : self.input(for: code)
        let outputs = state.step(input)
        var changes: [PersistentChange] = []
        var early: [UInt32] = []
        for output in outputs {
            switch output {
            case .persist(let change): changes.append(change)
            case .send(let message) where configuration.nodeOptions.sendsBeforeWrite(message):
                early.append(itemReference(.message(message)).raw)
            default: break
            }
        }
        let reference = nodes.intern(StateEncoding.node(state)) { state }.reference
        let delta = changes.isEmpty ? OutcomeLayout.noDelta : deltas.intern(StateEncoding.changes(changes)) { changes }.reference
        let stored = [reference, delta, UInt32(changes.count)] + early
        rawSteps.store(key, stored)
        for (index, word) in stored.enumerated() { buffer[index] = word }
        return stored.count
    }
}
