import NIOConcurrencyHelpers
import NIOCore
import RaftCore

/// Hosts in one process exchanging messages through their event loops, with partitions:
/// the transport for tests and experiments that want real timers without sockets.
public final class InProcessNetwork: @unchecked Sendable {
    private let lock = NIOLock()
    private var hosts: [NodeID: NodeHost] = [:]
    private var blockedLinks: Set<Link> = []

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    /// An empty network.
    public init() {}

    /// Adds `host` and returns the transport it sends through.
    public func attach(_ host: NodeHost) -> any MessageTransport {
        lock.withLock { hosts[host.node.id] = host }
        return Endpoint(network: self, owner: host.node.id)
    }

    /// Removes node `id` (it crashed): messages to it are lost.
    public func detach(_ id: NodeID) {
        lock.withLock { _ = hosts.removeValue(forKey: id) }
    }

    /// Cuts `id` off from every other node, both ways.
    public func isolate(_ id: NodeID, among members: [NodeID]) {
        lock.withLock {
            for other in members where other != id {
                blockedLinks.insert(Link(from: id, to: other))
                blockedLinks.insert(Link(from: other, to: id))
            }
        }
    }

    /// Makes every link work again.
    public func heal() {
        lock.withLock { blockedLinks.removeAll() }
    }

    fileprivate func deliver(_ message: Message) {
        let target: NodeHost? = lock.withLock {
            blockedLinks.contains(Link(from: message.from, to: message.to)) ? nil : hosts[message.to]
        }
        guard let target else { return }
        target.submitFromAnyThread(.receive(message))
    }

    private final class Endpoint: MessageTransport {
        let network: InProcessNetwork
        let owner: NodeID
        var queued: [Message] = []

        init(network: InProcessNetwork, owner: NodeID) {
            self.network = network
            self.owner = owner
        }

        func send(_ message: Message) { queued.append(message) }

        func flush() {
            let messages = queued
            queued.removeAll(keepingCapacity: true)
            for message in messages { network.deliver(message) }
        }
    }
}
