#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Logging
import NIOCore
import RaftCore
import RaftCoreTrace
import RaftTrace

/// Runs one `RaftNode` on one event loop: collects inputs into batches, steps the core, and
/// carries out the batch's outputs in the stages of the core's ordering contract
/// (`OutputStage`): a leader's log requests leave at once, then the batch's durable changes
/// are written with one commit (group commit) and the node learns they are durable
/// (`.persisted`), and only then do its other messages leave, its entries get delivered and
/// its clients hear back. No input of the next batch runs before the write is done.
///
/// Confined to `eventLoop`: every method but `submitFromAnyThread` must be called on it.
public final class NodeHost: @unchecked Sendable {
    /// The loop that owns this host.
    public let eventLoop: any EventLoop
    /// Timing, batching and protocol options.
    public let tuning: NodeTuning
    /// The protocol state (read it on the loop).
    public private(set) var node: RaftNode
    /// The incarnation this host runs (from storage).
    public var incarnation: Int { storage.incarnation }

    private let storage: any NodeStorage
    private var failpoints: Failpoints
    private var transport: (any MessageTransport)?
    private let trace: TraceWriter?
    private var random: SplitMix64
    private var electionTimer: LoopTimer!
    private var heartbeatTimer: LoopTimer!
    private var traceFlushTask: RepeatedTask?
    private var pendingInputs: [Input] = []
    /// Operators waiting for the answer to a membership change, oldest first.
    private var membershipWaiters: [(change: MembershipChange, reply: (MembershipAnswer) -> Void)] = []
    private var batchScheduled = false
    private var isFirstBatch = true
    private var lifecycle = Lifecycle.created

    /// Where a host is in its life: inputs are taken only while it runs.
    private enum Lifecycle {
        /// Made, not started: inputs are dropped.
        case created
        /// Started from its storage: inputs run in batches.
        case running
        /// Stopped, cleanly or as a crash would (`abandon`).
        case stopped
        /// Stopped on its own because a durable write failed, with the one-line reason.
        case failed(String)
    }

    private var isRunning: Bool {
        if case .running = lifecycle { return true } else { return false }
    }

    /// Called on the loop with every committed entry, in log order, after it is durable, with
    /// the state machine's reply to it (empty without one).
    public var onDeliver: ((Int, Entry, [UInt8]) -> Void)?
    /// Called on the loop, in order with `onDeliver`, when the application must replace its
    /// state with a snapshot (`Output.restore`): deliveries go on after `snapshot.index`.
    public var onRestore: ((Snapshot) -> Void)?
    /// The application the host applies entries to, snapshots and restores itself
    /// (`RaftConfig.stateMachine`); set before `start`.
    public var stateMachine: (any StateMachine)?
    /// With a `stateMachine`: a snapshot every this many applied entries (`nil`: never).
    public var snapshotEveryEntries: Int?
    /// The last index handed to the application (an entry's, or a restored snapshot's).
    public private(set) var appliedIndex = 0
    /// Called on the loop with every refused proposal.
    public var onReject: ((RequestID, ProposalRejection) -> Void)?
    /// Called on the loop after every batch (for status displays).
    public var onBatch: ((BatchSummary) -> Void)?
    /// Called on the loop, once, when the node stopped because its durable write failed,
    /// with the one-line reason (`failure`).
    public var onFailure: ((String) -> Void)?
    /// Why the node stopped on its own (a durable write failed), if it did.
    public var failure: String? {
        if case .failed(let reason) = lifecycle { return reason } else { return nil }
    }
    /// Who watches the batches: metrics, live spans, the log of invalid messages (set before
    /// `start`; the invalid-message log is always there).
    public var observers: [any NodeObserver]
    /// Where the node tells the operator what went wrong.
    public var logger: Logger
    /// The compaction whose background part runs, if one does (`startCompaction`).
    private var compaction: (any StorageCompaction)?
    /// Left when the background part of `compaction` is done.
    private let compactionRunning = DispatchGroup()
    /// No compaction starts before this (monotonic ns): one that failed waits a minute.
    private var compactionAllowedAfterNs: UInt64 = 0
    /// How long a failed compaction waits before the next attempt.
    static let compactionRetryDelayNs: UInt64 = 60_000_000_000

