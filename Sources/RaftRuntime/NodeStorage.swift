import RaftCore
import SerialAccess

/// Where a node keeps its durable state. `DurableLog` is the real one (a CRC-checked,
/// group-committed file); `InMemoryStorage` serves tests and in-process experiments.
///
/// A host calls `apply` for every `.persist` output of a batch of steps, then `commit()`
/// once, and only then sends the batch's messages and delivers its entries.
public protocol NodeStorage: AnyObject {
    /// This incarnation's number: 1 on the first start, one more on every restart.
    var incarnation: Int { get }
    /// Where the state lives, for error messages: the log file's path, or `memory`.
    var location: String { get }
    /// The durable state found when the storage was opened.
    var state: PersistentState { get }
    /// Queues durable changes (no I/O yet).
    func apply(_ changes: [PersistentChange])
    /// Makes every queued change durable; returns the fsync duration in microseconds when
    /// it had to sync.
    func commit() throws -> UInt64?
    /// Whether rewriting the storage around the live state would reclaim enough to be worth it.
    var shouldCompact: Bool { get }
    /// Rewrites the storage to hold only `state` (the node's current durable state), here
    /// and now (tests; a node uses `startCompaction`).
    func compact(to state: PersistentState) throws
    /// Starts rewriting the storage around its live state, to be run with
    /// `StorageCompaction.runInBackground` off the node's thread and completed with
    /// `finishCompaction` on it; `nil` when there is nothing to rewrite.
    func startCompaction() throws -> (any StorageCompaction)?
    /// Completes a compaction whose background part ran; returns whether it took effect.
    @discardableResult
    func finishCompaction(_ job: any StorageCompaction) throws -> Bool
    /// Releases the storage (files, locks); no call may follow.
    func close()
}

/// The part of a compaction that runs off the node's thread (`NodeStorage.startCompaction`).
public protocol StorageCompaction: AnyObject, Sendable {
    /// Writes the compacted storage; call once, on any thread.
    func runInBackground()
}

/// Storage that lives as long as its object: survives a node restart inside one process, not
/// a process crash. One caller at a time (the host's loop, or a test between incarnations),
/// checked in debug builds (`SerialAccess`).
public final class InMemoryStorage: NodeStorage, @unchecked Sendable {
    public private(set) var incarnation = 0
    public var state: PersistentState {
        access.enter(); defer { access.leave() }
        return current
    }
    public var location: String { "memory" }
    private var current = PersistentState.initial
    private var queued: [PersistentChange] = []
    private let access = SerialAccess("InMemoryStorage")

    /// Empty storage.
    public init() {}

    /// Marks the start of a new incarnation (call before handing the storage to a host).
    public func reopen() -> InMemoryStorage {
        access.enter(); defer { access.leave() }
        incarnation += 1
        return self
    }

    public func apply(_ changes: [PersistentChange]) {
        access.enter(); defer { access.leave() }
        queued.append(contentsOf: changes)
    }

    public func commit() throws -> UInt64? {
        access.enter(); defer { access.leave() }
        for change in queued { current.apply(change) }
        queued.removeAll(keepingCapacity: true)
        return nil
    }

    /// Memory holds only the live state: nothing to rewrite.
    public func startCompaction() throws -> (any StorageCompaction)? { nil }

    public func finishCompaction(_ job: any StorageCompaction) throws -> Bool { false }

    /// Memory holds only the live state already.
    public var shouldCompact: Bool { false }

    public func compact(to state: PersistentState) throws {}

    /// Nothing to release: the state stays for the next incarnation.
    public func close() {}
}
