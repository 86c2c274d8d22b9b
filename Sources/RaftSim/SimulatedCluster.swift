import RaftCore

/// An in-memory cluster of `RaftNode`s with a hand-driven network, disks and timers.
///
/// Tests script it step by step (deliver this message, crash that node, fire that timer);
/// `RandomSimulation` drives it from a seed. After every step it checks Raft's invariants
/// (when `checksInvariants` is on) and records the first violations in `violations`.
public final class SimulatedCluster {
    /// Every node, indexed by id (a crashed node keeps its last state here, but the
    /// invariants look at its disk instead).
    public private(set) var nodes: [RaftNode]
    /// Each node's disk: the effect of every `.persist` output so far (applied at once, so
    /// also what survives a crash), and the incarnation of its current start.
    public private(set) var disks: [PersistentState]
    /// Which nodes are down.
    public private(set) var isCrashed: [Bool]
    /// Messages sent and not yet delivered or dropped, oldest first.
    public private(set) var network: [Message] = []
    /// Timers each node has armed and that have not fired since.
    public private(set) var armedTimers: [Set<TimerKind>]
    /// What each node delivered, across its incarnations: entry `i` at position `i - 1`.
    public private(set) var delivered: [[Entry]]
    /// Proposals refused, in order.
    public private(set) var rejections: [(node: NodeID, request: RequestID, reason: ProposalRejection)] = []
    /// Messages nodes dropped as invalid (`Output.dropMessage`), in order.
    public private(set) var droppedMessages: [(node: NodeID, from: NodeID, reason: InvalidMessage)] = []
    /// Trace events in order, when `recordsTrace` is on.
    public private(set) var traceEvents: [(step: Int, node: NodeID, event: TraceEvent)] = []
    /// Invariant violations seen so far (empty while everything is safe).
    public private(set) var violations: [String] = []
    /// Inputs given to nodes so far.
    public private(set) var stepCount = 0
    /// Snapshots followers installed from a leader.
    public private(set) var snapshotsInstalled = 0
    /// The leader each term ever had (Election Safety over the whole history).
    public private(set) var leaderOfTerm: [Term: NodeID] = [:]
    /// The first entry delivered at each index by any node (what every node must deliver there).
    private var firstDelivered: [Entry] = []
    /// How the invariants see each node: the node itself, or for a crashed node a follower
    /// rebuilt from its disk (a crashed node's disk does not change).
    private var invariantViews: [RaftNode]

    /// Each node's side of the current network partition: messages between different sides
    /// are lost when sent. All `0` when the network is whole.
    public private(set) var partitionSide: [Int]

    /// Whether every step checks the invariants (on for tests, off for benchmarks).
    public var checksInvariants: Bool
    /// Whether trace events are kept in `traceEvents`.
    public var recordsTrace: Bool
    /// Whether only correct nodes send (on unless a test injects crafted messages): then a
    /// message dropped as invalid is a violation — a check that rejects what a correct peer
    /// sends would silently cost the cluster its progress. Mutants may send anything.
    public var expectsValidMessages = true
    /// Something a driver of the cluster may want to watch.
    public enum Event {
        /// Node `node` took `input` and produced `outputs`.
        case step(node: NodeID, input: Input, outputs: [Output])
        /// Node `node` crashed.
        case crash(node: NodeID)
    }
    /// Called with every step and crash (for printing runs).
    public var observer: ((Event) -> Void)?

    /// Violations kept at most (the first ones explain a failure; the rest is noise).
    public static let violationsKeptMax = 20

    /// A running cluster of `nodeCount` nodes with ids `0..<nodeCount`, all started fresh.
    public convenience init(nodeCount: Int, options: ProtocolOptions, checksInvariants: Bool = true, recordsTrace: Bool = false) {
        self.init(disks: Array(repeating: .initial, count: nodeCount), options: options,
                  checksInvariants: checksInvariants, recordsTrace: recordsTrace)
    }

