import RaftCore

extension PersistentState {
    /// Applies one `.persist` output the way a disk would, checking that it fits.
    ///
    /// The model keeps each crash-restart server's disk apart from its memory so that a core
    /// that forgets to persist something is caught. (RaftSim's `DurableStore` does the same
    /// for the simulator; one shared `apply` in RaftCore would serve both.)
    mutating func apply(_ change: PersistentChange) {
        switch change {
        case .hardState(let term, let votedFor):
            precondition(term >= currentTerm, "durable term went back \(currentTerm) -> \(term)")
            currentTerm = term
            self.votedFor = votedFor
        case .append(let firstIndex, let newEntries):
            precondition(firstIndex == entries.count + 1, "append at \(firstIndex) to a durable log of \(entries.count)")
            entries.append(contentsOf: newEntries)
        case .truncate(let length):
            precondition(length >= 0 && length <= entries.count, "truncate to \(length) of \(entries.count) entries")
            entries.removeSubrange(length...)
        case .commit(let index):
            precondition(index <= entries.count, "durable commit \(index) past the log")
            commitIndex = index
        }
    }
}
