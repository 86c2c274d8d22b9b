/// The application's state through a log index, as the application's own bytes, with the
/// term of the entry at that index.
///
/// The application hands the node a snapshot (`Input.snapshot`) of what it applied; the
/// node keeps its latest one durable and drops the log entries it covers (all but the last
/// `ProtocolOptions.entriesKeptAfterSnapshot`). A leader sends its snapshot, in chunks, to a
/// follower that needs an entry it dropped; the follower installs it and gives it to its
/// application (`Output.restore`). The core never looks inside `data`.
public struct Snapshot: Hashable, Sendable {
    /// The last log index whose entry the state includes (`0`: no snapshot).
    public var index: Int
    /// The term of that entry.
    public var term: Term
    /// The configuration in force at `index` (the node's bootstrap before the first snapshot).
    public var configuration: Configuration
    /// The application's state, opaque to Raft.
    public var data: [UInt8]

    /// The state through `index` (of term `term`, with `configuration` in force there), as `data`.
    public init(index: Int, term: Term, configuration: Configuration, data: [UInt8]) {
        precondition(index >= 0 && (index == 0) == (term == 0), "a snapshot through \(index) of term \(term)")
        self.index = index
        self.term = term
        self.configuration = configuration
        self.data = data
    }

    /// No snapshot: the state before the first entry.
    public static let none = Snapshot(index: 0, term: 0, configuration: .empty, data: [])
}
