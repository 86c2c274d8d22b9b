import RaftCore

/// One frame of the wire protocol: `[u32 length][u8 version = 4][u8 kind][body]`, big-endian.
///
/// Peers exchange `hello` (once, first) and `raft` frames; clients send `propose`,
/// `statusRequest` and `control`, and get `committed`, `rejected`, `redirect` and `status`
/// back. docs/WIRE_FORMAT.md gives every body byte by byte. Encode with `encode(into:)`;
/// decode with `FrameDecoder`.
public enum WireFrame: Hashable, Sendable {
    /// A peer introduces itself: its node id and the cluster it belongs to (a node never
    /// talks to another cluster's node).
    case hello(node: NodeID, clusterID: UInt64)
    /// A Raft message between peers.
    case raft(Message)
    /// A client proposes `payload` under its id `request`.
    case propose(request: RequestID, payload: [UInt8])
    /// A client asks for the node's status.
    case statusRequest
    /// The client's request committed at `index`.
    case committed(request: RequestID, index: Int)
    /// The client's request committed at `index`, and the node's state machine answered it
    /// with `reply` (`StateMachine.apply`; sent instead of `committed` when the reply is not empty).
    case answered(request: RequestID, index: Int, reply: [UInt8])
    /// The client's request was refused (it will not commit) or timed out (it may still
    /// commit): a code and the number it carries on the wire.
    case rejected(request: RequestID, reason: RaftError)
    /// The client should ask `leader` (nil: no leader is known; try later).
    case redirect(request: RequestID, leader: NodeID?)
    /// The node's status.
    case status(NodeStatus)
    /// A chaos command from the launcher.
    case control(ControlCommand)
    /// A client asks the node, if it leads, to hand leadership to `to`; answered with `status`.
    case transferLeader(to: NodeID)
    /// An operator asks the node, if it leads, to change the configuration by one server.
    case changeMembership(MembershipChange)
    /// The node's answer to `changeMembership`.
    case membershipAnswer(MembershipAnswer)

    /// The only wire version this code speaks (2: vote requests and responses carry the
    /// candidate's campaign id; 3: refusals carry a conflict term, forwarded proposals their
    /// origin, refusals of forwarded proposals go back to it, and rejections travel as codes;
    /// 4: snapshot chunks and status carry the configuration, membership frames).
    public static let version: UInt8 = 4
    /// Bytes before the body: length, version, kind.
    public static let headerBytes = 6

    /// The kind byte of this frame.
    public var kind: FrameKind {
        switch self {
        case .hello: return .hello
        case .raft: return .raft
        case .propose: return .propose
        case .statusRequest: return .statusRequest
        case .committed: return .committed
        case .answered: return .answered
        case .rejected: return .rejected
        case .redirect: return .redirect
        case .status: return .status
        case .control: return .control
        case .transferLeader: return .transferLeader
        case .changeMembership: return .changeMembership
        case .membershipAnswer: return .membershipAnswer
        }
    }
}
