/// How big the model's interning tables and memos grew (for tuning and for docs/MODEL.md).
public struct RaftModelStatistics: Hashable, Sendable, CustomStringConvertible {
    /// Distinct node states.
    public var nodeStates: Int
    /// Distinct network items (messages and client requests).
    public var networkItems: Int
    /// Distinct durable states (crash-restart only).
    public var durableStates: Int
    /// Memoized node steps.
    public var transitions: Int
    /// Memoized property verdicts (one per distinct combination of server states).
    public var verdicts: Int
    /// Bytes held by the step memos.
    public var memoBytes: Int

    public var description: String {
        "node states=\(nodeStates), network items=\(networkItems), durable states=\(durableStates), "
            + "memoized steps=\(transitions), verdicts=\(verdicts), memo MB=\(memoBytes >> 20)"
    }
}

extension RaftModel {
    /// Current sizes of the tables.
    public var statistics: RaftModelStatistics {
        RaftModelStatistics(nodeStates: nodes.count, networkItems: items.count, durableStates: durables.count,
                            transitions: transitions.count + restarts.count, verdicts: verdicts.count + packedVerdicts.count,
                            memoBytes: transitions.allocatedBytes + restarts.allocatedBytes + durableUpdates.allocatedBytes)
    }
}
