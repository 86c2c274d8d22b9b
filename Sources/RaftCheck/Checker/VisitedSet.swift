import CPrefetch
import Synchronization

/// The set of states seen so far: fingerprint → (parent fingerprint, depth), kept compact.
///
/// Full states are never stored here, only 17 bytes per slot, so tens of millions of
/// states fit in a few hundred megabytes; a path is rebuilt by following parents back to an
/// initial state and replaying actions forward. The table is split into shards, each an
/// open-addressing array behind its own lock, so worker threads rarely wait on each other.
public final class VisitedSet: @unchecked Sendable {
    // @unchecked: `slotHints` is an allocation of atomics, freed in deinit.
    /// What `insert` did.
    public enum Insertion: Equatable, Sendable {
        /// The fingerprint was new.
        case inserted
        /// Known, but now reached at a smaller depth: the parent and depth were replaced.
        case shortened
        /// Known at this depth or a smaller one: nothing changed.
        case present
    }

    /// The parent recorded for an initial state.
    public static let noParent: Fingerprint = 0
    /// Deepest depth a slot can record.
    public static let depthMax = Int(UInt8.max)
    /// Shards (a power of two): enough that two to a few dozen threads rarely collide.
    static let shardCount = 256
    /// Slots a shard starts with (a power of two).
    static let initialShardSlots = 1 << 10
    /// A shard doubles when this many of every 8 slots are full.
    static let loadEighthsMax = 6

    private let shards = LockedShards(count: VisitedSet.shardCount) { ShardTable() }
    private let insertedCount = Atomic<Int>(0)
    /// Per shard, the address of its slots and its slot mask, published under the shard lock
    /// and read without it by `prefetch` (a stale value only makes a useless prefetch).
    private let slotHints: UnsafeMutablePointer<Atomic<Int>>

    /// An empty set.
    public init() {
        slotHints = .allocate(capacity: 2 * Self.shardCount)
        for index in 0..<(2 * Self.shardCount) { (slotHints + index).initialize(to: Atomic(0)) }
        for shard in 0..<Self.shardCount { shards.withLock(shard) { publishHint(of: $0, shard: shard) } }
    }

    deinit {
        slotHints.deinitialize(count: 2 * Self.shardCount)
        slotHints.deallocate()
    }

    /// Starts loading the slot where `fingerprint` would be probed first.
    @inline(__always)
    public func prefetch(_ fingerprint: Fingerprint) {
        let shard = shardIndex(of: fingerprint)
        let base = slotHints[2 * shard].load(ordering: .relaxed)
        guard base != 0 else { return }
        let mask = slotHints[2 * shard + 1].load(ordering: .relaxed)
        let offset = (Int(truncatingIfNeeded: fingerprint) & mask) * MemoryLayout<ShardTable.Slot>.stride
        raftcheck_prefetch(UnsafeRawPointer(bitPattern: base + offset))
    }

    private func publishHint(of table: borrowing ShardTable, shard: Int) {
        slotHints[2 * shard].store(Int(bitPattern: table.slotAddress), ordering: .relaxed)
        slotHints[2 * shard + 1].store(table.capacity - 1, ordering: .relaxed)
    }

    /// Records `fingerprint` reached from `parent` at `depth` (1 for an initial state).
    /// With `allowsShortening`, a known fingerprint reached at a smaller depth than recorded
    /// gets the new parent and depth (`.shortened`); without, it is just `.present` (a
    /// breadth-first search never finds a shorter path, and skips reading the depth).
    public func insert(_ fingerprint: Fingerprint, parent: Fingerprint, depth: Int,
                       allowsShortening: Bool = true) -> Insertion {
        precondition(fingerprint != 0, "fingerprint 0 is reserved")
        precondition(depth >= 1 && depth <= Self.depthMax, "depth \(depth) outside 1...\(Self.depthMax)")
        let shard = shardIndex(of: fingerprint)
        let result = shards.withLock(shard) { table in
            let capacity = table.capacity
            let insertion = table.insert(fingerprint, parent: parent, depth: UInt8(depth), allowsShortening: allowsShortening)
            if table.capacity != capacity { publishHint(of: table, shard: shard) }
            return insertion
        }
        if result == .inserted { insertedCount.add(1, ordering: .relaxed) }
        return result
    }

