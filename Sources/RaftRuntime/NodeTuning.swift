import RaftCore

/// How a running node is tuned: its election timing, batching and durability, the protocol
/// options its core runs with, and what its trace records. (Who the node is and where it
/// keeps things is `RaftConfig`; what the core does is `ProtocolOptions`.)
public struct NodeTuning: Sendable, Hashable {
    /// Election timeouts and heartbeat interval.
    public var timing: ElectionTiming
    /// Inputs a node takes before it persists and sends what they produced (group commit).
    public var inputsPerBatchMax: Int
    /// Protocol options (pre-vote, check-quorum, append limits, …).
    public var options: ProtocolOptions
    /// Seed of the election-timeout randomness (`nil`: seeded from the system).
    public var seed: UInt64?
    /// Whether appends and votes are fsynced before they are acknowledged (turn off only to
    /// measure what fsync costs: a node without it may lose acknowledged entries on power loss).
    public var fsync: Bool
    /// Whether the trace records every message sent and received (`send`/`recv` events).
    public var tracesMessages: Bool

    /// Tuning with etcd-like defaults scaled for a local lab: `ElectionTiming.standard`,
    /// pre-vote and check-quorum on.
    public init(timing: ElectionTiming = .standard,
                inputsPerBatchMax: Int = RuntimeLimits.inputsPerBatchMax, options: ProtocolOptions = .standard,
                seed: UInt64? = nil, fsync: Bool = true, tracesMessages: Bool = false) {
        precondition(inputsPerBatchMax >= 1, "a batch holds at least one input")
        self.timing = timing
        self.inputsPerBatchMax = inputsPerBatchMax
        self.options = options
        self.seed = seed
        self.fsync = fsync
        self.tracesMessages = tracesMessages
    }
}

/// Bounds of the runtime (the protocol's own bounds are in `RaftLimits`).
public enum RuntimeLimits {
    /// Inputs taken before a group commit, by default.
    public static let inputsPerBatchMax = 4096
    /// Bytes of one wire frame, header included.
    public static let frameBytesMax = 4 << 20
    /// Frames queued to one peer while it is unreachable; older ones are dropped (Raft resends).
    public static let framesQueuedPerPeerMax = 4096
    /// Bytes written to one peer's connection and not yet taken by the kernel (NIO's write
    /// buffer high watermark): a peer that stops reading (paused, overloaded) stops getting
    /// frames beyond this, they are dropped (Raft resends what matters) until it reads again.
    public static let bytesBufferedPerPeerMax = 1 << 20
    /// Bytes queued to one peer while it is unreachable (a leader probing a dead node with
    /// full log requests on every heartbeat would otherwise queue gigabytes); older frames
    /// are dropped. Small on purpose: what waits is stale by the time the peer is back (Raft
    /// resends what matters), and a peer that restarts should not have to wade through it
    /// before it hears its leader's current message.
    public static let bytesQueuedPerUnreachablePeerMax = 64 << 10
    /// Reconnection backoff to an unreachable peer, in milliseconds (a peer that comes back
    /// and connects to this node is reconnected to at once, whatever the backoff).
    public static let reconnectBackoffMs: ClosedRange<Int> = 10...250
    /// Client proposals waiting for their delivery at one node; beyond this they are refused.
    public static let clientRequestsWaitingMax = 1 << 16
}
