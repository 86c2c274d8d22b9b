import RaftCore
import RaftSim
import Testing

/// Option sets the scenarios run under.
enum Profiles {
    /// Kleppmann's algorithm with production timers and pipelining, no extensions and no
    /// no-op entry: indexes in the stories are exactly the client's entries.
    static let plain = ProtocolOptions(preVote: false, checkQuorum: false, rearmTimers: true,
                                   pipelining: true, appendNoOpOnElection: false, reforwardsOnLeaderChange: true)
    /// Pre-vote on, the lease off (so an election can follow a leader's crash at once).
    static let preVoteOnly = ProtocolOptions(preVote: true, checkQuorum: false, rearmTimers: true,
                                         pipelining: true, appendNoOpOnElection: false, reforwardsOnLeaderChange: true)
    /// Production timers without pipelining: the leader steps back one entry per refusal,
    /// as raft-lite does.
    static let plainWithoutPipelining = ProtocolOptions(preVote: false, checkQuorum: false, rearmTimers: true,
                                                    pipelining: false, appendNoOpOnElection: true)
    /// Every profile whose elections work by `elect` alone.
    static let electable: [ProtocolOptions] = [plain, preVoteOnly, .lite]
}

extension SimulatedCluster {
    /// The payloads of node `id`'s log as text.
    func logTexts(_ id: NodeID) -> [String] {
        nodes[id].log.entries.filter { !$0.isProtocolEntry }.map { String(decoding: $0.payload, as: UTF8.self) }
    }

    /// The payloads node `id` delivered, as text (no-ops left out).
    func deliveredTexts(_ id: NodeID) -> [String] {
        delivered[id].filter { !$0.isProtocolEntry }.map { String(decoding: $0.payload, as: UTF8.self) }
    }

    /// The trace events node `id` reported, in order.
    func traces(of id: NodeID) -> [TraceEvent] {
        traceEvents.filter { $0.node == id }.map(\.event)
    }
}

extension Message {
    /// Whether this is a real (not pre-) vote request.
    var isVoteRequest: Bool {
        if case .voteRequest(let request) = body { return !request.preVote }
        return false
    }
    /// Whether this is a pre-vote request.
    var isPreVoteRequest: Bool {
        if case .voteRequest(let request) = body { return request.preVote }
        return false
    }
    /// Whether this is a log request.
    var isLogRequest: Bool {
        if case .logRequest = body { return true }
        return false
    }
}

extension ProtocolOptions: CustomTestStringConvertible {
    /// A short name for test listings.
    public var testDescription: String {
        switch self {
        case .lite: return "lite"
        case .standard: return "standard"
        case Profiles.plain: return "plain"
        case Profiles.preVoteOnly: return "pre-vote"
        default: return "preVote=\(preVote) checkQuorum=\(checkQuorum) mutant=\(mutant?.rawValue ?? "none")"
        }
    }
}