    /// The parent and depth recorded for `fingerprint`, if it was seen.
    public func entry(_ fingerprint: Fingerprint) -> (parent: Fingerprint, depth: Int)? {
        shards.withLock(shardIndex(of: fingerprint)) { table in table.entry(fingerprint) }
    }

    /// Whether `fingerprint` was seen.
    public func contains(_ fingerprint: Fingerprint) -> Bool { entry(fingerprint) != nil }

    /// Number of distinct fingerprints.
    public var count: Int { insertedCount.load(ordering: .relaxed) }

    /// Bytes the slots occupy.
    public var allocatedBytes: Int {
        shards.sum { $0.capacity * ShardTable.slotBytes }
    }

    /// The fingerprints of the path from an initial state to `fingerprint`, initial first.
    public func chain(to fingerprint: Fingerprint) -> [Fingerprint] {
        var chain: [Fingerprint] = []
        var current = fingerprint
        while current != Self.noParent {
            guard let (parent, depth) = entry(current) else {
                preconditionFailure("fingerprint \(current) on a parent chain is not in the visited set")
            }
            precondition(chain.count < Self.depthMax + 1, "parent chain longer than any depth: a cycle")
            precondition(depth == 1 ? parent == Self.noParent : parent != Self.noParent,
                         "depth \(depth) inconsistent with its parent")
            chain.append(current)
            current = parent
        }
        return chain.reversed()
    }

    @inline(__always)
    private func shardIndex(of fingerprint: Fingerprint) -> Int {
        // High bits pick the shard; the table indexes slots with the low bits.
        Int(truncatingIfNeeded: fingerprint >> 56) & (Self.shardCount - 1)
    }
}

/// One shard: open addressing with linear probing. A slot's key and parent sit side by side
/// (one cache line per probe); depths live apart and are touched only on insert and when a
/// depth-first search asks whether a path got shorter.
struct ShardTable: ~Copyable, @unchecked Sendable {
    // @unchecked: the pointers are owned by this value and only used under its shard lock.
    static let slotBytes = MemoryLayout<Slot>.stride + MemoryLayout<UInt8>.stride

    struct Slot {
        var key: UInt64
        var parent: UInt64
    }

    private(set) var capacity: Int
    private var count = 0
    private var slots: UnsafeMutablePointer<Slot>
    /// Where the slots start (for `VisitedSet.prefetch`).
    var slotAddress: UInt { UInt(bitPattern: slots) }
    private var depths: UnsafeMutablePointer<UInt8>

    init() {
        capacity = VisitedSet.initialShardSlots
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: 0, parent: 0), count: capacity)
        depths = .allocate(capacity: capacity)
    }

    deinit {
        slots.deallocate()
        depths.deallocate()
    }

    @inline(__always)
    private func slot(of key: UInt64) -> Int { Int(truncatingIfNeeded: key) & (capacity - 1) }

    mutating func insert(_ key: UInt64, parent: UInt64, depth: UInt8, allowsShortening: Bool) -> VisitedSet.Insertion {
        var index = slot(of: key)
        while true {
            let existing = slots[index].key
            if existing == 0 { break }
            if existing == key {
                guard allowsShortening, depth < depths[index] else { return .present }
                depths[index] = depth
                slots[index].parent = parent
                return .shortened
            }
            index = (index + 1) & (capacity - 1)
        }
        slots[index] = Slot(key: key, parent: parent)
        depths[index] = depth
        count += 1
        if count * 8 > capacity * VisitedSet.loadEighthsMax { grow() }
        return .inserted
    }

    func entry(_ key: UInt64) -> (parent: Fingerprint, depth: Int)? {
        var index = slot(of: key)
        while true {
            let existing = slots[index].key
            if existing == 0 { return nil }
            if existing == key { return (slots[index].parent, Int(depths[index])) }
            index = (index + 1) & (capacity - 1)
        }
    }

    private mutating func grow() {
        let oldCapacity = capacity
        let oldSlots = slots, oldDepths = depths
        capacity = oldCapacity * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: 0, parent: 0), count: capacity)
        depths = .allocate(capacity: capacity)
        for old in 0..<oldCapacity where oldSlots[old].key != 0 {
            var index = slot(of: oldSlots[old].key)
            while slots[index].key != 0 { index = (index + 1) & (capacity - 1) }
            slots[index] = oldSlots[old]
            depths[index] = oldDepths[old]
        }
        oldSlots.deallocate()
        oldDepths.deallocate()
    }
}
