/// Payload digests as traces spell them: 16 lower-case hex digits of a 64-bit hash
/// (the same text as RaftCore's `PayloadDigest.hex`).
public enum TraceDigest {
    /// `digest` as 16 lower-case hex digits, zero-padded.
    public static func hex(_ digest: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        write(digest, into: &bytes, at: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 64-bit FNV-1a hash of `bytes` (the hash RaftCore's `PayloadDigest` uses, which
    /// this module cannot import).
    @inline(__always)
    public static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Parses 1 to 16 hex digits (either case); `nil` for anything else.
    public static func parse(_ text: some StringProtocol) -> UInt64? {
        let utf8 = Array(text.utf8)
        return utf8.withUnsafeBufferPointer { parse($0.baseAddress!, count: $0.count) }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func write(_ digest: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for position in 0..<16 {
            let shift = UInt64(60 - 4 * position)
            bytes[offset + position] = hexDigits[Int((digest >> shift) & 0xf)]
        }
    }

    /// Parses `count` hex digits at `start`; `nil` unless `1...16` valid digits.
    @inline(__always)
    static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64? {
        guard count >= 1 && count <= 16 else { return nil }
        var value: UInt64 = 0
        for offset in 0..<count {
            let byte = start[offset]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}
