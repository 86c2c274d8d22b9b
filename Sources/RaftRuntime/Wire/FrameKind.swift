/// The byte after the version in every frame: what the body holds.
public enum FrameKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Peer → peer, first frame on a connection: who is talking, and in which cluster.
    case hello = 1
    /// Peer → peer: one RaftCore `Message`.
    case raft = 2
    /// Client → node: a proposal.
    case propose = 3
    /// Client → node: "how are you?" (empty body).
    case statusRequest = 4
    /// Node → client: the proposal committed at an index.
    case committed = 5
    /// Node → client: the proposal will not commit, and why.
    case rejected = 6
    /// Node → client: ask that node instead (or nobody is known to lead).
    case redirect = 7
    /// Node → client: the node's role, term, leader and log position.
    case status = 8
    /// Launcher → node: drop or restore traffic to peers (chaos experiments).
    case control = 9
    /// Client → node: if you lead, hand leadership to this node (`Input.transferLeadership`).
    case transferLeader = 10
    /// Operator → node: change the configuration by one server (`Input.changeMembership`).
    case changeMembership = 11
    /// Node → operator: the answer to `changeMembership`.
    case membershipAnswer = 12
    /// Node → client: the proposal committed at an index, and the state machine's reply.
    case answered = 13

    public var description: String {
        switch self {
        case .hello: return "hello"
        case .raft: return "raft"
        case .propose: return "propose"
        case .statusRequest: return "status-request"
        case .committed: return "committed"
        case .rejected: return "rejected"
        case .redirect: return "redirect"
        case .status: return "status"
        case .control: return "control"
        case .transferLeader: return "transfer-leader"
        case .changeMembership: return "change-membership"
        case .membershipAnswer: return "membership-answer"
        case .answered: return "answered"
        }
    }
}
