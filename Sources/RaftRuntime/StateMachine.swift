import RaftCore

/// An application whose state the node applies, snapshots and restores itself, on its own
/// event loop and in log order (hashicorp/raft's FSM; `RaftConfig.stateMachine`).
///
/// The node calls `apply` with every committed entry (the protocol's no-ops included: skip
/// them with `entry.isProtocolEntry`), `snapshot` when `RaftConfig.snapshotEveryEntries` more entries
/// were applied since the last snapshot (it then drops the log entries the snapshot covers),
/// and `restore` when the application must start over from a snapshot: at a restart (the
/// state machine's state lives in memory; the node rebuilds it from its snapshot and the log
/// after it) and when a follower installed its leader's snapshot. Calls never overlap and
/// come from one thread; they must not block for long (a snapshot is taken, encoded and
/// written on the node's loop).
public protocol StateMachine: AnyObject, Sendable {
    /// Applies the committed entry at `index` (indexes arrive in order, without gaps, after
    /// the last `restore`) and returns the reply for the client that proposed it, if this
    /// node's client waits for it (`RaftSession.call`, the `answered` client frame); return
    /// `[]` for none. A replayed or another node's entry's reply is dropped.
    func apply(index: Int, entry: Entry) -> [UInt8]
    /// The state after the last applied entry, as bytes `restore` can read back.
    func snapshot() -> [UInt8]
    /// Replaces the state with `snapshot`'s: every entry through `snapshot.index` is in it.
    func restore(_ snapshot: Snapshot)
}