    /// A running cluster of the founding voters `0..<founders` and `spares` more servers
    /// (ids `founders..<founders + spares`) started to join it: they know nobody until a
    /// leader adds them (`Input.changeMembership`).
    public convenience init(founders: Int, spares: Int, options: ProtocolOptions, checksInvariants: Bool = true,
                            recordsTrace: Bool = false) {
        self.init(disks: Array(repeating: .initial, count: founders + spares), options: options,
                  checksInvariants: checksInvariants, recordsTrace: recordsTrace,
                  bootstrap: Configuration(voters: 0..<founders))
    }

    /// A running cluster whose node `i` starts from `disks[i]` (a scenario that begins after
    /// a history the test writes down instead of playing). With `startsNodes` off the nodes
    /// start only at `startAll()`, so a driver can set `observer` first and see the starts.
    /// `bootstrap` is the founding configuration (every node a voter by default); a node
    /// outside it starts to join (`Configuration.empty`).
    public init(disks: [PersistentState], options: ProtocolOptions, checksInvariants: Bool = true, recordsTrace: Bool = false,
                startsNodes: Bool = true, bootstrap: Configuration? = nil) {
        let nodeCount = disks.count
        precondition(nodeCount >= 1 && nodeCount <= RaftLimits.clusterSizeMax, "cluster of \(nodeCount) nodes")
        let founding = bootstrap ?? Configuration(voters: 0..<nodeCount)
        nodes = (0..<nodeCount).map { id in
            RaftNode(id: id, bootstrap: founding.contains(id) ? founding : .empty, options: options)
        }
        self.disks = disks
        isCrashed = Array(repeating: false, count: nodeCount)
        armedTimers = Array(repeating: [], count: nodeCount)
        delivered = Array(repeating: [], count: nodeCount)
        partitionSide = Array(repeating: 0, count: nodeCount)
        invariantViews = nodes
        self.checksInvariants = checksInvariants
        self.recordsTrace = recordsTrace
        if startsNodes { startAll() }
    }

    /// Starts every node from its disk (once, for a cluster made with `startsNodes` off).
    public func startAll() {
        precondition(stepCount == 0, "the nodes have started already")
        for id in ids { step(id, .restart(disks[id])) }
    }

    /// Node ids `0..<count`.
    public var ids: Range<Int> { nodes.indices }
    /// Ids of the nodes that are up.
    public var runningIDs: [NodeID] { ids.filter { !isCrashed[$0] } }
    /// Running nodes that believe they lead.
    public var leaders: [NodeID] { runningIDs.filter { nodes[$0].role == .leader } }
    /// The single running leader of the highest term, if any.
    public var leader: NodeID? { leaders.max { nodes[$0].currentTerm < nodes[$1].currentTerm } }

    // MARK: Driving nodes

    /// Gives `input` to node `id` as a batch of its own (`RaftNode.stepAsBatch`) and carries
    /// out its outputs: persists hit the disk at once (then the node learns they are durable),
    /// messages join the network, deliveries are recorded. Returns the outputs.
    @discardableResult
    public func step(_ id: NodeID, _ input: Input) -> [Output] {
        precondition(!isCrashed[id], "node \(id) is crashed; restart it first")
        let before = nodes[id]
        let outputs = nodes[id].stepAsBatch(input)
        stepCount += 1
        for output in outputs { carryOut(output, at: id) }
        observer?(.step(node: id, input: input, outputs: outputs))
        if checksInvariants { checkInvariants(after: id, before: before) }
        return outputs
    }

