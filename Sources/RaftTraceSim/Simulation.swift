import RaftCore
import RaftSim
import RaftTrace
import RaftCoreTrace

/// The engine behind `SimulatedTraceRun`: a `SimulatedCluster` (the one simulator of the
/// core: its disks, crashes, restarts and invariant checks) on a simulated clock, with message
/// latency and loss, timers, clients and kills, every effect traced as a node would trace it.
final class Simulation {
    private enum Happening {
        case message(Message, messageID: UInt64)
        case timer(NodeID, TimerKind, generation: UInt64)
        case clientInvoke(Int)
        case clientDeadline(Int, RequestID)
        case kill
        case restart(NodeID)
        case snapshot(NodeID)
    }

    /// What the simulation adds to a cluster node: its trace and its clocks.
    private struct NodeEdges {
        var writer: TraceWriter
        var timerGenerations: [TimerKind: UInt64] = [:]
        var nextMessageID: UInt64 = 0
    }

    private struct Outstanding {
        var client: Int
        var node: NodeID
    }

    let configuration: SimulatedTraceRun.Configuration
    private var random: SplitMix64
    private var agenda = SimulatedAgenda<Happening>()
    private var cluster: SimulatedCluster!
    private var edges: [NodeEdges] = []
    private let clientWriter: TraceWriter
    private let chaosWriter: TraceWriter?
    private var outstanding: [RequestID: Outstanding] = [:]
    private var nextRequest: RequestID = 1
    /// The first error a trace writer threw inside a step (the cluster's observer cannot throw).
    private var writeError: (any Error)?
    private(set) var nowUs: Int64
    private(set) var acknowledged = 0
    private(set) var kills = 0

    init(configuration: SimulatedTraceRun.Configuration, layout: RunLayout) throws {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        nowUs = configuration.startUs
        let members = Array(0..<configuration.nodeCount)
        let first = Int(PersistentState.initial.incarnation)
        for id in members {
            edges.append(NodeEdges(writer: try TraceWriter(path: layout.nodeTracePath(node: id), node: id, incarnation: first)))
        }
        clientWriter = try TraceWriter(path: layout.clientTracePath, node: -1, incarnation: 0)
        chaosWriter = configuration.killIntervalUs == nil ? nil : try TraceWriter(path: layout.chaosTracePath, node: -1, incarnation: 0)
        cluster = SimulatedCluster(disks: Array(repeating: .initial, count: configuration.nodeCount), options: configuration.options,
                                   checksInvariants: configuration.checksInvariants, startsNodes: false)
        cluster.observer = { [unowned self] event in
            guard case .step(let id, _, let outputs) = event else { return }
            do { try carryOut(outputs, at: id) } catch { writeError = writeError ?? error }
        }
        cluster.startAll()
        try settle()
    }

    var eventCount: Int {
        writtenBefore + Int(edges.indices.reduce(0) { $0 + (cluster.isCrashed[$1] ? 0 : edges[$1].writer.nextSequence) }
                            + clientWriter.nextSequence + (chaosWriter?.nextSequence ?? 0))
    }

    /// What the cluster's invariant checks found after every step (empty for a safe run, or
    /// when `checksInvariants` is off).
    var violations: [String] { cluster.violations }

    /// Lines given to writers of incarnations that ended (a kill loses their unflushed tail).
    private var writtenBefore = 0

    func run() throws {
        for client in 0..<configuration.clients {
            agenda.schedule(.clientInvoke(client), atUs: nowUs + 200_000 + random.uniform(0...50_000))
        }
        if let interval = configuration.killIntervalUs { agenda.schedule(.kill, atUs: nowUs + random.uniform(interval / 2...interval * 3 / 2)) }
        let endUs = configuration.startUs + configuration.durationUs
        while let (timeUs, happening) = agenda.next(), timeUs <= endUs, eventCount < configuration.eventsMax {
            nowUs = max(nowUs, timeUs)
            try handle(happening)
            try settle()
        }
        for id in edges.indices where !cluster.isCrashed[id] {
            try edges[id].writer.write(.stop, term: cluster.nodes[id].currentTerm, timestampUs: nowUs)
            try edges[id].writer.close()
        }
        for (request, pending) in outstanding.sorted(by: { $0.key < $1.key }) {
            try clientWriter.write(.timeout(client: pending.client, request: request), term: 0, node: pending.node, timestampUs: nowUs)
        }
        try clientWriter.close()
        try chaosWriter?.close()
    }

