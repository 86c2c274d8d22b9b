/// Everything a node needs durable to restart safely: term, vote, latest snapshot, log,
/// commit index, and which incarnation is starting.
///
/// A driver rebuilds this from disk and passes it in `Input.restart`.
public struct PersistentState: Hashable, Sendable {
    /// The latest term the node has seen.
    public var currentTerm: Term
    /// The candidate the node voted for in `currentTerm`, if any.
    public var votedFor: NodeID?
    /// The latest snapshot (`Snapshot.none` when none was taken or installed).
    public var snapshot: Snapshot
    /// The last index dropped from the log (`0`: none), and its entry's term.
    public var compactedIndex: Int
    public var compactedTerm: Term
    /// The durable log after `compactedIndex`: `entries[i]` is at index `compactedIndex + i + 1`.
    public var entries: [Entry]
    /// Highest index known committed when the node stopped (entries up to it were delivered).
    public var commitIndex: Int
    /// Highest index the application has already applied (not durable Raft state: the
    /// driver sets it from the application before the restart). Entries after it and up to
    /// `commitIndex` are delivered again right after the restart; `nil` means `commitIndex`,
    /// nothing delivered again. An in-memory application passes `0` to replay the committed
    /// log. (RaftRuntime's `RaftConfig.appliedIndex` speaks for the application instead: its
    /// `nil` means nothing applied, i.e. `0` here.)
    public var appliedIndex: Int?
    /// The incarnation that starts from this state: 1 on a node's first start, one more on
    /// every restart, kept durably by the driver (it names the node's campaigns, see
    /// `CampaignID`). Not changed by `apply`.
    public var incarnation: UInt64

    public init(currentTerm: Term = 0, votedFor: NodeID? = nil, snapshot: Snapshot = .none,
                compactedIndex: Int = 0, compactedTerm: Term = 0, entries: [Entry] = [],
                commitIndex: Int = 0, appliedIndex: Int? = nil, incarnation: UInt64 = 1) {
        precondition(incarnation >= 1, "incarnations count from 1, got \(incarnation)")
        self.currentTerm = currentTerm
        self.votedFor = votedFor
        self.snapshot = snapshot
        self.compactedIndex = compactedIndex
        self.compactedTerm = compactedTerm
        self.entries = entries
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.incarnation = incarnation
    }

    /// Index of the last durable entry (counting the dropped ones).
    public var lastIndex: Int { compactedIndex + entries.count }

    /// A node that never ran: term 0, no vote, empty log, first incarnation.
    public static let initial = PersistentState()

    /// This state as the next incarnation finds it (what a restart from it starts with).
    public var nextIncarnation: PersistentState {
        var next = self
        next.incarnation += 1
        return next
    }

    /// Applies one `.persist` output the way a disk would, checking that it fits the log it
    /// changes (in-memory drivers: the simulator, the model checker, test storage).
    public mutating func apply(_ change: PersistentChange) {
        switch change {
        case .hardState(let term, let votedFor):
            precondition(term >= currentTerm, "durable term went back \(currentTerm) -> \(term)")
            currentTerm = term
            self.votedFor = votedFor
        case .append(let firstIndex, let newEntries):
            precondition(firstIndex == lastIndex + 1, "append at \(firstIndex) to a durable log ending at \(lastIndex)")
            entries.append(contentsOf: newEntries)
        case .truncate(let length):
            precondition(length >= compactedIndex && length <= lastIndex,
                         "truncate to \(length) of a durable log \(compactedIndex)...\(lastIndex)")
            entries.removeSubrange((length - compactedIndex)...)
        case .commit(let index):
            precondition(index <= lastIndex, "durable commit \(index) past the log")
            commitIndex = index
        case .snapshot(let newSnapshot):
            precondition(newSnapshot.index > snapshot.index, "snapshot through \(newSnapshot.index) replaces a newer one (\(snapshot.index))")
            snapshot = newSnapshot
        case .compact(let index, let term):
            precondition(index >= compactedIndex && index <= snapshot.index,
                         "compact through \(index): log compacted through \(compactedIndex), snapshot through \(snapshot.index)")
            if index <= lastIndex {
                let held = index == compactedIndex ? compactedTerm : entries[index - compactedIndex - 1].term
                precondition(held == term, "compact through \(index) of term \(term), but the durable log holds term \(held) there")
            }
            entries.removeSubrange(..<(index <= lastIndex ? index - compactedIndex : entries.count))
            compactedIndex = index
            compactedTerm = term
        }
    }
}
