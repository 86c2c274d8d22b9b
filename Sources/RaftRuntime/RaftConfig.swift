import RaftCore

/// Everything one node needs to run: who it is, where its peers listen, how it behaves, and
/// where it keeps its durable state (raft-lite's `RaftConfig`).
public struct RaftConfig: Sendable {
    /// Every member's id and peer address, this node included.
    public var peers: [NodeID: PeerAddress]
    /// This node's id (a key of `peers`).
    public var selfID: NodeID
    /// Timing, batching and protocol options.
    public var params: RaftParams
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
    /// Whether `RaftSession.messages` receives the delivered messages. A process that never
    /// reads the stream (the lab's node process) turns this off so they do not pile up.
    public var deliversMessages = true

    /// A configuration for node `selfID` of the cluster `peers`.
    public init(peers: [NodeID: PeerAddress], self selfID: NodeID, params: RaftParams = RaftParams(),
                dataDirectory: String?, traceDirectory: String? = nil, clusterID: UInt64 = 0,
                clientAddress: PeerAddress? = nil) {
        precondition(peers[selfID] != nil, "node \(selfID) is not among the peers \(peers.keys.sorted())")
        self.peers = peers
        self.selfID = selfID
        self.params = params
        self.dataDirectory = dataDirectory
        self.traceDirectory = traceDirectory
        self.clusterID = clusterID
        self.clientAddress = clientAddress
    }

    /// Member ids in increasing order.
    public var members: [NodeID] { peers.keys.sorted() }
}
