import RaftCore

/// One finished span of a node's live trace export (`NodeSpanRecorder` makes them,
/// `OTLPSpanFile` writes them as OTLP/JSON).
struct NodeSpan: Equatable {
    /// What the span covers.
    enum Name: String {
        /// A campaign: from becoming (pre-)candidate to winning or giving up.
        case election = "raft.election"
        /// A leader's run of appended entries: from the append to their commit.
        case replicate = "raft.replicate"
        /// One group commit of the durable log: write plus fdatasync.
        case fsync = "raft.fsync"
        /// A vote this node granted (instantaneous).
        case vote = "raft.vote"
    }

    var name: Name
    var startUs: Int64
    var endUs: Int64
    /// Integer attributes (`raft.term`, `raft.first_index`, …), in a fixed order.
    var attributes: [(key: String, value: Int)]
    /// A string attribute saying how the span ended (`won`, `lost`, `committed`, …), if any.
    var outcome: String?
    /// Whether the span ended as hoped (an election lost or entries never committed are not).
    var succeeded: Bool

    static func == (left: NodeSpan, right: NodeSpan) -> Bool {
        left.name == right.name && left.startUs == right.startUs && left.endUs == right.endUs
            && left.attributes.map(\.key) == right.attributes.map(\.key) && left.attributes.map(\.value) == right.attributes.map(\.value)
            && left.outcome == right.outcome && left.succeeded == right.succeeded
    }
}
