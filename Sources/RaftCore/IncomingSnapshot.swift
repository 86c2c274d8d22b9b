/// A leader's snapshot a follower receives in chunks (`SnapshotChunk`), held until complete.
/// Volatile: a restart, a new snapshot from the leader or a chunk out of order starts over.
public struct IncomingSnapshot: Hashable, Sendable {
    /// The snapshot's last index and its term.
    public var index: Int
    public var term: Term
    /// The configuration in force at `index`.
    public var configuration: Configuration
    /// Bytes of the whole snapshot.
    public var totalBytes: Int
    /// The bytes received so far, in order.
    public var bytes: [UInt8]
}
