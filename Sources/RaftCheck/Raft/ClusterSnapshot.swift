import RaftCore

/// A readable copy of one `ClusterState`: every server's node (or disk) and the network,
/// for printing a replay or showing a state in an explorer.
public struct ClusterSnapshot: Sendable, CustomStringConvertible {
    /// One server.
    public struct Server: Sendable {
        /// Whether the server runs.
        public enum Status: String, Sendable {
            /// Up.
            case running
            /// Crash-stopped: `node` is its last state.
            case stopped
            /// Crash-restart server that is down: only `durable` remains.
            case down
        }
        /// Server id.
        public var id: NodeID
        /// Up, stopped or down.
        public var status: Status
        /// The protocol state (nil while down).
        public var node: RaftNode?
        /// What its disk holds (crash-restart models only).
        public var durable: PersistentState?
        /// Timers that may fire.
        public var pendingTimers: [TimerKind]
    }

    /// One distinct item in flight.
    public struct Envelope: Sendable {
        /// The item.
        public var item: NetworkItem
        /// Its delivery label (as in a path).
        public var label: String
        /// Copies in flight (always 1 in a duplicating network).
        public var count: Int
        /// Whether it can be delivered now (receiver up; in an ordered network, head of its queue).
        public var isDeliverable: Bool
    }

    /// Servers by id.
    public var servers: [Server]
    /// Items in flight, in the state's canonical order.
    public var network: [Envelope]

    public var description: String {
        var lines = servers.map(Self.describe)
        let total = network.reduce(0) { $0 + $1.count }
        lines.append("network (\(total)):")
        for envelope in network {
            let count = envelope.count > 1 ? " ×\(envelope.count)" : ""
            let waiting = envelope.isDeliverable ? "" : " (not deliverable now)"
            lines.append("  \(envelope.label)\(count)\(waiting)")
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ server: Server) -> String {
        let timers = "timers [" + server.pendingTimers.map(\.rawValue).joined(separator: ", ") + "]"
        guard let node = server.node else {
            let disk = server.durable.map(describe) ?? "nothing"
            return "server \(server.id) (down): disk \(disk), \(timers)"
        }
        var text = "server \(server.id) (\(server.status.rawValue)): \(node.role.rawValue), term \(node.currentTerm), "
            + "voted \(node.votedFor.map(String.init) ?? "-"), leader \(node.leaderID.map(String.init) ?? "-"), "
            + "commit \(node.commitIndex), log \(Labels.entries(node.log.entries)), \(timers)"
        if node.role == .candidate || node.role == .preCandidate {
            text += "\n    votes \(node.votesReceived)"
        }
        if node.role == .leader {
            let progress = node.peers.map { peer in
                "\(peer): sent \(node.progress[peer].sentLength) acked \(node.progress[peer].ackedLength)"
            }
            text += "\n    progress " + progress.joined(separator: "; ")
        }
        if !node.bufferedProposals.isEmpty {
            text += "\n    buffered [" + node.bufferedProposals.map(Labels.proposal).joined(separator: ", ") + "]"
        }
        if let durable = server.durable, durable != node.persistentState {
            text += "\n    disk differs from memory: \(describe(durable))"
        }
        return text
    }

    private static func describe(_ durable: PersistentState) -> String {
        "term \(durable.currentTerm), voted \(durable.votedFor.map(String.init) ?? "-"), "
            + "commit \(durable.commitIndex), log \(Labels.entries(durable.entries))"
    }
}

extension RaftModel {
    /// A readable copy of `state`.
    public func snapshot(of state: ClusterState) -> ClusterSnapshot {
        let flags = state.words[0]
        let servers = members.map { id -> ClusterSnapshot.Server in
            let reference = state.words[layout.nodeIndex(id)]
            let node = reference == StateLayout.downNode ? nil : nodes.payload(reference)
            let status: ClusterSnapshot.Server.Status = node == nil ? .down
                : flags & StateLayout.crashedBit(id) != 0 ? .stopped : .running
            let durable = layout.tracksDurableState ? durables.payload(state.words[layout.durableIndex(id)]) : nil
            let timers = TimerKind.allCases.filter { flags & StateLayout.timerBit(id, $0) != 0 }
            return ClusterSnapshot.Server(id: id, status: status, node: node, durable: durable, pendingTimers: timers)
        }
        var network: [ClusterSnapshot.Envelope] = []
        state.words.withUnsafeBufferPointer { words in
            let items = UnsafeBufferPointer(rebasing: words[layout.headerCount...])
            for position in items.indices {
                if position > 0 && items[position] == items[position - 1] {
                    network[network.count - 1].count += 1
                    continue
                }
                let reference = ItemReference(raw: items[position])
                let item = self.item(reference)
                let deliverable = order.startsDeliverable(at: position, in: items)
                    && flags & StateLayout.crashedBit(reference.to) == 0
                network.append(ClusterSnapshot.Envelope(item: item, label: item.label, count: 1, isDeliverable: deliverable))
            }
        }
        return ClusterSnapshot(servers: servers, network: network)
    }
}
