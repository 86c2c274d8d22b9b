import RaftCore

/// Why a proposal did not commit.
public enum RaftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cluster refused the message.
    case rejected(ProposalRejection)
    /// No delivery within the time allowed; the message may still commit.
    case timedOut

    public var description: String {
        switch self {
        case .rejected(let reason): return "rejected: \(reason)"
        case .timedOut: return "timed out (the message may still commit)"
        }
    }
}