    /// After every call into the cluster: its messages are on this simulation's agenda
    /// already (`carryOut`), so its own network is emptied; a write error surfaces here.
    private func settle() throws {
        cluster.drop { _ in true }
        if let writeError { throw writeError }
    }

    private func handle(_ happening: Happening) throws {
        switch happening {
        case .message(let message, let messageID):
            guard !cluster.isCrashed[message.to] else { return }
            if configuration.tracesMessages {
                try trace(message.to, .recv(from: message.from, message: TraceMessageKind(message.body), messageID: messageID))
            }
            cluster.step(message.to, .receive(message))
        case .timer(let id, let kind, let generation):
            guard !cluster.isCrashed[id], edges[id].timerGenerations[kind] == generation else { return }
            cluster.step(id, kind == .election ? .electionTimeout : .heartbeatTimeout)
        case .clientInvoke(let client):
            try invoke(client)
        case .clientDeadline(let client, let request):
            guard let pending = outstanding.removeValue(forKey: request) else { return }
            try clientWriter.write(.timeout(client: client, request: request), term: 0, node: pending.node, timestampUs: nowUs)
            agenda.schedule(.clientInvoke(client), atUs: nowUs + random.uniform(0...500))
        case .kill:
            try kill()
        case .restart(let id):
            try restart(id)
        case .snapshot(let id):
            guard !cluster.isCrashed[id] else { return }
            cluster.takeSnapshot(at: id)
        }
    }

    // MARK: Nodes

    /// Carries out one step's outputs at node `id` beyond what the cluster does itself (its
    /// disk, deliveries, invariants): messages get a latency or are lost, timers are armed on
    /// the clock, clients hear back, and the step's lines are written as a node writes them.
    private func carryOut(_ outputs: [Output], at id: NodeID) throws {
        var persistedEntries = false
        // The step's lines in output order, per-entry events coalesced as a node's are.
        var lines = TraceBodyBatch()
        let term = cluster.nodes[id].currentTerm
        for output in outputs {
            switch output {
            case .send(let message):
                let messageID = edges[id].nextMessageID
                edges[id].nextMessageID += 1
                if configuration.tracesMessages {
                    lines.append((.send(to: message.to, message: TraceMessageKind(message.body), messageID: messageID), term))
                }
                if !random.happens(withProbability: configuration.dropProbability) {
                    agenda.schedule(.message(message, messageID: messageID), atUs: nowUs + random.uniform(SimulatedTraceRun.messageLatencyUs))
                }
            case .persist(let change):
                if case .append = change { persistedEntries = true }
            case .deliver(let index, let entry):
                if let every = configuration.snapshotEveryEntries, index % every == 0 {
                    agenda.schedule(.snapshot(id), atUs: nowUs + random.uniform(50...2_000))
                }
                if let pending = outstanding[entry.request], pending.node == id {
                    outstanding[entry.request] = nil
                    acknowledged += 1
                    try clientWriter.write(.ok(client: pending.client, request: entry.request, index: index),
                                           term: 0, node: id, timestampUs: nowUs + 20)
                    agenda.schedule(.clientInvoke(pending.client), atUs: nowUs + random.uniform(20...500))
                }
            case .resetTimer(let kind):
                let generation = (edges[id].timerGenerations[kind] ?? 0) + 1
                edges[id].timerGenerations[kind] = generation
                let delayUs = kind == .election ? random.uniform(SimulatedTraceRun.electionTimeoutUs) : SimulatedTraceRun.heartbeatIntervalUs
                agenda.schedule(.timer(id, kind, generation: generation), atUs: nowUs + delayUs)
            case .rejectProposal(let request, let reason):
                guard let pending = outstanding[request], pending.node == id else { break }
                if case .duplicate = reason { break } // already in the log: the ok will come
                outstanding[request] = nil
                try clientWriter.write(.fail(client: pending.client, request: request, reason: TraceBody.reasonText(reason).0),
                                       term: 0, node: id, timestampUs: nowUs + 20)
                agenda.schedule(.clientInvoke(pending.client), atUs: nowUs + random.uniform(20...500))
            case .dropMessage:
                break // its trace event writes the `invalid_message` line the analyzer reports
            case .restore:
                break // the simulated application keeps its state in `SimulatedCluster`
            case .membershipChanged, .membershipChangeRefused:
                break // the configuration is in the log, and in the `member` lines
            case .trace(let event):
                lines.append(event, term: term)
            }
        }
        for (body, term) in lines { try edges[id].writer.write(body, term: term, timestampUs: nowUs) }
        if persistedEntries {
            try trace(id, .persist(index: cluster.disks[id].lastIndex, durationUs: Int(random.uniform(90...600))))
        }
    }

