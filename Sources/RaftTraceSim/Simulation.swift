import RaftCore
import RaftTrace
import RaftCoreTrace

/// The engine behind `SimulatedTraceRun`: nodes, network, timers, clients and kills on one
/// simulated clock, every effect traced.
final class Simulation {
    private enum Happening {
        case message(Message, messageID: UInt64)
        case timer(NodeID, TimerKind, generation: UInt64)
        case clientInvoke(Int)
        case clientDeadline(Int, RequestID)
        case kill
        case restart(NodeID)
    }

    private struct SimulatedNode {
        var raft: RaftNode
        var durable = PersistentState.initial
        var isCrashed = false
        var incarnation = 0
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
    private var nodes: [SimulatedNode] = []
    private let clientWriter: TraceWriter
    private let chaosWriter: TraceWriter?
    private var outstanding: [RequestID: Outstanding] = [:]
    private var nextRequest: RequestID = 1
    private(set) var nowUs: Int64
    private(set) var acknowledged = 0
    private(set) var kills = 0

    init(configuration: SimulatedTraceRun.Configuration, layout: RunLayout) throws {
        self.configuration = configuration
        random = SplitMix64(seed: configuration.seed)
        nowUs = configuration.startUs
        let members = Array(0..<configuration.nodeCount)
        for id in members {
            let writer = try TraceWriter(path: layout.nodeTracePath(node: id), node: id, incarnation: 0)
            nodes.append(SimulatedNode(raft: RaftNode(id: id, members: members, options: configuration.options), writer: writer))
        }
        clientWriter = try TraceWriter(path: layout.clientTracePath, node: -1, incarnation: 0)
        chaosWriter = configuration.killIntervalUs == nil ? nil : try TraceWriter(path: layout.chaosTracePath, node: -1, incarnation: 0)
    }

    var eventCount: Int {
        writtenBefore + Int(nodes.reduce(0) { $0 + ($1.isCrashed ? 0 : $1.writer.nextSequence) } + clientWriter.nextSequence + (chaosWriter?.nextSequence ?? 0))
    }

    /// Lines given to writers of incarnations that ended (a kill loses their unflushed tail).
    private var writtenBefore = 0

    func run() throws {
        for id in nodes.indices { try step(id, .restart(.initial)) }
        for client in 0..<configuration.clients {
            agenda.schedule(.clientInvoke(client), atUs: nowUs + 200_000 + random.uniform(0...50_000))
        }
        if let interval = configuration.killIntervalUs { agenda.schedule(.kill, atUs: nowUs + random.uniform(interval / 2...interval * 3 / 2)) }
        let endUs = configuration.startUs + configuration.durationUs
        while let (timeUs, happening) = agenda.next(), timeUs <= endUs, eventCount < configuration.eventsMax {
            nowUs = max(nowUs, timeUs)
            try handle(happening)
        }
        for id in nodes.indices where !nodes[id].isCrashed {
            try nodes[id].writer.write(.stop, term: nodes[id].raft.currentTerm, timestampUs: nowUs)
            try nodes[id].writer.close()
        }
        for (request, pending) in outstanding.sorted(by: { $0.key < $1.key }) {
            try clientWriter.write(.timeout(client: pending.client, request: request), term: 0, node: pending.node, timestampUs: nowUs)
        }
        try clientWriter.close()
        try chaosWriter?.close()
    }

    private func handle(_ happening: Happening) throws {
        switch happening {
        case .message(let message, let messageID):
            guard !nodes[message.to].isCrashed else { return }
            if configuration.tracesMessages {
                try trace(message.to, .recv(from: message.from, message: TraceMessageKind(message.body), messageID: messageID))
            }
            try step(message.to, .receive(message))
        case .timer(let id, let kind, let generation):
            guard !nodes[id].isCrashed, nodes[id].timerGenerations[kind] == generation else { return }
            try step(id, kind == .election ? .electionTimeout : .heartbeatTimeout)
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
        }
    }

    // MARK: Nodes

