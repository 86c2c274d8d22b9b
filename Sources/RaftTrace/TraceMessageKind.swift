/// The `msg` field of `send` / `recv` events: which protocol message crossed the network.
///
/// An open set: the known kinds have constants, a runtime may write others.
public struct TraceMessageKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The JSON spelling.
    public var rawValue: String

    /// A kind spelled `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A (pre-)vote request.
    public static let voteRequest = TraceMessageKind(rawValue: "vote_request")
    /// An answer to a vote request.
    public static let voteResponse = TraceMessageKind(rawValue: "vote_response")
    /// A leader's log request (entries, or a heartbeat when empty).
    public static let logRequest = TraceMessageKind(rawValue: "log_request")
    /// A follower's answer to a log request.
    public static let logResponse = TraceMessageKind(rawValue: "log_response")
    /// Client proposals forwarded towards the leader.
    public static let forward = TraceMessageKind(rawValue: "forward")
    /// Forwarded proposals refused, sent back to the node that forwarded them.
    public static let forwardRejected = TraceMessageKind(rawValue: "forward_rejected")
    /// Part of a leader's snapshot for a follower that needs entries the leader dropped.
    public static let snapshotChunk = TraceMessageKind(rawValue: "snapshot_chunk")
    /// A follower's answer to a snapshot chunk.
    public static let snapshotResponse = TraceMessageKind(rawValue: "snapshot_response")
    /// A leader handing leadership to the receiver.
    public static let timeoutNow = TraceMessageKind(rawValue: "timeout_now")

    /// The kinds above, in a fixed order (readers intern these without allocating).
    public static let known: [TraceMessageKind] = [.voteRequest, .voteResponse, .logRequest, .logResponse, .forward, .forwardRejected,
                                                   .snapshotChunk, .snapshotResponse, .timeoutNow]

    public var description: String { rawValue }
}