    /// What one batch did.
    public struct BatchSummary: Sendable {
        public var inputs: Int
        public var messagesSent: Int
        public var entriesDelivered: Int
        public var fsyncUs: UInt64?
    }

    /// How often the trace writer is offered a flush while the node is idle.
    static let traceFlushIntervalMs: Int64 = 50

    /// A host for node `id` of a cluster founded by the voters `members`.
    public convenience init(id: NodeID, members: [NodeID], tuning: NodeTuning, storage: any NodeStorage,
                            trace: TraceWriter?, eventLoop: any EventLoop, failpoints: Failpoints = .none) {
        self.init(id: id, bootstrap: Configuration(voters: members), tuning: tuning, storage: storage, trace: trace,
                  eventLoop: eventLoop, failpoints: failpoints)
    }

    /// A host for node `id` whose configuration, until its log or snapshot holds one, is
    /// `bootstrap` (`RaftConfig.bootstrap`); call `start(transport:)` on the loop to run it.
    /// `failpoints` are test hooks (`Failpoints`; a node process reads them from the
    /// environment).
    public init(id: NodeID, bootstrap: Configuration, tuning: NodeTuning, storage: any NodeStorage,
                trace: TraceWriter?, eventLoop: any EventLoop, failpoints: Failpoints = .none) {
        self.eventLoop = eventLoop
        self.tuning = tuning
        self.storage = storage
        self.failpoints = failpoints
        self.trace = trace
        self.node = RaftNode(id: id, bootstrap: bootstrap, options: tuning.options)
        var logger = Logger(label: "raftlab.node")
        logger[metadataKey: "node"] = "\(id)"
        self.logger = logger
        self.observers = [InvalidMessageLog(logger: logger)]
        self.random = SplitMix64(seed: tuning.seed.map { $0 &+ UInt64(id) &* 0x9E37_79B9 }
                                     ?? UInt64.random(in: .min ... .max))
        electionTimer = LoopTimer(eventLoop: eventLoop) { [unowned self] in self.submit(.electionTimeout) }
        heartbeatTimer = LoopTimer(eventLoop: eventLoop) { [unowned self] in self.submit(.heartbeatTimeout) }
    }

