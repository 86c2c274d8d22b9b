import RaftCore

/// Why `Raft.run()` refused a `RaftConfig`: one line naming the field and the numbers.
public enum RaftConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `appliedIndex` is below 0.
    case appliedIndexNegative(Int)
    /// `appliedIndex` is above the commit index the data directory holds: the application
    /// claims entries the node does not know as committed (another node's data directory, or
    /// a power loss took the last commit records, docs/STORAGE_FORMAT.md). An application
    /// that is sure of its state may run again with `appliedIndex: durableCommitIndex` and
    /// ignore deliveries at or below its own index.
    case appliedIndexAboveCommitIndex(appliedIndex: Int, durableCommitIndex: Int)
    /// `appliedIndex` is set although `deliversMessages` is false: nobody reads the messages,
    /// so nothing is delivered again whatever it says.
    case appliedIndexWithoutDeliveries(appliedIndex: Int)
    /// A protocol option cannot work (`NodeTuning.problem`): a bound below 1, or messages
    /// larger than a wire frame may be.
    case unusableOption(ProtocolOptions.Problem)
    /// `snapshotEveryEntries` is below 1, or set without a `stateMachine` to snapshot.
    case snapshotsWithoutStateMachine(every: Int)
    /// A `stateMachine` is set together with `deliversMessages` or an `appliedIndex`: the
    /// state machine gets the entries (and restores snapshots), not the message stream.
    case stateMachineWithMessages

    public var description: String {
        switch self {
        case .appliedIndexNegative(let index):
            return "RaftConfig.appliedIndex \(index) is negative (nil: nothing applied, N: entries 1...N applied)"
        case .appliedIndexAboveCommitIndex(let applied, let commit):
            return "RaftConfig.appliedIndex \(applied) is above the durable commit index \(commit) this node restarts with"
        case .appliedIndexWithoutDeliveries(let applied):
            return "RaftConfig.appliedIndex \(applied) is set but deliversMessages is false: nothing would be delivered again"
        case .unusableOption(let problem):
            return problem.description
        case .snapshotsWithoutStateMachine(let every):
            return "RaftConfig.snapshotEveryEntries \(every) needs a stateMachine to snapshot and must be at least 1"
        case .stateMachineWithMessages:
            return "RaftConfig.stateMachine takes the committed entries itself: set deliversMessages to false and leave appliedIndex nil"
        }
    }
}
