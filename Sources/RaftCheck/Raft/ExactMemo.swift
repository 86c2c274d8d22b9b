import Synchronization

/// A concurrent memo from an exact 63-bit key to a short sequence of 32-bit words.
///
/// The Raft model remembers here what each (node state, input) step produced, so that the
/// millions of times the same node receives the same message in different cluster states
/// cost one lookup instead of a protocol step.
final class ExactMemo: Sendable {
    static let shardCount = 64
    /// Largest key (the top bit marks occupied slots).
    static let keyMax: UInt64 = (1 << 63) - 1

    private let shards = LockedShards(count: ExactMemo.shardCount) { MemoShard() }
    private let storedCount = Atomic<Int>(0)

    init() {}

    /// Entries stored.
    var count: Int { storedCount.load(ordering: .relaxed) }

    /// Bytes held by the entries and their index.
    var allocatedBytes: Int { shards.sum { $0.allocatedBytes } }

    /// Copies the words stored for `key` into `buffer` and returns how many, or returns nil.
    func lookup(_ key: UInt64, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int? {
        let hash = Self.hash(key)
        return shards.withLock(Self.shardIndex(hash)) { shard in
            shard.lookup(key | Self.occupied, slotHash: hash, into: buffer)
        }
    }

    /// Stores `values` for `key` unless something is stored already (callers store only
    /// deterministic results, so the first one is as good as any).
    func store(_ key: UInt64, _ values: [UInt32]) {
        precondition(key <= Self.keyMax, "memo key \(key) uses the reserved top bit")
        let hash = Self.hash(key)
        let isNew = shards.withLock(Self.shardIndex(hash)) { shard in
            shard.store(key | Self.occupied, slotHash: hash, values)
        }
        if isNew { storedCount.add(1, ordering: .relaxed) }
    }

    private static let occupied: UInt64 = 1 << 63

    /// Where a key's probe starts (keys are structured references: mix them first).
    @inline(__always)
    static func hash(_ key: UInt64) -> UInt64 { WordHash.combine(WordHash.seed, key) }
    @inline(__always)
    private static func shardIndex(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 58) & (shardCount - 1) }
}

/// One shard: open addressing from key to an offset in `words`, where a length word is
/// followed by the values.
struct MemoShard {
    static let initialSlots = 256

    private var slotKeys = [UInt64](repeating: 0, count: initialSlots)
    private var slotOffsets = [Int](repeating: 0, count: initialSlots)
    private var words: [UInt32] = []
    private var count = 0

    var allocatedBytes: Int { slotKeys.count * 16 + words.capacity * 4 }

    func lookup(_ storedKey: UInt64, slotHash: UInt64, into buffer: UnsafeMutableBufferPointer<UInt32>) -> Int? {
        let mask = slotKeys.count - 1
        var slot = Int(truncatingIfNeeded: slotHash) & mask
        while slotKeys[slot] != 0 {
            if slotKeys[slot] == storedKey {
                let offset = slotOffsets[slot]
                let length = Int(words[offset])
                precondition(length <= buffer.count, "memo entry of \(length) words for a buffer of \(buffer.count)")
                for index in 0..<length { buffer[index] = words[offset + 1 + index] }
                return length
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func store(_ storedKey: UInt64, slotHash: UInt64, _ values: [UInt32]) -> Bool {
        let mask = slotKeys.count - 1
        var slot = Int(truncatingIfNeeded: slotHash) & mask
        while slotKeys[slot] != 0 {
            if slotKeys[slot] == storedKey { return false }
            slot = (slot + 1) & mask
        }
        slotKeys[slot] = storedKey
        slotOffsets[slot] = words.count
        words.append(UInt32(values.count))
        words.append(contentsOf: values)
        count += 1
        if count * 4 > slotKeys.count * 3 { grow() }
        return true
    }

    private mutating func grow() {
        let oldKeys = slotKeys, oldOffsets = slotOffsets
        slotKeys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        slotOffsets = [Int](repeating: 0, count: oldKeys.count * 2)
        let mask = slotKeys.count - 1
        for old in oldKeys.indices where oldKeys[old] != 0 {
            let originalKey = oldKeys[old] & ~(UInt64(1) << 63)
            var slot = Int(truncatingIfNeeded: ExactMemo.hash(originalKey)) & mask
            while slotKeys[slot] != 0 { slot = (slot + 1) & mask }
            slotKeys[slot] = oldKeys[old]
            slotOffsets[slot] = oldOffsets[old]
        }
    }
}
