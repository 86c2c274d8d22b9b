import RaftCore
@testable import RaftCheck

/// The Raft model's semantics written the plain way (no interning, no memo, no packed
/// words): a test oracle for `RaftModel`. Each server is a `RaftNode` value, the network a
/// list of items, timers and crash flags sets and booleans.
struct ReferenceCluster {
    var nodes: [RaftNode?]
    var disks: [PersistentState]
    var timers: [Set<TimerKind>]
    var crashed: [Bool]
    var network: [NetworkItem]
    let configuration: RaftModelConfiguration

    init(_ configuration: RaftModelConfiguration) {
        self.configuration = configuration
        let members = Array(0..<configuration.totalServerCount)
        nodes = []
        disks = Array(repeating: .initial, count: members.count)
        timers = Array(repeating: [], count: members.count)
        crashed = Array(repeating: false, count: members.count)
        network = []
        for id in members {
            var node = RaftNode(id: id, bootstrap: configuration.bootstrap(of: id), options: configuration.nodeOptions)
            let outputs = node.stepAsBatch(.restart(.initial))
            nodes.append(node)
            apply(outputs, at: id)
        }
        for id in members where id < configuration.serverCount {
            network.append(.clientRequest(to: id, Proposal(request: RequestID(id + 1), payload: Array(String(id).utf8))))
        }
    }

    /// Carries out `action` (the same action the model took, read through `model`).
    mutating func perform(_ action: RaftAction, model: RaftModel) {
        switch action {
        case .deliver(let reference):
            let item = model.item(reference)
            take(item)
            let outputs = nodes[item.to]!.stepAsBatch(item.input)
            apply(outputs, at: item.to)
        case .timeout(let id, let kind):
            precondition(timers[id].contains(kind), "firing a timer that is not armed")
            timers[id].remove(kind)
            let outputs = nodes[id]!.stepAsBatch(kind == .election ? .electionTimeout : .heartbeatTimeout)
            apply(outputs, at: id)
        case .crashInBatch(let crash):
            // The runtime's batch: every input stepped, the early sends out, then the writes in
            // order, the `.persisted` step's included; the crash keeps `durableChanges` of them.
            let id = crash.server
            var node = nodes[id]!
            var changes: [PersistentChange] = []
            for code in crash.inputs {
                let input: Input
                switch code {
                case InputCode.electionTimeout: input = .electionTimeout
                case InputCode.heartbeatTimeout: input = .heartbeatTimeout
                default:
                    let item = model.item(ItemReference(raw: code))
                    take(item)
                    input = item.input
                }
                for output in node.step(input) {
                    switch output {
                    case .persist(let change): changes.append(change)
                    case .send(let message) where configuration.nodeOptions.stage(of: output) == .beforeWrite:
                        send(message)
                    default: break
                    }
                }
            }
            for output in node.step(.persisted(logLength: node.log.lastIndex, lastTerm: node.log.lastTerm)) {
                if case .persist(let change) = output { changes.append(change) }
            }
            precondition(crash.changeCount == changes.count && crash.durableChanges < changes.count,
                         "crash after \(crash.durableChanges) of \(crash.changeCount) writes in a batch of \(changes.count)")
            for change in changes.prefix(crash.durableChanges) { disks[id].apply(change) }
            crashed[id] = true
            timers[id] = []
            nodes[id] = nil
        case .crash(let id):
            crashed[id] = true
            timers[id] = []
            if configuration.crashMode == .restart { nodes[id] = nil }
        case .restart(let id):
            crashed[id] = false
            disks[id] = disks[id].nextIncarnation
            var node = RaftNode(id: id, bootstrap: configuration.bootstrap(of: id), options: configuration.nodeOptions)
            let outputs = node.stepAsBatch(.restart(disks[id]))
            nodes[id] = node
            apply(outputs, at: id)
        case .snapshot(let id):
            let outputs = nodes[id]!.stepAsBatch(model.snapshotInput(of: nodes[id]!))
            apply(outputs, at: id)
        case .changeMembership(let id, let change):
            let outputs = nodes[id]!.stepAsBatch(.changeMembership(change))
            apply(outputs, at: id)
        case .transferLeadership(let id, let target):
            let outputs = nodes[id]!.stepAsBatch(.transferLeadership(to: target))
            apply(outputs, at: id)
        }
    }

    /// Removes a delivered item from the network (a duplicating network keeps it).
    private mutating func take(_ item: NetworkItem) {
        precondition(!crashed[item.to], "delivery to a crashed server")
        let position: Int
        if configuration.network == .ordered {
            position = network.firstIndex { $0.from == item.from && $0.to == item.to }!
            precondition(network[position] == item, "ordered delivery of a non-head item")
        } else {
            position = network.firstIndex(of: item)!
        }
        if configuration.network != .unorderedDuplicating { network.remove(at: position) }
    }

    private mutating func send(_ message: Message) {
        if configuration.network != .unorderedDuplicating || !network.contains(.message(message)) {
            network.append(.message(message))
        }
    }

    private mutating func apply(_ outputs: [Output], at id: NodeID) {
        for output in outputs {
            switch output {
            case .send(let message):
                send(message)
            case .resetTimer(let kind): timers[id].insert(kind)
            case .persist(let change): disks[id].apply(change)
            default: break
            }
        }
    }

    /// Whether the model's state says exactly what this cluster holds.
    func matches(_ state: ClusterState, in model: RaftModel) -> Bool {
        let snapshot = model.snapshot(of: state)
        for server in snapshot.servers {
            let id = server.id
            guard Set(server.pendingTimers) == timers[id], (server.status != .running) == crashed[id] else { return false }
            switch (server.node, nodes[id]) {
            case (nil, nil): break
            case (let modelNode?, let node?):
                guard StateEncoding.node(modelNode) == StateEncoding.node(node) else { return false }
            default: return false
            }
            if configuration.crashMode == .restart && server.durable != disks[id] { return false }
        }
        var inFlight: [NetworkItem: Int] = [:]
        for envelope in snapshot.network { inFlight[envelope.item, default: 0] += envelope.count }
        var expected: [NetworkItem: Int] = [:]
        for item in network { expected[item, default: 0] += 1 }
        guard inFlight == expected else { return false }
        if configuration.network == .ordered {
            // Each queue in send order.
            let modelQueues = Dictionary(grouping: snapshot.network.flatMap { Array(repeating: $0.item, count: $0.count) },
                                         by: { [$0.from, $0.to] })
            let queues = Dictionary(grouping: network, by: { [$0.from, $0.to] })
            return modelQueues == queues
        }
        return true
    }
}

/// A small seeded generator for random walks (SplitMix64).
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
