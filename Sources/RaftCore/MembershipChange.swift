/// One change of the configuration, asked of the leader (`Input.changeMembership`): the Raft
/// thesis's single-server changes (§4.1), with learners as etcd has them. A server joins as
/// a learner, catches up, and is then promoted to voter; removing a server removes it
/// whatever its role.
public enum MembershipChange: Hashable, Sendable, CustomStringConvertible {
    /// `id` starts receiving the log, without a vote.
    case addLearner(NodeID)
    /// Learner `id` becomes a voter.
    case promote(NodeID)
    /// `id` leaves the cluster (a leader that removes itself steps down once the change commits).
    case remove(NodeID)

    /// The server the change is about.
    public var server: NodeID {
        switch self {
        case .addLearner(let id), .promote(let id), .remove(let id): return id
        }
    }

    public var description: String {
        switch self {
        case .addLearner(let id): return "add learner \(id)"
        case .promote(let id): return "promote \(id)"
        case .remove(let id): return "remove \(id)"
        }
    }

    /// `configuration` after this change, or why the change does not apply to it.
    public func applied(to configuration: Configuration) -> Result<Configuration, MembershipRefusal> {
        let id = server
        guard id >= 0 && id < RaftLimits.clusterSizeMax else { return .failure(.invalidServer(id)) }
        var next = configuration
        switch self {
        case .addLearner:
            guard !configuration.contains(id) else { return .failure(.alreadyMember(id)) }
            next.learners.insert(id)
        case .promote:
            guard configuration.learners.contains(id) else {
                return .failure(configuration.voters.contains(id) ? .alreadyVoter(id) : .notMember(id))
            }
            next.learners.remove(id)
            next.voters.insert(id)
        case .remove:
            guard configuration.contains(id) else { return .failure(.notMember(id)) }
            guard configuration.voters != NodeSet([id]) else { return .failure(.lastVoter(id)) }
            next.voters.remove(id)
            next.learners.remove(id)
        }
        return .success(next)
    }
}

/// Why a leader did not append a membership change.
public enum MembershipRefusal: Hashable, Sendable, Error, CustomStringConvertible {
    /// This node does not lead (`leader`: the one it knows of, if any).
    case notLeader(leader: NodeID?)
    /// The leader has not committed an entry of its own term yet: until it has, a
    /// configuration of an earlier leader may still be overtaken (Ongaro, raft-dev, 2015).
    case leaderNotReady
    /// A configuration change is appended and not committed yet: one at a time.
    case changeInProgress(index: Int)
    /// The leader is handing leadership over.
    case transferInProgress
    /// The id is outside `0..<RaftLimits.clusterSizeMax`.
    case invalidServer(NodeID)
    /// The server to add is a voter or learner already.
    case alreadyMember(NodeID)
    /// The server to promote is a voter already.
    case alreadyVoter(NodeID)
    /// The server to promote or remove is not in the configuration.
    case notMember(NodeID)
    /// Removing the only voter would leave nobody to elect a leader.
    case lastVoter(NodeID)

    public var description: String {
        switch self {
        case .notLeader(let leader): return leader.map { "not the leader (node \($0) is)" } ?? "not the leader (none known)"
        case .leaderNotReady: return "the leader has not committed an entry of its term yet; try again"
        case .changeInProgress(let index): return "the change at index \(index) is not committed yet; one change at a time"
        case .transferInProgress: return "the leader is handing leadership over; try again"
        case .invalidServer(let id): return "node id \(id) is outside 0..<\(RaftLimits.clusterSizeMax)"
        case .alreadyMember(let id): return "node \(id) is a member already"
        case .alreadyVoter(let id): return "node \(id) is a voter already"
        case .notMember(let id): return "node \(id) is not a member"
        case .lastVoter(let id): return "node \(id) is the only voter"
        }
    }
}
