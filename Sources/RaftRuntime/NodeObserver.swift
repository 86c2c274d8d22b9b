import RaftCore

/// Watches a `NodeHost`: metrics (`NodeMetrics`), live spans (`NodeSpanExport`) and the log of
/// invalid messages (`InvalidMessageLog`) hang here, instead of inside the batch loop. Every
/// call comes on the host's loop, in batch order; each has a default that does nothing.
///
/// The trace is not an observer: when its lines reach the kernel is part of the ordering
/// contract (a batch's events before its stage-3 messages, docs/STORAGE_FORMAT.md), so the
/// host writes it at those points itself.
public protocol NodeObserver: AnyObject {
    /// Whether this observer wants `BatchClock.monotonicNs` (one clock read per batch).
    var readsMonotonicClock: Bool { get }
    /// Whether this observer wants `BatchClock.wallUs` (one clock read per batch).
    var readsWallClock: Bool { get }
    /// The node restarted from its storage with this commit index.
    func started(commitIndex: Int)
    /// A peer's message is about to be stepped.
    func received(_ message: Message, at clock: BatchClock)
    /// A message is about to leave.
    func sent(_ message: Message, at clock: BatchClock)
    /// The core dropped a message no correct peer sends.
    func dropped(_ reason: InvalidMessage, from peer: NodeID)
    /// The core reported `event` in `term`.
    func observe(_ event: TraceEvent, term: Term, at clock: BatchClock)
    /// The batch's durable write finished (`fsyncUs` long) with `appendedEntries` new entries.
    func persisted(appendedEntries: Int, fsyncUs: UInt64, term: Term, at clock: BatchClock)
    /// The batch is over: its messages left and its entries were delivered.
    func batchEnded(_ node: RaftNode, deliveries: [(index: Int, entry: Entry)])
    /// The host is idle or stopping: write out what is buffered.
    func flush()
}

extension NodeObserver {
    public var readsMonotonicClock: Bool { false }
    public var readsWallClock: Bool { false }
    public func started(commitIndex: Int) {}
    public func received(_ message: Message, at clock: BatchClock) {}
    public func sent(_ message: Message, at clock: BatchClock) {}
    public func dropped(_ reason: InvalidMessage, from peer: NodeID) {}
    public func observe(_ event: TraceEvent, term: Term, at clock: BatchClock) {}
    public func persisted(appendedEntries: Int, fsyncUs: UInt64, term: Term, at clock: BatchClock) {}
    public func batchEnded(_ node: RaftNode, deliveries: [(index: Int, entry: Entry)]) {}
    public func flush() {}
}

/// The clocks of one batch, read once at its start and only if an observer wants them.
public struct BatchClock: Sendable {
    /// Monotonic nanoseconds (round trips), or 0.
    public var monotonicNs: UInt64
    /// Wall-clock microseconds since the epoch (spans), or 0.
    public var wallUs: Int64
}
