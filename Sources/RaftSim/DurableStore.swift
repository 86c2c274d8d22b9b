import RaftCore

/// What a simulated node's disk holds: the effect of every `.persist` output so far.
/// Persists are applied synchronously, so this is also what survives a crash.
public struct DurableStore: Hashable, Sendable {
    /// The durable state, ready to pass to `.restart`.
    public private(set) var state = PersistentState.initial

    /// An empty disk.
    public init() {}

    /// Applies one durable change, checking it fits the log it changes.
    public mutating func apply(_ change: PersistentChange) {
        switch change {
        case .hardState(let term, let votedFor):
            precondition(term >= state.currentTerm, "durable term went back \(state.currentTerm) -> \(term)")
            state.currentTerm = term
            state.votedFor = votedFor
        case .append(let firstIndex, let entries):
            precondition(firstIndex == state.entries.count + 1,
                         "append at \(firstIndex) to a durable log of \(state.entries.count) entries")
            state.entries.append(contentsOf: entries)
        case .truncate(let length):
            precondition(length <= state.entries.count, "truncate to \(length) of \(state.entries.count)")
            state.entries.removeSubrange(length...)
        case .commit(let index):
            precondition(index <= state.entries.count, "durable commit \(index) past the log")
            state.commitIndex = index
        }
    }
}
