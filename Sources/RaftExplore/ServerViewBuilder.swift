import RaftCheck
import RaftCore

/// Turns a snapshot's server (node state or disk) into a `StateDocument.ServerView`.
enum ServerViewBuilder {
    /// The view of `server`.
    static func view(_ server: ClusterSnapshot.Server) -> StateDocument.ServerView {
        let disk = server.durable.map { durable in
            StateDocument.DiskView(term: durable.currentTerm, votedFor: durable.votedFor, commitIndex: durable.commitIndex,
                                   log: entries(durable.entries, committed: durable.commitIndex))
        }
        guard let node = server.node else {
            guard let durable = server.durable else {
                preconditionFailure("server \(server.id) has neither a node state nor a disk")
            }
            return StateDocument.ServerView(
                id: server.id, status: server.status.rawValue, role: nil, term: durable.currentTerm,
                votedFor: durable.votedFor, leader: nil, commitIndex: durable.commitIndex,
                log: entries(durable.entries, committed: durable.commitIndex),
                delivered: delivered(durable.entries, committed: durable.commitIndex), votes: [], progress: [],
                buffered: [], timers: server.pendingTimers.map(\.rawValue), disk: disk, diskDiffers: false)
        }
        let campaigning = node.role == .candidate || node.role == .preCandidate
        let progress = node.role == .leader
            ? node.peers.map { StateDocument.ProgressView(peer: $0, sent: node.progress[$0].sentLength,
                                                          acked: node.progress[$0].ackedLength) }
            : []
        return StateDocument.ServerView(
            id: server.id, status: server.status.rawValue, role: node.role.rawValue, term: node.currentTerm,
            votedFor: node.votedFor, leader: node.leaderID, commitIndex: node.commitIndex,
            log: entries(node.log.entries, committed: node.commitIndex),
            delivered: delivered(node.log.entries, committed: node.commitIndex),
            votes: campaigning ? Array(node.votesReceived) : [], progress: progress,
            buffered: node.bufferedProposals.map { payloadText($0.payload) },
            timers: server.pendingTimers.map(\.rawValue), disk: disk,
            diskDiffers: server.durable.map { $0 != node.persistentState } ?? false)
    }

    /// The server's current term (its disk's while down).
    static func term(of server: ClusterSnapshot.Server) -> UInt64 {
        server.node?.currentTerm ?? server.durable?.currentTerm ?? 0
    }

    private static func entries(_ entries: [Entry], committed: Int) -> [StateDocument.EntryView] {
        entries.enumerated().map { offset, entry in
            StateDocument.EntryView(index: offset + 1, term: entry.term, request: entry.request,
                                    payload: payloadText(entry.payload), committed: offset < committed)
        }
    }

    private static func delivered(_ entries: [Entry], committed: Int) -> [String] {
        entries.prefix(committed).filter { !$0.isProtocolEntry }.map { payloadText($0.payload) }
    }

    /// The payload as `Labels.payload` writes it, without the quotes.
    private static func payloadText(_ bytes: [UInt8]) -> String {
        String(Labels.payload(bytes).dropFirst().dropLast())
    }
}