    private func carryOut(_ output: Output, at id: NodeID) {
        switch output {
        case .send(let message):
            if canReach(message.from, message.to) { network.append(message) }
        case .persist(let change):
            disks[id].apply(change)
        case .deliver(let index, let entry):
            if index == delivered[id].count + 1 {
                delivered[id].append(entry)
                if index > firstDelivered.count {
                    firstDelivered.append(entry)
                } else if firstDelivered[index - 1] != entry {
                    recordViolation("State Machine Safety violated: node \(id) delivered \(entry) at index \(index), another node delivered \(firstDelivered[index - 1])")
                }
            } else {
                recordViolation("node \(id) delivered index \(index) after \(delivered[id].count) (delivery must be once, in order, without gaps)")
            }
        case .resetTimer(let kind):
            armedTimers[id].insert(kind)
        case .rejectProposal(let request, let reason):
            rejections.append((id, request, reason))
        case .dropMessage(let from, let reason):
            droppedMessages.append((id, from, reason))
            if expectsValidMessages && nodes[id].options.mutant == nil {
                recordViolation("node \(id) dropped a message from \(from) as invalid (\(reason.rawValue)), but every node is correct")
            }
        case .restore(let snapshot):
            restore(snapshot, at: id)
        case .membershipChanged, .membershipChangeRefused:
            break // the configuration is in the log
        case .trace(let event):
            if case .snapshotInstalled = event { snapshotsInstalled += 1 }
            if recordsTrace { traceEvents.append((stepCount, id, event)) }
        }
    }

    // MARK: The application's snapshots

    /// Node `id`'s application hands it a snapshot of what it applied (`delivered[id]`, as
    /// `AppliedEntriesCodec` encodes it); returns whether the node had anything newer than
    /// its snapshot to take.
    @discardableResult
    public func takeSnapshot(at id: NodeID) -> Bool {
        precondition(!isCrashed[id], "node \(id) is crashed; restart it first")
        let applied = delivered[id].count
        guard applied > nodes[id].snapshot.index else { return false }
        step(id, .snapshot(index: applied, data: AppliedEntriesCodec.encode(delivered[id])))
        return true
    }

    /// Node `id`'s application replaces its state with `snapshot`'s; what it held must be a
    /// prefix of it, and what it holds must agree with every other node's deliveries.
    private func restore(_ snapshot: Snapshot, at id: NodeID) {
        guard let entries = AppliedEntriesCodec.decode(snapshot.data), entries.count == snapshot.index else {
            return recordViolation("node \(id) restored a snapshot through \(snapshot.index) whose bytes are not that many entries")
        }
        for (offset, entry) in entries.enumerated() {
            if offset < delivered[id].count, delivered[id][offset] != entry {
                return recordViolation("node \(id) restored a snapshot that differs at index \(offset + 1) from what it applied")
            }
            if offset < firstDelivered.count {
                if firstDelivered[offset] != entry {
                    return recordViolation("State Machine Safety violated: node \(id) restored \(entry) at index \(offset + 1), another node delivered \(firstDelivered[offset])")
                }
            } else {
                firstDelivered.append(entry)
            }
        }
        delivered[id] = entries
    }

