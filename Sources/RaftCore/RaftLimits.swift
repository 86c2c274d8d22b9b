/// Every bound the protocol core enforces, in one place.
///
/// A limit that is not named here does not exist: queues, batches and payloads are all bounded
/// so that a slow or hostile peer can only cost a known amount of memory.
public enum RaftLimits {
    /// Node ids live in `0..<clusterSizeMax` (they index a 64-bit vote mask).
    public static let clusterSizeMax = 64

    /// Entries carried by one log request (Kleppmann's "suffix"), by default.
    public static let entriesPerAppendMax = 512

    /// Payload bytes carried by one log request, by default; a single larger entry still
    /// travels alone so that replication always makes progress.
    public static let appendPayloadBytesMax = 1 << 20

    /// Bytes of one client proposal's payload.
    public static let proposalPayloadBytesMax = 64 << 10

    /// Proposals a node holds while it knows no leader; beyond this it rejects them.
    public static let bufferedProposalsMax = 1024

    /// Times a proposal may be forwarded between nodes before it is rejected.
    public static let forwardHopsMax = 3

    /// Entries sent to one follower and not yet acknowledged (pipelined replication), by default.
    public static let entriesInFlightMax = 8192

    /// Entries in one log request, or proposals in one forward, that a node accepts (the core
    /// sends at most `entriesPerAppendMax` entries, and splits forwards to this bound).
    public static let entriesPerMessageMax = 65536

    /// The largest term a node accepts from a peer: no cluster gets near it, and a node can
    /// add one to any term it holds without overflow.
    public static let termMax: Term = 1 << 62

    /// Entries a leader holds beyond its commit index before it rejects new proposals.
    public static let uncommittedEntriesMax = 65536

    /// Entries kept behind a new snapshot, by default.
    public static let entriesKeptAfterSnapshot = 5000

    /// Snapshot bytes in one message, by default.
    public static let snapshotChunkBytesMax = 1 << 20

    /// Bytes of a snapshot a follower accepts from its leader (the chunks it holds while the
    /// rest arrives are bounded by this).
    public static let snapshotBytesMax = 1 << 32
}
