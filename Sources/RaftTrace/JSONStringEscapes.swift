/// JSON string escapes for the few free-text fields (`reason`, `detail`): the encoder
/// escapes as it writes; this resolves escapes when reading.
enum JSONStringEscapes {
    /// The text of raw string contents with escapes resolved; `nil` for an invalid escape.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var position = 0
        while position < raw.count {
            let byte = raw[position]
            position += 1
            guard byte == UInt8(ascii: "\\") else { bytes.append(byte); continue }
            guard position < raw.count else { return nil }
            let escape = raw[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0c)
            case UInt8(ascii: "n"): bytes.append(0x0a)
            case UInt8(ascii: "r"): bytes.append(0x0d)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(raw, at: position) else { return nil }
                position += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard position + 6 <= raw.count, raw[position] == UInt8(ascii: "\\"), raw[position + 1] == UInt8(ascii: "u"),
                          let low = hex4(raw, at: position + 2), (0xDC00..<0xE000).contains(low) else { return nil }
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32? {
        guard position + 4 <= raw.count, let base = raw.baseAddress,
              let value = TraceDigest.parse(base + position, count: 4) else { return nil }
        return UInt32(value)
    }
}
