import RaftCore

/// The tag bytes inside frame bodies (docs/WIRE_FORMAT.md lists them too).
enum WireTags {
    /// `raft` body: which of the eight message bodies follows.
    enum MessageBody: UInt8 {
        case voteRequest = 1, voteResponse = 2, logRequest = 3, logResponse = 4, forward = 5, forwardRejected = 6
        case snapshotChunk = 7, snapshotResponse = 8, timeoutNow = 9
    }

    /// Vote request flags byte: bit 0 pre-vote, bit 1 leadership transfer.
    static let preVoteFlag: UInt8 = 1
    static let transferFlag: UInt8 = 2

    /// `status` body: the node's role.
    static func tag(of role: Role) -> UInt8 {
        switch role {
        case .follower: return 1
        case .preCandidate: return 2
        case .candidate: return 3
        case .leader: return 4
        }
    }

    /// `change-membership` body: what changes.
    static func tag(of change: MembershipChange) -> UInt8 {
        switch change {
        case .addLearner: return 1
        case .promote: return 2
        case .remove: return 3
        }
    }

    /// The change a tag names for `server`, if any.
    static func membershipChange(tag: UInt8, server: NodeID) -> MembershipChange? {
        switch tag {
        case 1: return .addLearner(server)
        case 2: return .promote(server)
        case 3: return .remove(server)
        default: return nil
        }
    }

    /// The role a tag names, if any.
    static func role(ofTag tag: UInt8) -> Role? {
        switch tag {
        case 1: return .follower
        case 2: return .preCandidate
        case 3: return .candidate
        case 4: return .leader
        default: return nil
        }
    }

    /// `control` body: the command.
    enum Control: UInt8 {
        case dropPeers = 1, heal = 2
    }

    /// An optional node id: tag 0 (none, nothing follows) or 1 (a u16 id follows).
    static let absent: UInt8 = 0
    static let present: UInt8 = 1

    /// Bytes of an entry on the wire, payload excluded: term, request, payload length.
    static let entryHeaderBytes = 20
    /// Bytes of a forwarded proposal, payload excluded: request, origin, payload length.
    static let proposalHeaderBytes = 14
    /// Bytes of one refusal in a `forwardRejected` message: request, code, detail.
    static let rejectionBytes = 17

    /// Code 7 of a `rejected` frame: the request timed out (codes 1...6 are
    /// `ProposalRejection.code`).
    static let timedOutCode: UInt8 = 7

    /// The code of a `rejected` frame's reason.
    static func code(of reason: RaftError) -> UInt8 {
        switch reason {
        case .rejected(let rejection): return rejection.code
        case .timedOut: return timedOutCode
        }
    }

    /// The number a `rejected` frame's reason carries.
    static func detail(of reason: RaftError) -> Int {
        switch reason {
        case .rejected(let rejection): return rejection.detail
        case .timedOut: return 0
        }
    }

    /// The reason with `code` and `detail`, if the code is known.
    static func reason(code: UInt8, detail: Int) -> RaftError? {
        if code == timedOutCode { return detail == 0 ? .timedOut : nil }
        return ProposalRejection(code: code, detail: detail).map(RaftError.rejected)
    }
}
