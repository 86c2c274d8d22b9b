/// The snapshot bytes of an application whose state is the list of entries it applied, in
/// order: each entry as `u64 term · u64 request · u32 payload length · payload`
/// (little-endian). The simulator's application and the model checker's use it, so a
/// snapshot's content can be compared entry by entry with what other nodes committed.
public enum AppliedEntriesCodec {
    /// The bytes of `entries`.
    public static func encode<S: Sequence>(_ entries: S) -> [UInt8] where S.Element == Entry {
        var bytes: [UInt8] = []
        for entry in entries {
            append(entry.term, 8, to: &bytes)
            append(entry.request, 8, to: &bytes)
            append(UInt64(entry.payload.count), 4, to: &bytes)
            bytes.append(contentsOf: entry.payload)
        }
        return bytes
    }

    /// The entries `bytes` encode, or `nil` when they are not a whole number of entries.
    public static func decode(_ bytes: [UInt8]) -> [Entry]? {
        var entries: [Entry] = []
        var offset = 0
        func read(_ count: Int) -> UInt64? {
            guard offset + count <= bytes.count else { return nil }
            var value: UInt64 = 0
            for position in 0..<count { value |= UInt64(bytes[offset + position]) << (8 * position) }
            offset += count
            return value
        }
        while offset < bytes.count {
            guard let term = read(8), let request = read(8), let length = read(4).map(Int.init),
                  offset + length <= bytes.count else { return nil }
            entries.append(Entry(term: term, request: request, payload: Array(bytes[offset..<(offset + length)])))
            offset += length
        }
        return entries
    }

    private static func append(_ value: UInt64, _ count: Int, to bytes: inout [UInt8]) {
        for position in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * position))) }
    }
}