    /// Gives `inputs` to node `id` as one batch, the way `NodeHost` runs one: every input is
    /// stepped, then the batch's early sends (a leader's log requests, `OutputStage`) join
    /// the network, then its durable changes are written and the node learns so
    /// (`.persisted`), then the rest is carried out. With `crashAfterWrites`, the node
    /// crashes inside the batch instead: after the early sends, with that many of the batch's
    /// durable changes written (in writing order, `.persisted`'s commit indexes last), and
    /// nothing else carried out. Returns the outputs of the steps that ran.
    @discardableResult
    public func stepBatch(_ id: NodeID, _ inputs: [Input], crashAfterWrites: Int? = nil) -> [Output] {
        precondition(!isCrashed[id], "node \(id) is crashed; restart it first")
        let before = nodes[id]
        var steps: [(input: Input, outputs: [Output])] = []
        for input in inputs {
            if case .electionTimeout = input { armedTimers[id].remove(.election) }
            if case .heartbeatTimeout = input { armedTimers[id].remove(.heartbeat) }
            steps.append((input, nodes[id].step(input)))
            stepCount += 1
        }
        var outputs = steps.flatMap(\.outputs)
        // Only the batch's own steps send early: `.persisted` runs once the write is done, and
        // what it sends leaves after its own writes (a leader that won alone sends from there).
        let early = outputs.compactMap { output -> Message? in
            if case .send(let message) = output, nodes[id].options.sendsBeforeWrite(message) { return message }
            return nil
        }
        // `.persisted` once the write is done; again when that appended (the only voter's
        // no-op, once it leads).
        var learnsWrite = outputs.contains(where: \.isPersist)
        while learnsWrite {
            let persisted = Input.persisted(logLength: nodes[id].log.lastIndex, lastTerm: nodes[id].log.lastTerm)
            let learned = nodes[id].step(persisted)
            steps.append((persisted, learned))
            stepCount += 1
            outputs += learned
            learnsWrite = learned.contains(where: \.isAppend)
        }
        for (input, stepOutputs) in steps { observer?(.step(node: id, input: input, outputs: stepOutputs)) }
        for message in early where canReach(message.from, message.to) { network.append(message) }
        if let written = crashAfterWrites {
            var kept = 0
            for case .persist(let change) in outputs where kept < written {
                disks[id].apply(change)
                kept += 1
            }
            crash(id)
            return outputs
        }
        for output in outputs {
            if case .send(let message) = output, early.contains(message) { continue }
            carryOut(output, at: id)
        }
        if checksInvariants { checkInvariants(after: id, before: before) }
        return outputs
    }

    /// Fires node `id`'s election timer (armed or not: a test may force it).
    public func fireElectionTimeout(_ id: NodeID) {
        armedTimers[id].remove(.election)
        step(id, .electionTimeout)
    }

    /// Fires node `id`'s heartbeat timer.
    public func fireHeartbeatTimeout(_ id: NodeID) {
        armedTimers[id].remove(.heartbeat)
        step(id, .heartbeatTimeout)
    }

    /// Submits one client proposal at node `id`.
    public func propose(at id: NodeID, request: RequestID, payload: [UInt8]) {
        step(id, .propose([Proposal(request: request, payload: payload)]))
    }

    /// Submits one client proposal whose payload is `text`'s UTF-8 bytes.
    public func propose(at id: NodeID, request: RequestID, _ text: String) {
        propose(at: id, request: request, payload: Array(text.utf8))
    }

    // MARK: The network

    /// Delivers the in-flight message at `position` (a message to a crashed node is lost);
    /// returns the receiver's outputs.
    @discardableResult
    public func deliver(messageAt position: Int) -> [Output] {
        let message = network.remove(at: position)
        guard !isCrashed[message.to] else { return [] }
        return step(message.to, .receive(message))
    }

    /// Takes the in-flight message at `position` off the network without delivering it (for
    /// a driver that gives it to its receiver in a batch, `stepBatch`).
    public func takeMessage(at position: Int) -> Message {
        network.remove(at: position)
    }

    /// Delivers a copy of the message at `position` and leaves the original in flight.
    public func duplicate(messageAt position: Int) {
        let message = network[position]
        guard !isCrashed[message.to] else { return }
        step(message.to, .receive(message))
    }

    /// Drops every in-flight message matching `predicate`; returns how many.
    @discardableResult
    public func drop(where predicate: (Message) -> Bool) -> Int {
        let before = network.count
        network.removeAll(where: predicate)
        return before - network.count
    }

    /// Delivers matching messages, oldest first, including the ones their delivery causes,
    /// until none matches; non-matching messages stay in flight. Returns how many were delivered.
    @discardableResult
    public func deliverAll(where predicate: (Message) -> Bool = { _ in true },
                           deliveriesMax: Int = 100_000) -> Int {
        var count = 0
        while count < deliveriesMax, let position = network.firstIndex(where: predicate) {
            deliver(messageAt: position)
            count += 1
        }
        precondition(count < deliveriesMax, "deliverAll did not quiesce after \(deliveriesMax) deliveries")
        return count
    }

