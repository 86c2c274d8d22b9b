import Synchronization

/// Request ids as the trace carries them: raftlab writes unsigned integers, but other writers
/// (hand-made traces, Jepsen- or Maelstrom-style clients) may name requests with strings.
/// A string id is read as a 64-bit FNV-1a hash of its bytes with the top bit set, so the
/// analyzer's checks treat it like any other id; the text is remembered, so reports and
/// evidence show the name as written.
public enum TraceRequestID {
    /// The bit set on every id read from a string (raftlab's own ids stay below it).
    public static let stringBit: UInt64 = 1 << 63

    /// Names of string ids seen so far, as written between the quotes (escapes kept).
    private static let names = Mutex<[UInt64: String]>([:])

    /// The id of the string `text` (its UTF-8 bytes as written, escapes included).
    public static func hash(_ text: some StringProtocol) -> UInt64 {
        TraceDigest.fnv1a(text.utf8) | stringBit
    }

    /// The id of the `count` bytes at `start`.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        TraceDigest.fnv1a(UnsafeBufferPointer(start: start, count: count)) | stringBit
    }

    /// The id of the string at `start` (raw JSON string contents), remembering its name.
    static func read(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let id = hash(start, count: count)
        names.withLock { table in
            if table[id] == nil { table[id] = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
        }
        return id
    }

    /// The name a string id was read from (raw JSON string contents), or `nil` for a numeric
    /// id or one this process never read.
    public static func name(of id: UInt64) -> String? {
        guard id & stringBit != 0 else { return nil }
        return names.withLock { $0[id] }
    }

    /// `id` for people: its name in quotes when it was read from a string, else the number.
    public static func describe(_ id: UInt64) -> String {
        name(of: id).map { "\"\($0)\"" } ?? String(id)
    }
}
