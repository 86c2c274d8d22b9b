import RaftCore
import RaftTrace

/// Everything one node needs to run: who it is, where its peers listen, how it behaves,
/// where it keeps its durable state (raft-lite's `RaftConfig`), and how much of the log the
/// application already applied.
///
/// ## Delivery across restarts
/// A node restarted from its data directory delivers committed messages again according to
/// `appliedIndex`, the application's own durable progress:
/// - `nil` (the default): the application kept nothing that survived (its state lives in
///   memory). Every committed message is delivered again from the start of the log, in order,
///   right after `run()`; later commits follow as usual.
/// - `N`: the application durably applied entries 1...N itself. It gets exactly the committed
///   entries after N: those up to the durable commit index right after `run()`, the rest as
///   they commit. An entry whose commit was durable but which never reached the application
///   (a crash in between) is therefore delivered after the restart, not skipped.
///
/// `run()` throws `RaftConfigError` when `appliedIndex` is negative, above the durable commit
/// index it finds, or set while `deliversMessages` is false.
public struct RaftConfig: Sendable {
    /// Peer addresses by id, this node's included: the founding members, and any other
    /// server the node may hear of (see `peerAddressResolver` for the rest).
    public var peers: [NodeID: PeerAddress]
    /// The configuration the node starts from while its log and snapshot hold none: every
    /// id of `peers` as a voter by default; `Configuration.empty` for a server joining a
    /// running cluster (the leader adds it as a learner, and its log tells it the rest).
    /// It must be the same founding configuration on every node, at every restart.
    public var bootstrap: Configuration
    /// Where a server that is not in `peers` listens (one added while the cluster runs),
    /// or `nil` when unknown: the node then neither sends to it nor accepts its connection.
    public var peerAddressResolver: (@Sendable (NodeID) -> PeerAddress?)?
    /// This node's id (a key of `peers`).
    public var selfID: NodeID
    /// Timing, batching and protocol options.
    public var tuning: NodeTuning
    /// Directory of the durable log (`nil`: state in memory, lost when the process ends).
    public var dataDirectory: String?
    /// Directory of the trace (`node-<id>.jsonl.gz`), or `nil` for no trace.
    public var traceDirectory: String?
    /// Nodes refuse peers that announce another cluster id.
    public var clusterID: UInt64
    /// Where this node serves the client protocol (proposals, status, chaos control) for
    /// processes other than the embedding application, if anywhere.
    public var clientAddress: PeerAddress?
    /// The 127.0.0.1 port where the node serves Prometheus metrics at `/metrics` (0: any free
    /// port, see `RaftSession.metricsServer`), or `nil` for no metrics.
    public var metricsPort: Int?
    /// Directory of the live OTLP/JSON span export (`node-<id>.otlp.jsonl`), or `nil` for none.
    public var spanDirectory: String?
    /// The process that compresses the trace (`TraceWriter.Options.compressorProcess`): it
    /// outlives a killed node and finishes the trace from what the node pushed. The system's
    /// gzip by default; the lab's node processes use raftlab's own (`CompressorCommand.raftlab`).
    public var traceCompressor: CompressorCommand = .gzip
    /// Whether `RaftSession.messages` receives the delivered messages. A process that never
    /// reads the stream (the lab's node process) turns this off so they do not pile up; it has
    /// no application state to rebuild, so a restart delivers nothing again (the node resumes
    /// after its durable commit index) and `appliedIndex` must be `nil`.
    public var deliversMessages = true
    /// The highest log index the application applied durably on its own (its state survived
    /// up to there), or `nil` when nothing it applied survived: a restart then delivers every
    /// committed message again from index 1 (see "Delivery across restarts" above). Must be
    /// between 0 and the durable commit index `run()` finds. Not `PersistentState.appliedIndex`,
    /// whose `nil` means "everything committed was applied".
    public var appliedIndex: Int?
    /// The application as a state machine the node applies, snapshots and restores itself
    /// (instead of, not besides, `RaftSession.messages`: set `deliversMessages` to false).
    /// Its state lives in memory: at a restart the node restores its snapshot and applies
    /// the committed entries after it.
    public var stateMachine: (any StateMachine)?
    /// With a `stateMachine`: take a snapshot every this many applied entries and drop the
    /// log it covers (all but `ProtocolOptions.entriesKeptAfterSnapshot` entries); `nil`:
    /// never, and the log grows without bound.
    public var snapshotEveryEntries: Int?

    /// A configuration for node `selfID` of the cluster `peers`.
    public init(peers: [NodeID: PeerAddress], self selfID: NodeID, tuning: NodeTuning = NodeTuning(),
                dataDirectory: String?, traceDirectory: String? = nil, clusterID: UInt64 = 0,
                clientAddress: PeerAddress? = nil, appliedIndex: Int? = nil) {
        precondition(peers[selfID] != nil, "node \(selfID) is not among the peers \(peers.keys.sorted())")
        self.peers = peers
        self.bootstrap = Configuration(voters: peers.keys)
        self.selfID = selfID
        self.tuning = tuning
        self.dataDirectory = dataDirectory
        self.traceDirectory = traceDirectory
        self.clusterID = clusterID
        self.clientAddress = clientAddress
        self.appliedIndex = appliedIndex
    }

    /// Ids with a known address in `peers`, in increasing order.
    public var members: [NodeID] { peers.keys.sorted() }

    /// Where server `id` listens for peers: `peers`, else `peerAddressResolver`.
    public func address(of id: NodeID) -> PeerAddress? {
        peers[id] ?? peerAddressResolver?(id)
    }

    /// Checks what can be checked before the durable state is read.
    func validate() throws {
        if let every = snapshotEveryEntries, every < 1 || stateMachine == nil {
            throw RaftConfigError.snapshotsWithoutStateMachine(every: every)
        }
        if stateMachine != nil && (deliversMessages || appliedIndex != nil) {
            throw RaftConfigError.stateMachineWithMessages
        }
        guard let appliedIndex else { return }
        guard deliversMessages else { throw RaftConfigError.appliedIndexWithoutDeliveries(appliedIndex: appliedIndex) }
        guard appliedIndex >= 0 else { throw RaftConfigError.appliedIndexNegative(appliedIndex) }
    }

    /// The core's `PersistentState.appliedIndex` for a restart at `durableCommitIndex`: the
    /// application's own index, 0 for `nil`, or the commit index itself (nothing delivered
    /// again) when nobody reads the messages.
    func restartAppliedIndex(durableCommitIndex: Int) throws -> Int {
        if stateMachine != nil { return 0 } // rebuilt from the snapshot and the log after it
        guard deliversMessages else { return durableCommitIndex }
        let applied = appliedIndex ?? 0
        guard applied <= durableCommitIndex else {
            throw RaftConfigError.appliedIndexAboveCommitIndex(appliedIndex: applied, durableCommitIndex: durableCommitIndex)
        }
        return applied
    }
}