    private func trace(_ id: NodeID, _ body: TraceBody) throws {
        try edges[id].writer.write(body, term: cluster.nodes[id].currentTerm, timestampUs: nowUs)
    }

    // MARK: Clients

    private var leaderGuess: NodeID? { cluster.leader }

    private func invoke(_ client: Int) throws {
        let running = cluster.runningIDs
        guard !running.isEmpty else {
            agenda.schedule(.clientInvoke(client), atUs: nowUs + 10_000)
            return
        }
        let node = leaderGuess ?? running[Int(random.next() % UInt64(running.count))]
        let request = nextRequest
        nextRequest += 1
        outstanding[request] = Outstanding(client: client, node: node)
        try clientWriter.write(.invoke(client: client, request: request), term: 0, node: node, timestampUs: nowUs)
        agenda.schedule(.clientDeadline(client, request), atUs: nowUs + SimulatedTraceRun.clientTimeoutUs)
        cluster.step(node, .propose([Proposal(request: request, payload: Array("set k\(request % 97) \(request)".utf8))]))
    }

    // MARK: Faults

    private func kill() throws {
        if let interval = configuration.killIntervalUs {
            agenda.schedule(.kill, atUs: nowUs + random.uniform(interval / 2...interval * 3 / 2))
        }
        let running = cluster.runningIDs
        guard cluster.nodes.count - running.count < (cluster.nodes.count - 1) / 2 else { return }
        let victim = random.happens(withProbability: 0.5) ? (leaderGuess ?? running[0]) : running[Int(random.next() % UInt64(running.count))]
        writtenBefore += Int(edges[victim].writer.nextSequence)
        edges[victim].writer.abandon()
        cluster.crash(victim)
        edges[victim].timerGenerations = [:]
        kills += 1
        try chaosWriter?.write(.nemesis(action: .kill, targets: [victim], detail: "kill -9"), term: 0, node: -1, timestampUs: nowUs)
        agenda.schedule(.restart(victim), atUs: nowUs + random.uniform(SimulatedTraceRun.downtimeUs))
    }

    /// Starts `id` again from its disk, in a new incarnation with a new gzip member. Like an
    /// application that keeps what it applied, it asks for the committed entries after those.
    private func restart(_ id: NodeID) throws {
        let path = edges[id].writer.path
        let incarnation = Int(cluster.disks[id].nextIncarnation.incarnation)
        edges[id].writer = try TraceWriter(path: path, node: id, incarnation: incarnation)
        try chaosWriter?.write(.nemesis(action: .restart, targets: [id], detail: nil), term: 0, node: -1, timestampUs: nowUs)
        cluster.restart(id)
    }
}