    /// Whether a message from `sender` to `receiver` gets through the current partition (a
    /// server the cluster does not run is never reached).
    public func canReach(_ sender: NodeID, _ receiver: NodeID) -> Bool {
        receiver < nodes.count && partitionSide[sender] == partitionSide[receiver]
    }

    /// Splits the network: nodes in different groups cannot reach each other (nodes in no
    /// group form one more group). Messages in flight across the cut are lost.
    public func partition(_ groups: [Set<NodeID>]) {
        for id in ids { partitionSide[id] = groups.firstIndex { $0.contains(id) }.map { $0 + 1 } ?? 0 }
        drop { !canReach($0.from, $0.to) }
    }

    /// Cuts node `id` off from everyone else.
    public func isolate(_ id: NodeID) { partition([[id]]) }

    /// Makes the network whole again.
    public func heal() { partition([]) }

    // MARK: Crashes

    /// Stops node `id`: its volatile state is gone, its disk stays, messages to it are lost.
    public func crash(_ id: NodeID) {
        precondition(!isCrashed[id], "node \(id) is already crashed")
        isCrashed[id] = true
        armedTimers[id] = []
        var view = RaftNode(id: id, bootstrap: nodes[id].bootstrap, options: nodes[id].options)
        _ = view.step(.restart(disks[id]))
        invariantViews[id] = view
        observer?(.crash(node: id))
    }

    /// Starts node `id` again from its disk.
    public func restart(_ id: NodeID) {
        precondition(isCrashed[id], "node \(id) is running")
        isCrashed[id] = false
        nodes[id] = RaftNode(id: id, bootstrap: nodes[id].bootstrap, options: nodes[id].options)
        disks[id] = disks[id].nextIncarnation
        // The application here keeps what it applied across restarts (`delivered`): it asks
        // for the committed entries after those, including any a crash kept from it.
        var state = disks[id]
        state.appliedIndex = delivered[id].count
        step(id, .restart(state))
    }

    // MARK: Conveniences for scenarios

    /// Fires `candidate`'s election timer and delivers every message until the network is
    /// quiet; returns whether `candidate` leads afterwards.
    @discardableResult
    public func elect(_ candidate: NodeID) -> Bool {
        fireElectionTimeout(candidate)
        deliverAll()
        return nodes[candidate].role == .leader
    }

    /// Heartbeats from every leader, then delivery until quiet: replicates and spreads the
    /// commit index.
    public func settle(rounds: Int = 3) {
        for _ in 0..<rounds {
            for id in leaders { fireHeartbeatTimeout(id) }
            deliverAll()
        }
    }

    // MARK: Invariants

    /// Every node as the invariants see it: running nodes as they are, crashed ones rebuilt
    /// from their disk.
    public var stateViews: [RaftNode] { invariantViews }

    /// Checks what one step of node `id` can break: its pairs with every other node, its
    /// leadership history, and Leader Append-Only across the step.
    private func checkInvariants(after id: NodeID, before: RaftNode) {
        let node = nodes[id]
        invariantViews[id] = node
        if node.role == .leader {
            if let other = leaderOfTerm[node.currentTerm], other != id {
                recordViolation("Election Safety violated: nodes \(other) and \(id) both led term \(node.currentTerm)")
            }
            leaderOfTerm[node.currentTerm] = id
        }
        if let violation = RaftInvariants.leaderAppendOnly(before: before, after: node) {
            recordViolation(violation.description)
        }
        for violation in RaftInvariants.check(changed: node, among: invariantViews) {
            recordViolation(violation.description)
        }
    }

    private func recordViolation(_ text: String) {
        guard violations.count < Self.violationsKeptMax else { return }
        violations.append("step \(stepCount): \(text)")
    }
}
