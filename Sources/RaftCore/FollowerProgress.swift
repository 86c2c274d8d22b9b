/// What a leader knows about one follower's log.
public struct FollowerProgress: Hashable, Sendable {
    /// Entries sent (Kleppmann's `sentLength`): the next log request starts after them.
    public var sentLength: Int
    /// Entries the follower acknowledged as matching the leader's log (`ackedLength`).
    public var ackedLength: Int
    /// Probing: one request at a time until the follower's log matches. Replicating:
    /// requests are pipelined (only with `ProtocolOptions.pipelining`).
    public var isProbing: Bool
    /// A probe is on its way; no other is sent until it is answered or a heartbeat is due.
    public var probeInFlight: Bool
    /// The snapshot being sent to the follower (its index; `0`: none), because the entry it
    /// needs next was dropped from the leader's log.
    public var snapshotIndex: Int
    /// Bytes of that snapshot the follower acknowledged holding; the next chunk starts here.
    public var snapshotBytesAcked: Int
    /// A chunk is on its way; the next goes when it is answered (or again on a heartbeat).
    public var snapshotChunkInFlight: Bool

    /// Progress of a follower a new leader knows nothing about yet.
    public init(sentLength: Int) {
        self.sentLength = sentLength
        self.ackedLength = 0
        self.isProbing = true
        self.probeInFlight = false
        self.snapshotIndex = 0
        self.snapshotBytesAcked = 0
        self.snapshotChunkInFlight = false
    }
}
