import Foundation
import NIOConcurrencyHelpers
import RaftCore
import RaftRuntime

/// Where the lab's nodes find a server added after they started (`raftlab member add`):
/// the cluster file again, read at most twice a second, for ids it did not list before.
/// Any thread may ask (`RaftConfig.peerAddressResolver`).
final class ClusterAddressBook: Sendable {
    private let path: String
    private let state: NIOLockedValueBox<(known: [NodeID: PeerAddress], readAt: ContinuousClock.Instant?)>
    /// The least time between two reads of the file.
    static let rereadInterval: Duration = .milliseconds(500)

    init(path: String, known: [NodeID: PeerAddress]) {
        self.path = path
        state = NIOLockedValueBox((known, nil))
    }

    /// Server `id`'s peer address, if the cluster file names it (now or at the last read).
    func address(of id: NodeID) -> PeerAddress? {
        state.withLockedValue { state in
            if let address = state.known[id] { return address }
            let now = ContinuousClock.now
            if let readAt = state.readAt, now - readAt < Self.rereadInterval { return nil }
            state.readAt = now
            guard let file = try? ClusterFile.read(path: path) else { return nil }
            for node in file.nodes { state.known[node.id] = node.peer }
            return state.known[id]
        }
    }
}
