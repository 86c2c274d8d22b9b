import Synchronization

/// Gives every distinct value a small integer reference, comparing values by an exact
/// encoding (a sequence of 64-bit words), so that two references are equal exactly when the
/// values are.
///
/// This is what makes the checker's states compact: a cluster state holds references to
/// node states and messages instead of the values themselves. Lookups take one shard lock;
/// references stay valid for the table's lifetime.
final class InternTable<Payload: Sendable>: Sendable {
    /// Shards are picked by the top bits of the hash; a reference keeps its shard in its low bits.
    static var shardBits: Int { 6 }
    static var shardCount: Int { 1 << shardBits }
    /// References stay below this, leaving the top three bits free for callers' tags
    /// (`RaftModel` packs two tagged references into one memo key).
    static var referenceLimit: UInt64 { 1 << 29 }

    private let shards = LockedShards(count: InternTable.shardCount) { InternShard<Payload>() }
    private let storedCount = Atomic<Int>(0)

    init() {}

    /// Distinct values interned.
    var count: Int { storedCount.load(ordering: .relaxed) }

    /// Words of encoding stored, over all values (for memory accounting).
    var storedWords: Int { shards.sum { $0.words.count } }

    /// The reference and payload of the value encoded as `encoding`, if interned.
    func find(_ encoding: [UInt64], hash: UInt64) -> (reference: UInt32, payload: Payload)? {
        let shardIndex = Self.shardIndex(of: hash)
        return shards.withLock(shardIndex) { shard in
            shard.find(encoding, key: Self.key(of: hash)).map {
                (Self.reference(local: $0, shard: shardIndex), shard.payloads[$0])
            }
        }
    }

    /// Interns the value encoded as `encoding` with `payload` unless an equal one is there
    /// already (then the stored payload is returned and `payload` dropped).
    func insert(_ encoding: [UInt64], hash: UInt64, payload: Payload) -> (reference: UInt32, payload: Payload, isNew: Bool) {
        let shardIndex = Self.shardIndex(of: hash)
        let key = Self.key(of: hash)
        let (local, stored, isNew) = shards.withLock(shardIndex) { shard in
            if let local = shard.find(encoding, key: key) { return (local, shard.payloads[local], false) }
            return (shard.append(encoding, key: key, payload: payload), payload, true)
        }
        if isNew { storedCount.add(1, ordering: .relaxed) }
        return (Self.reference(local: local, shard: shardIndex), stored, isNew)
    }

    /// Interns with a payload computed only when the value is new.
    func intern(_ encoding: [UInt64], makePayload: () -> Payload) -> (reference: UInt32, payload: Payload, isNew: Bool) {
        let hash = WordHash.hash(encoding)
        if let (reference, payload) = find(encoding, hash: hash) { return (reference, payload, false) }
        return insert(encoding, hash: hash, payload: makePayload())
    }

    /// The payload behind `reference`.
    func payload(_ reference: UInt32) -> Payload {
        let (shard, local) = Self.split(reference)
        return shards.withLock(shard) { shard in
            precondition(local < shard.payloads.count, "unknown reference \(reference)")
            return shard.payloads[local]
        }
    }

    /// The encoding behind `reference`.
    func encoding(_ reference: UInt32) -> [UInt64] {
        let (shard, local) = Self.split(reference)
        return shards.withLock(shard) { shard in
            precondition(local < shard.payloads.count, "unknown reference \(reference)")
            return Array(shard.words[shard.starts[local]..<shard.starts[local + 1]])
        }
    }

    @inline(__always)
    private static func shardIndex(of hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 58) & (shardCount - 1) }
    @inline(__always)
    private static func key(of hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }
    @inline(__always)
    private static func reference(local: Int, shard: Int) -> UInt32 {
        let reference = UInt64(local) << UInt64(shardBits) | UInt64(shard)
        precondition(reference < referenceLimit, "more than \(referenceLimit) interned values")
        return UInt32(reference)
    }
    @inline(__always)
    private static func split(_ reference: UInt32) -> (shard: Int, local: Int) {
        (Int(reference) & (shardCount - 1), Int(reference) >> shardBits)
    }
}

/// One shard: an open-addressing index from hash to local position, plus the encodings and
/// payloads in insertion order.
struct InternShard<Payload: Sendable>: Sendable {
    static var initialSlots: Int { 64 }

    private var slotKeys = [UInt64](repeating: 0, count: initialSlots)
    private var slotLocals = [Int32](repeating: 0, count: initialSlots)
    /// Encodings end to end; value `i` is `words[starts[i]..<starts[i + 1]]`.
    private(set) var words: [UInt64] = []
    private(set) var starts: [Int] = [0]
    private(set) var payloads: [Payload] = []

    func find(_ encoding: [UInt64], key: UInt64) -> Int? {
        let mask = slotKeys.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while slotKeys[slot] != 0 {
            if slotKeys[slot] == key {
                let local = Int(slotLocals[slot])
                if words[starts[local]..<starts[local + 1]].elementsEqual(encoding) { return local }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func append(_ encoding: [UInt64], key: UInt64, payload: Payload) -> Int {
        let local = payloads.count
        precondition(local < Int(Int32.max), "interned shard full")
        words.append(contentsOf: encoding)
        starts.append(words.count)
        payloads.append(payload)
        if (local + 1) * 4 > slotKeys.count * 3 { rebuildIndex(slots: slotKeys.count * 2) }
        place(key: key, local: local)
        return local
    }

    private mutating func place(key: UInt64, local: Int) {
        let mask = slotKeys.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while slotKeys[slot] != 0 { slot = (slot + 1) & mask }
        slotKeys[slot] = key
        slotLocals[slot] = Int32(local)
    }

    private mutating func rebuildIndex(slots: Int) {
        let oldKeys = slotKeys, oldLocals = slotLocals
        slotKeys = [UInt64](repeating: 0, count: slots)
        slotLocals = [Int32](repeating: 0, count: slots)
        for slot in oldKeys.indices where oldKeys[slot] != 0 {
            place(key: oldKeys[slot], local: Int(oldLocals[slot]))
        }
    }
}
