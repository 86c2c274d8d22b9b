import RaftCore

/// What a simulated node's disk holds: the effect of every `.persist` output so far, and the
/// incarnation of the node's current (or next) start. Persists are applied synchronously, so
/// this is also what survives a crash.
public struct DurableStore: Hashable, Sendable {
    /// The durable state, ready to pass to `.restart`.
    public private(set) var state = PersistentState.initial

    /// An empty disk.
    public init() {}

    /// A disk holding `state` (for scenarios that start after a written-down history).
    public init(state: PersistentState) {
        self.state = state
    }

    /// Applies one durable change, checking it fits the log it changes.
    public mutating func apply(_ change: PersistentChange) {
        state.apply(change)
    }

    /// Counts one more start (as a real disk records every incarnation before the node runs).
    public mutating func beginIncarnation() {
        state = state.nextIncarnation
    }
}