    private func step(_ id: NodeID, _ input: Input) throws {
        let outputs = nodes[id].raft.stepAsBatch(input)
        var persistedEntries = false
        // The step's lines in output order, per-entry events coalesced as a node's are.
        var lines = TraceBodyBatch()
        let term = nodes[id].raft.currentTerm
        for output in outputs {
            switch output {
            case .send(let message):
                let messageID = nodes[id].nextMessageID
                nodes[id].nextMessageID += 1
                if configuration.tracesMessages {
                    lines.append((.send(to: message.to, message: TraceMessageKind(message.body), messageID: messageID), term))
                }
                if !random.happens(withProbability: configuration.dropProbability) {
                    agenda.schedule(.message(message, messageID: messageID), atUs: nowUs + random.uniform(SimulatedTraceRun.messageLatencyUs))
                }
            case .persist(let change):
                apply(change, at: id)
                if case .append = change { persistedEntries = true }
            case .deliver(_, let entry):
                if let pending = outstanding[entry.request], pending.node == id {
                    outstanding[entry.request] = nil
                    acknowledged += 1
                    try clientWriter.write(.ok(client: pending.client, request: entry.request, index: outputIndex(output)),
                                           term: 0, node: id, timestampUs: nowUs + 20)
                    agenda.schedule(.clientInvoke(pending.client), atUs: nowUs + random.uniform(20...500))
                }
            case .resetTimer(let kind):
                let generation = (nodes[id].timerGenerations[kind] ?? 0) + 1
                nodes[id].timerGenerations[kind] = generation
                let delayUs = kind == .election ? random.uniform(SimulatedTraceRun.electionTimeoutUs) : SimulatedTraceRun.heartbeatIntervalUs
                agenda.schedule(.timer(id, kind, generation: generation), atUs: nowUs + delayUs)
            case .rejectProposal(let request, let reason):
                guard let pending = outstanding[request], pending.node == id else { break }
                if case .duplicate = reason { break } // already in the log: the ok will come
                do {
                    outstanding[request] = nil
                    try clientWriter.write(.fail(client: pending.client, request: request, reason: TraceBody.reasonText(reason).0),
                                           term: 0, node: id, timestampUs: nowUs + 20)
                    agenda.schedule(.clientInvoke(pending.client), atUs: nowUs + random.uniform(20...500))
                }
            case .dropMessage:
                break // its trace event writes the `invalid_message` line the analyzer reports
            case .trace(let event):
                lines.append(event, term: term)
            }
        }
        for (body, term) in lines { try nodes[id].writer.write(body, term: term, timestampUs: nowUs) }
        if persistedEntries {
            try trace(id, .persist(index: nodes[id].durable.entries.count, durationUs: Int(random.uniform(90...600))))
        }
    }

    private func outputIndex(_ output: Output) -> Int? {
        if case .deliver(let index, _) = output { return index }
        return nil
    }

    private func trace(_ id: NodeID, _ body: TraceBody) throws {
        try nodes[id].writer.write(body, term: nodes[id].raft.currentTerm, timestampUs: nowUs)
    }

    private func apply(_ change: PersistentChange, at id: NodeID) {
        switch change {
        case .hardState(let term, let votedFor):
            nodes[id].durable.currentTerm = term
            nodes[id].durable.votedFor = votedFor
        case .append(let firstIndex, let entries):
            nodes[id].durable.entries.removeSubrange(min(firstIndex - 1, nodes[id].durable.entries.count)...)
            nodes[id].durable.entries.append(contentsOf: entries)
        case .truncate(let length):
            nodes[id].durable.entries.removeSubrange(min(length, nodes[id].durable.entries.count)...)
        case .commit(let index):
            nodes[id].durable.commitIndex = index
        }
    }

    // MARK: Clients

    private var leaderGuess: NodeID? {
        nodes.indices.filter { !nodes[$0].isCrashed && nodes[$0].raft.role == .leader }
            .max { nodes[$0].raft.currentTerm < nodes[$1].raft.currentTerm }
    }

    private func invoke(_ client: Int) throws {
        let running = nodes.indices.filter { !nodes[$0].isCrashed }
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
        try step(node, .propose([Proposal(request: request, payload: Array("set k\(request % 97) \(request)".utf8))]))
    }

    // MARK: Faults

    private func kill() throws {
        if let interval = configuration.killIntervalUs {
            agenda.schedule(.kill, atUs: nowUs + random.uniform(interval / 2...interval * 3 / 2))
        }
        let running = nodes.indices.filter { !nodes[$0].isCrashed }
        guard nodes.count - running.count < (nodes.count - 1) / 2 else { return }
        let victim = random.happens(withProbability: 0.5) ? (leaderGuess ?? running[0]) : running[Int(random.next() % UInt64(running.count))]
        writtenBefore += Int(nodes[victim].writer.nextSequence)
        nodes[victim].writer.abandon()
        nodes[victim].isCrashed = true
        nodes[victim].timerGenerations = [:]
        kills += 1
        try chaosWriter?.write(.nemesis(action: .kill, targets: [victim], detail: "kill -9"), term: 0, node: -1, timestampUs: nowUs)
        agenda.schedule(.restart(victim), atUs: nowUs + random.uniform(SimulatedTraceRun.downtimeUs))
    }

    private func restart(_ id: NodeID) throws {
        nodes[id].incarnation += 1
        let layoutPath = nodes[id].writer.path
        nodes[id].writer = try TraceWriter(path: layoutPath, node: id, incarnation: nodes[id].incarnation)
        nodes[id].isCrashed = false
        nodes[id].raft = RaftNode(id: id, members: nodes[id].raft.members, options: configuration.options)
        try chaosWriter?.write(.nemesis(action: .restart, targets: [id], detail: nil), term: 0, node: -1, timestampUs: nowUs)
        var durable = nodes[id].durable
        durable.incarnation = UInt64(nodes[id].incarnation) + 1 // this simulation counts incarnations from 0
        try step(id, .restart(durable))
    }
}
