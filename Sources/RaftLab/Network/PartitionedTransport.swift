import NIOConcurrencyHelpers
import RaftCore
import RaftRuntime
import Synchronization

/// A `MessageTransport` decorator that drops the traffic a chaos experiment's partition cuts:
/// messages to a dropped peer are never handed on, messages from one never reach the node.
/// Both ends of every cut link drop, so nothing already in flight slips through. The rules
/// change with the launcher's `ControlCommand`s (`PartitionRules`).
final class PartitionedTransport: MessageTransport, Sendable {
    private let inner: any MessageTransport
    private let rules: PartitionRules

    /// `inner`, with `rules` applied both ways.
    init(wrapping inner: any MessageTransport, rules: PartitionRules) {
        self.inner = inner
        self.rules = rules
    }

    func start(receive: @escaping @Sendable (Message) -> Void) async throws {
        try await inner.start { [rules] message in
            if rules.accepts(from: message.from) { receive(message) }
        }
    }

    func send(_ message: Message) {
        if rules.sends(to: message.to) { inner.send(message) }
    }

    func flush() { inner.flush() }

    func close() async { await inner.close() }

    var peerBuffers: [PeerBuffer] { inner.peerBuffers }
}

/// Which peers a node neither sends to nor accepts from, as the launcher's control commands
/// last set them. Read on every message, written on a command: without a partition a message
/// costs one atomic load (`cutsAnything`), with one a lock, uncontended.
final class PartitionRules: Sendable {
    private struct Drops {
        var outbound: Set<NodeID> = []
        var inbound: Set<NodeID> = []
    }
    private let drops = NIOLockedValueBox(Drops())
    /// Whether any link is cut (set under the lock; a message that races a command may pass
    /// the old rules, as it would have had it left a moment earlier).
    private let cutsAnything = Atomic<Bool>(false)

    init() {}

    /// Applies `command`; returns the rules now in force, for the node's log.
    @discardableResult
    func apply(_ command: ControlCommand) -> (dropOut: [NodeID], dropIn: [NodeID]) {
        drops.withLockedValue { drops in
            switch command {
            case .dropPeers(let peers, let direction):
                if direction != .inbound { drops.outbound.formUnion(peers) }
                if direction != .outbound { drops.inbound.formUnion(peers) }
            case .heal:
                drops = Drops()
            }
            cutsAnything.store(!drops.outbound.isEmpty || !drops.inbound.isEmpty, ordering: .releasing)
            return (drops.outbound.sorted(), drops.inbound.sorted())
        }
    }

    func sends(to peer: NodeID) -> Bool {
        guard cutsAnything.load(ordering: .acquiring) else { return true }
        return drops.withLockedValue { !$0.outbound.contains(peer) }
    }

    func accepts(from peer: NodeID) -> Bool {
        guard cutsAnything.load(ordering: .acquiring) else { return true }
        return drops.withLockedValue { !$0.inbound.contains(peer) }
    }
}
