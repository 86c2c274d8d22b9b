/// A small open-addressing table from short ASCII names (at most 24 bytes) to values,
/// looked up straight from the bytes of a line: one hash, usually one comparison, no
/// allocation. The scanner uses it for field names and for enum-like string values.
struct PackedNameTable<Value: Sendable>: Sendable {
    /// Names longer than this are never in a table.
    static var nameBytesMax: Int { 24 }
    private static var slotCount: Int { 256 }

    private var lengths: [Int]
    private var words: [(UInt64, UInt64, UInt64)]
    private var values: [Value?]

    /// A table holding `entries`; names must be distinct and at most `nameBytesMax` bytes.
    init(_ entries: [(String, Value)]) {
        precondition(entries.count < Self.slotCount / 2, "name table too full")
        lengths = Array(repeating: -1, count: Self.slotCount)
        words = Array(repeating: (0, 0, 0), count: Self.slotCount)
        values = Array(repeating: nil, count: Self.slotCount)
        for (name, value) in entries {
            var bytes = Array(name.utf8)
            precondition(bytes.count <= Self.nameBytesMax, "name '\(name)' too long for the table")
            bytes.withUnsafeMutableBufferPointer { buffer in
                let packed = Self.pack(UnsafePointer(buffer.baseAddress!), count: buffer.count)
                var slot = Self.slot(packed, count: buffer.count)
                while lengths[slot] >= 0 {
                    precondition(!(lengths[slot] == buffer.count && words[slot] == packed), "duplicate name '\(name)'")
                    slot = (slot + 1) & (Self.slotCount - 1)
                }
                lengths[slot] = buffer.count
                words[slot] = packed
                values[slot] = value
            }
        }
    }

    /// The value named by `count` bytes at `start`, if any.
    @inline(__always)
    func lookup(_ start: UnsafePointer<UInt8>, count: Int) -> Value? {
        guard count <= Self.nameBytesMax else { return nil }
        let packed = Self.pack(start, count: count)
        var slot = Self.slot(packed, count: count)
        while true {
            let length = lengths[slot]
            if length < 0 { return nil }
            if length == count && words[slot] == packed { return values[slot] }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }

    @inline(__always)
    private static func pack(_ start: UnsafePointer<UInt8>, count: Int) -> (UInt64, UInt64, UInt64) {
        // Whole words are loaded at once (little-endian, as the byte loop below packs them).
        let raw = UnsafeRawPointer(start)
        switch count {
        case 0...7:
            return (packTail(start, count: count), 0, 0)
        case 8...15:
            return (raw.loadUnaligned(as: UInt64.self).littleEndian, packTail(start + 8, count: count - 8), 0)
        default:
            return (raw.loadUnaligned(as: UInt64.self).littleEndian,
                    raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian,
                    packTail(start + 16, count: count - 16))
        }
    }

    @inline(__always)
    private static func packTail(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var word: UInt64 = 0
        for offset in 0..<count { word |= UInt64(start[offset]) << UInt64(offset * 8) }
        return word
    }

    @inline(__always)
    private static func slot(_ packed: (UInt64, UInt64, UInt64), count: Int) -> Int {
        let mixed = (packed.0 ^ packed.1 &* 0x9E37_79B9 ^ packed.2 &* 0x85EB_CA6B ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 56)
    }
}
