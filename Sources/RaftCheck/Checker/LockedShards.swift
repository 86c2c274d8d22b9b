import Synchronization

/// A fixed number of values, each behind its own lock and on cache lines of its own.
///
/// The checker's tables are split into shards so that worker threads rarely wait on one
/// another. Keeping the shards in one allocation, padded apart, avoids two costs that made
/// two threads slower than one: false sharing between neighbouring locks, and reference
/// counting on a shared object at every access.
final class LockedShards<Value: ~Copyable & Sendable>: @unchecked Sendable {
    // @unchecked: `slots` is only reached through `Mutex.withLock`, and is freed in deinit.
    private struct Slot: ~Copyable {
        let mutex: Mutex<Value>
        /// Keeps the next slot's lock at least 128 bytes away (two cache lines).
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                              UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        init(_ value: consuming Value) {
            mutex = Mutex(value)
            padding = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        }
    }

    /// Number of shards.
    let count: Int
    private let slots: UnsafeMutablePointer<Slot>

    /// `count` shards, each holding `make()`.
    init(count: Int, make: () -> Value) {
        precondition(count >= 1 && count & (count - 1) == 0, "shard count \(count) must be a power of two")
        self.count = count
        slots = .allocate(capacity: count)
        for index in 0..<count { (slots + index).initialize(to: Slot(make())) }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Runs `body` on shard `index` while holding its lock.
    @inline(__always)
    func withLock<Result>(_ index: Int, _ body: (inout Value) -> Result) -> Result {
        precondition(index >= 0 && index < count, "shard \(index) of \(count)")
        return slots[index].mutex.withLock { value in body(&value) }
    }

    /// `body` applied to every shard in turn (each under its lock), summed.
    func sum(_ body: (inout Value) -> Int) -> Int {
        var total = 0
        for index in 0..<count { total += withLock(index, body) }
        return total
    }
}
