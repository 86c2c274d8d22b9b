import NIOConcurrencyHelpers
import NIOCore
import RaftCore

/// Hosts in one process exchanging messages through their event loops, with partitions:
/// the transport for tests and experiments that want real timers without sockets. Its
/// endpoints and partitions are guarded by one lock; any thread may call it.
public final class InProcessNetwork: @unchecked Sendable {
    private let lock = NIOLock()
    private var endpoints: [NodeID: Endpoint] = [:]
    private var blockedLinks: Set<Link> = []

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    /// An empty network.
    public init() {}

    /// Adds `host` and returns the transport it sends through, already receiving for it
    /// (give it to `NodeHost.start(transport:)`).
    public func attach(_ host: NodeHost) -> any MessageTransport {
        let endpoint = makeEndpoint(host.node.id)
        endpoint.receiver.withLockedValue { $0 = { [host] in host.receive($0) } }
        return endpoint
    }

    /// A transport for node `id` that receives once started (what `Raft(config:transport:)`
    /// takes: `{ network.endpoint(for: $0.config.selfID) }`).
    public func endpoint(for id: NodeID) -> any MessageTransport {
        makeEndpoint(id)
    }

    private func makeEndpoint(_ id: NodeID) -> Endpoint {
        let endpoint = Endpoint(network: self, owner: id)
        lock.withLock { endpoints[id] = endpoint }
        return endpoint
    }

    /// Removes node `id` (it crashed): messages to it are lost.
    public func detach(_ id: NodeID) {
        lock.withLock { _ = endpoints.removeValue(forKey: id) }
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
        let target: Endpoint? = lock.withLock {
            blockedLinks.contains(Link(from: message.from, to: message.to)) ? nil : endpoints[message.to]
        }
        guard let receive = target?.receiver.withLockedValue({ $0 }) else { return }
        receive(message)
    }

    /// One node's end: messages queue until the node flushes them; queue and receiver are
    /// each behind a lock (uncontended: the node's loop is their only writer).
    private final class Endpoint: MessageTransport, Sendable {
        let network: InProcessNetwork
        let owner: NodeID
        let queued = NIOLockedValueBox<[Message]>([])
        let receiver = NIOLockedValueBox<(@Sendable (Message) -> Void)?>(nil)

        init(network: InProcessNetwork, owner: NodeID) {
            self.network = network
            self.owner = owner
        }

        func start(receive: @escaping @Sendable (Message) -> Void) async throws {
            receiver.withLockedValue { $0 = receive }
        }

        func close() async {
            receiver.withLockedValue { $0 = nil }
        }

        func send(_ message: Message) { queued.withLockedValue { $0.append(message) } }

        func flush() {
            let messages = queued.withLockedValue { queued in
                defer { queued.removeAll(keepingCapacity: true) }
                return queued
            }
            for message in messages { network.deliver(message) }
        }
    }
}
