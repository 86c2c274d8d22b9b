import RaftRuntime

extension Sequence<NodeStatus> {
    /// The node that reports leading in the highest term, if any: with a stale leader still
    /// unaware of its successor, the newer one.
    var leaderOfHighestTerm: NodeStatus? {
        filter { $0.role == .leader }.max { $0.term < $1.term }
    }
}