    /// Starts the node from its storage, sending through `transport`. The restart is applied
    /// before this returns: from then on `node` holds the recovered state, and the committed
    /// entries after `appliedIndex` went to `onDeliver`.
    ///
    /// `appliedIndex` is `PersistentState.appliedIndex`: the highest index the application
    /// already applied, `nil` for the durable commit index (nothing is delivered again).
    public func start(transport: any MessageTransport, appliedIndex: Int? = nil) {
        eventLoop.preconditionInEventLoop()
        guard case .created = lifecycle else { preconditionFailure("a host starts once") }
        self.transport = transport
        lifecycle = .running
        var state = storage.state
        state.incarnation = UInt64(max(1, storage.incarnation))
        state.appliedIndex = appliedIndex
        pendingInputs.append(.restart(state))
        runBatch()
        for observer in observers { observer.started(commitIndex: node.commitIndex) }
        traceFlushTask = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(Self.traceFlushIntervalMs),
                                                        delay: .milliseconds(Self.traceFlushIntervalMs)) { [self] _ in
            try? trace?.flushIfDue()
            for observer in observers { observer.flush() }
        }
    }

    /// Queues an input; the batch it joins runs once the loop has handled the I/O at hand.
    /// Inputs before `start` or after `stop` are dropped (a peer's message that arrives while
    /// the node is still opening is lost, as the network may lose any message).
    public func submit(_ input: Input) {
        eventLoop.preconditionInEventLoop()
        guard isRunning else { return }
        if !failpoints.isEmpty, case .receive(let message) = input, let action = receiveFailpoint(message) {
            if case .delay(let milliseconds) = action {
                eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { [self] in enqueue(input) }
                return
            }
            action.performBlocking()
        }
        enqueue(input)
    }

    private func enqueue(_ input: Input) {
        guard isRunning else { return }
        pendingInputs.append(input)
        if pendingInputs.count >= tuning.inputsPerBatchMax {
            runBatch()
        } else if !batchScheduled {
            batchScheduled = true
            eventLoop.execute { [self] in
                batchScheduled = false
                runBatch()
            }
        }
    }

    /// Asks the node to change its configuration by `change` (`Input.changeMembership`);
    /// `reply` hears the answer once the batch that appended the change is durable (or at
    /// once, `.refused`, when the node is not running).
    public func changeMembership(_ change: MembershipChange, reply: @escaping (MembershipAnswer) -> Void) {
        eventLoop.preconditionInEventLoop()
        guard isRunning else { return reply(.refused(reason: "the node is not running")) }
        membershipWaiters.append((change, reply))
        submit(.changeMembership(change))
    }

    /// Hands `answer` to the oldest caller waiting on `change` (the core answers every
    /// change once, in the order asked).
    private func answerMembershipChange(_ change: MembershipChange, _ answer: MembershipAnswer) {
        guard let position = membershipWaiters.firstIndex(where: { $0.change == change }) else { return }
        let reply = membershipWaiters.remove(at: position).reply
        reply(answer)
    }

    /// `submit` from any thread.
    public func submitFromAnyThread(_ input: Input) {
        eventLoop.execute { [self] in submit(input) }
    }

    /// A message from a peer, from any thread (what a `MessageTransport` calls).
    public func receive(_ message: Message) {
        if eventLoop.inEventLoop { submit(.receive(message)) } else { submitFromAnyThread(.receive(message)) }
    }

    /// Stops the node cleanly: runs what is queued, records `stop`, closes the trace.
    public func stop() {
        eventLoop.preconditionInEventLoop()
        switch lifecycle {
        case .stopped, .failed: return
        case .created, .running: break
        }
        runBatch()
        settleCompaction()
        lifecycle = .stopped
        electionTimer.cancel()
        heartbeatTimer.cancel()
        traceFlushTask?.cancel()
        if let trace {
            try? trace.write(.stop, term: node.currentTerm)
            try? trace.close()
        }
        for observer in observers { observer.flush() }
        storage.close()
        refuseWaitingMembershipChanges()
    }

    /// Tells every operator still waiting on a membership change that the node stopped.
    private func refuseWaitingMembershipChanges() {
        let waiting = membershipWaiters
        membershipWaiters = []
        for (_, reply) in waiting { reply(.refused(reason: "node \(node.id) stopped before it answered")) }
    }

    /// Stops without the clean-shutdown record, as a crash would (for in-process tests).
    public func abandon() {
        eventLoop.preconditionInEventLoop()
        settleCompaction()
        if failure == nil { lifecycle = .stopped }
        pendingInputs = []
        electionTimer.cancel()
        heartbeatTimer.cancel()
        traceFlushTask?.cancel()
        trace?.abandon()
        storage.close()
        refuseWaitingMembershipChanges()
    }

    // MARK: The batch

    /// What one batch's steps output, sorted into the stages of the ordering contract.
    private struct BatchOutputs {
        /// `.beforeWrite` sends: a leader's log requests.
        var early: [Message] = []
        /// `.afterWrite` sends: everything else.
        var late: [Message] = []
        var changes: [PersistentChange] = []
        var deliveries: [(index: Int, entry: Entry)] = []
        /// Snapshots the application restores, each before the delivery at `position`.
        var restores: [(position: Int, snapshot: Snapshot)] = []
        var rejections: [(RequestID, ProposalRejection)] = []
        /// Answers to membership changes, in the order they were asked.
        var membershipAnswers: [(MembershipChange, MembershipAnswer)] = []
        /// The trace lines, per-entry events coalesced (one `deliver` per run, proposals in their `append`).
        var traceBodies = TraceBodyBatch()
        /// Entries the steps appended to the log.
        var appendedEntries = 0

        /// Adds the sends, deliveries, rejections and events of the step after the write (all
        /// its sends leave with the late ones: stage 1 is over).
        mutating func absorb(_ other: BatchOutputs) {
            late += other.early + other.late
            restores += other.restores.map { ($0.position + deliveries.count, $0.snapshot) }
            deliveries += other.deliveries
            rejections += other.rejections
            membershipAnswers += other.membershipAnswers
            traceBodies += other.traceBodies
        }
    }

    private func runBatch() {
        guard !pendingInputs.isEmpty, isRunning, let transport else { return }
        var inputs = Self.coalescingProposals(pendingInputs)
        pendingInputs = []
        var batch = BatchOutputs()
        let tracesMessages = trace != nil && tuning.tracesMessages
        let observers = self.observers
        // One clock read per batch dates its messages (round trips), one its events (spans).
        let clock = BatchClock(monotonicNs: observers.contains { $0.readsMonotonicClock } ? NIODeadline.now().uptimeNanoseconds : 0,
                               wallUs: observers.contains { $0.readsWallClock } ? TraceClock.nowUs() : 0)
        for input in inputs {
            if case .receive(let message) = input { for observer in observers { observer.received(message, at: clock) } }
            let outputs = node.step(input)
            if tracesMessages, case .receive(let message) = input {
                batch.traceBodies.append((.recv(from: message.from, message: TraceMessageKind(message.body),
                                                messageID: MessageTraceID.of(message)), node.currentTerm))
            }
            collect(outputs, into: &batch, clock: clock)
        }
        if !failpoints.isEmpty, let action = batchFailpoint(.batch, batch) {
            if case .timeout = action {
                inputs.append(.electionTimeout)
                collect(node.step(.electionTimeout), into: &batch, clock: clock)
            } else {
                action.performBlocking()
            }
        }
        isFirstBatch = false
        // Stage 1: a leader's log requests leave while its own write runs (thesis §10.2.1).
        if !batch.early.isEmpty {
            if tracesMessages {
                writeSendEvents(batch.early)
                pushTrace()
            }
            transmit(batch.early, through: transport, clock: clock)
        }
        if !failpoints.isEmpty { batchFailpoint(.beforeWrite, batch)?.performBlocking() }
        // Stage 2: the batch's durable changes, then what the node makes of them being durable.
        var fsyncUs: UInt64?
        if !batch.changes.isEmpty {
            do {
                if !failpoints.isEmpty, case .diskError(let errno)? = batchFailpoint(.sync, batch) {
                    throw StorageError.system(operation: errno == ENOSPC ? "write" : "fdatasync", file: storage.location, errno: errno)
                }
                storage.apply(batch.changes)
                if !failpoints.isEmpty, let log = storage as? DurableLog {
                    log.afterSnapshotFileWritten = { [self] in batchFailpoint(.snapshotWritten, batch)?.performBlocking() }
                }
                fsyncUs = try storage.commit()
                if !failpoints.isEmpty { (storage as? DurableLog)?.afterSnapshotFileWritten = nil }
                if !failpoints.isEmpty { batchFailpoint(.afterWrite, batch)?.performBlocking() }
                // What the node makes of the write: commit indexes (written, not synced: docs/
                // STORAGE_FORMAT.md), and once, when the only voter became leader, its no-op
                // (synced, as every append is), which it learns is durable in turn.
                var learnedAppend = true
                while learnedAppend {
                    var learned = BatchOutputs()
                    collect(node.step(.persisted(logLength: node.log.lastIndex, lastTerm: node.log.lastTerm)),
                            into: &learned, clock: clock)
                    if !learned.changes.isEmpty {
                        storage.apply(learned.changes)
                        _ = try storage.commit()
                    }
                    learnedAppend = learned.appendedEntries > 0
                    batch.absorb(learned)
                }
                if compaction == nil, storage.shouldCompact { startCompaction() }
                if let fsyncUs {
                    for observer in observers {
                        observer.persisted(appendedEntries: batch.appendedEntries, fsyncUs: fsyncUs, term: node.currentTerm, at: clock)
                    }
                }
            } catch {
                // Nothing may leave that depends on state we could not make durable, and a
                // failed fdatasync is never retried (the kernel may have dropped the pages:
                // the "fsyncgate" lesson): the node stops.
                failStop(error)
                return
            }
        }
        // The batch's events reach the kernel before anything they describe leaves the process
        // (a kill -9 from here on loses none of them; one before loses the batch's events and
        // its effects together, the analyzer learns the durable state from the next start).
        if let trace {
            for (body, term) in batch.traceBodies { try? trace.write(body, term: term) }
            if let fsyncUs { try? trace.write(.persist(index: node.log.lastIndex, durationUs: Int(fsyncUs)), term: node.currentTerm) }
            if tracesMessages { writeSendEvents(batch.late) }
            pushTrace()
        }
        // Stage 3: everything that vouches for the durable state.
        transmit(batch.late, through: transport, clock: clock)
        for observer in observers { observer.batchEnded(node, deliveries: batch.deliveries) }
        var delivered = 0
        for (position, snapshot) in batch.restores {
            while delivered < position { apply(batch.deliveries[delivered].index, batch.deliveries[delivered].entry); delivered += 1 }
            stateMachine?.restore(snapshot)
            appliedIndex = snapshot.index
            onRestore?(snapshot)
        }
        for (index, entry) in batch.deliveries[delivered...] { apply(index, entry) }
        if let stateMachine, let every = snapshotEveryEntries, appliedIndex - node.snapshot.index >= every {
            // The state through `appliedIndex` (committed: it was applied) joins the next batch.
            enqueue(.snapshot(index: appliedIndex, data: stateMachine.snapshot()))
        }
        if let onReject { for (request, reason) in batch.rejections { onReject(request, reason) } }
        for (change, answer) in batch.membershipAnswers { answerMembershipChange(change, answer) }
        onBatch?(BatchSummary(inputs: inputs.count, messagesSent: batch.early.count + batch.late.count,
                              entriesDelivered: batch.deliveries.count, fsyncUs: fsyncUs))
    }

    /// Hands the committed entry at `index` to the application.
    private func apply(_ index: Int, _ entry: Entry) {
        let reply = stateMachine?.apply(index: index, entry: entry) ?? []
        appliedIndex = index
        onDeliver?(index, entry, reply)
    }

    // MARK: Compaction off the loop

    /// Starts rewriting the durable log around the live state: the heavy part on a background
    /// thread, the short tail and the rename back here (`CompactionJob`), so heartbeats keep
    /// their pace while a large log is rewritten. A failure leaves the log as it was.
    private func startCompaction() {
        guard NIODeadline.now().uptimeNanoseconds >= compactionAllowedAfterNs else { return }
        let job: any StorageCompaction
        do {
            guard let started = try storage.startCompaction() else { return }
            job = started
        } catch {
            compactionFailed("not started: \(error)")
            return
        }
        compaction = job
        compactionRunning.enter()
        let loop = eventLoop
        let done = compactionRunning
        DispatchQueue.global(qos: .utility).async { [self] in
            job.runInBackground()
            done.leave()
            loop.execute { [self] in finishCompaction(job) }
        }
    }

    /// Completes `job` on the loop, unless it was settled already (a stop).
    private func finishCompaction(_ job: any StorageCompaction) {
        guard let running = compaction, running === job else { return }
        compaction = nil
        do {
            if try !storage.finishCompaction(job) { compactionFailed("dropped, the log is unchanged") }
        } catch {
            failStop(error) // the rename happened and the directory sync failed
        }
    }

    /// Waits for a running compaction's background part and completes (or drops) it, before
    /// the storage closes.
    private func settleCompaction() {
        guard let job = compaction else { return }
        compactionRunning.wait()
        compaction = nil
        _ = try? storage.finishCompaction(job)
    }

    private func compactionFailed(_ reason: String) {
        compactionAllowedAfterNs = NIODeadline.now().uptimeNanoseconds + Self.compactionRetryDelayNs
        logger.warning("compaction \(reason); next attempt in a minute at the earliest")
    }

    /// Stops the node because its durable write failed: nothing of the batch that depends on
    /// it leaves, the trace ends as after a crash (the next incarnation's `start` says what
    /// reached the disk), the storage is released, and `onFailure` hears the one-line reason.
    private func failStop(_ error: any Error) {
        let reason = "node \(node.id) stopped: its durable write failed, and nothing that depends on it left the node: \(error)"
        logger.critical("\(reason)")
        lifecycle = .failed(reason)
        abandon()
        for observer in observers { observer.flush() }
        onFailure?(reason)
    }

    /// Sorts one step's outputs into `batch` (timers are armed at once: they have no durable
    /// effect).
    private func collect(_ outputs: [Output], into batch: inout BatchOutputs, clock: BatchClock) {
        let options = tuning.options
        for output in outputs {
            switch output {
            case .send(let message):
                if options.sendsBeforeWrite(message) { batch.early.append(message) } else { batch.late.append(message) }
            case .persist(let change):
                if case .append(_, let entries) = change { batch.appendedEntries += entries.count }
                batch.changes.append(change)
            case .deliver(let index, let entry): batch.deliveries.append((index, entry))
            case .restore(let snapshot): batch.restores.append((batch.deliveries.count, snapshot))
            case .resetTimer(let kind): arm(kind)
            case .rejectProposal(let request, let reason): batch.rejections.append((request, reason))
            case .membershipChanged(let change, let index): batch.membershipAnswers.append((change, .appended(index: index)))
            case .membershipChangeRefused(let change, let refusal):
                batch.membershipAnswers.append((change, .refused(reason: refusal.description)))
            case .dropMessage(let from, let reason):
                for observer in observers { observer.dropped(reason, from: from) }
            case .trace(let event):
                for observer in observers { observer.observe(event, term: node.currentTerm, at: clock) }
                if trace != nil { batch.traceBodies.append(event, term: node.currentTerm) }
            }
        }
    }

    /// Sends `messages` with one flush.
    private func transmit(_ messages: [Message], through transport: any MessageTransport, clock: BatchClock) {
        guard !messages.isEmpty else { return }
        for message in messages {
            for observer in observers { observer.sent(message, at: clock) }
            transport.send(message)
        }
        transport.flush()
    }

    /// The `send` events of messages about to leave.
    private func writeSendEvents(_ messages: [Message]) {
        guard let trace else { return }
        let term = node.currentTerm
        for message in messages {
            try? trace.write(.send(to: message.to, message: TraceMessageKind(message.body),
                                   messageID: MessageTraceID.of(message)), term: term)
        }
    }

    /// Hands the trace's buffered events to the kernel (`TraceWriter.pushToKernel`), so a
    /// crash after this loses none of them. A trace that cannot be written does not stop
    /// the node: the trace is for observers.
    private func pushTrace() {
        try? trace?.pushToKernel()
    }

    // MARK: Failpoints

    private func receiveFailpoint(_ message: Message) -> Failpoints.Action? {
        failpoints.fire(.receive) { condition in
            switch condition {
            case .start: return false
            case .install: if case .snapshotChunk = message.body { return true } else { return false }
            case .appended: return false
            case .voteRequest: if case .voteRequest = message.body { return true } else { return false }
            case .logRequest: if case .logRequest = message.body { return true } else { return false }
            }
        }
    }

    private func batchFailpoint(_ site: Failpoints.Site, _ batch: BatchOutputs) -> Failpoints.Action? {
        let isFirst = isFirstBatch
        return failpoints.fire(site) { condition in
            let sends = batch.early + batch.late
            switch condition {
            case .start: return isFirst
            case .install: // a leader's snapshot becomes this node's and its application's
                return !batch.restores.isEmpty && batch.changes.contains { if case .snapshot = $0 { return true } else { return false } }
            case .appended: return batch.appendedEntries > 0
            case .voteRequest: return sends.contains { if case .voteRequest = $0.body { return true } else { return false } }
            case .logRequest: return sends.contains { if case .logRequest = $0.body { return true } else { return false } }
            }
        }
    }

    /// `inputs` with every client proposal of the batch joined into one `.propose`, where the
    /// first one stood: the leader then appends them as one run of entries and replicates
    /// them in one log request per follower (one `append` event, one message each), instead
    /// of one per client message. Any order of inputs within a batch is an order in which
    /// they could have arrived, so moving proposals together changes no guarantee.
    static func coalescingProposals(_ inputs: [Input]) -> [Input] {
        var proposeInputs = 0
        for case .propose in inputs { proposeInputs += 1 }
        guard proposeInputs > 1 else { return inputs }
        var proposals: [Proposal] = []
        var joined: [Input] = []
        joined.reserveCapacity(inputs.count - proposeInputs + 1)
        var firstPosition = 0
        for input in inputs {
            guard case .propose(let batch) = input else {
                joined.append(input)
                continue
            }
            if proposals.isEmpty { firstPosition = joined.count }
            proposals.append(contentsOf: batch)
        }
        joined.insert(.propose(proposals), at: firstPosition)
        return joined
    }

    private func arm(_ kind: TimerKind) {
        switch kind {
        case .election:
            let range = tuning.timing.electionTimeoutMs
            let ms = range.lowerBound + Int(random.next() % UInt64(range.count))
            electionTimer.arm(after: .milliseconds(Int64(ms)))
        case .heartbeat:
            heartbeatTimer.arm(after: .milliseconds(Int64(tuning.timing.heartbeatIntervalMs)))
        }
    }
}
