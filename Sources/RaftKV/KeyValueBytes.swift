/// Why bytes are not a key-value command, result or snapshot: names what is wrong.
public struct KeyValueFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Little-endian writing of the store's formats.
struct KeyValueWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: UInt32(utf8.count) >> UInt32(shift))) }
        bytes.append(contentsOf: utf8)
    }
}

/// Strict little-endian reading: every read names the field it wanted when the bytes end or
/// are not what the field must be.
struct KeyValueReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte(_ field: String) throws(KeyValueFormatError) -> UInt8 {
        guard offset < bytes.count else { throw KeyValueFormatError("\(field): the bytes end at offset \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u64(_ field: String) throws(KeyValueFormatError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw KeyValueFormatError("\(field): 8 bytes needed at offset \(offset), \(bytes.count - offset) left") }
        var value: UInt64 = 0
        for position in 0..<8 { value |= UInt64(bytes[offset + position]) << UInt64(8 * position) }
        offset += 8
        return value
    }

    mutating func string(_ field: String, bytesMax: Int) throws(KeyValueFormatError) -> String {
        guard bytes.count - offset >= 4 else { throw KeyValueFormatError("\(field): a length needed at offset \(offset)") }
        var length = 0
        for position in 0..<4 { length |= Int(bytes[offset + position]) << (8 * position) }
        offset += 4
        guard length <= bytesMax else { throw KeyValueFormatError("\(field): \(length) bytes, at most \(bytesMax) allowed") }
        guard bytes.count - offset >= length else { throw KeyValueFormatError("\(field): \(length) bytes announced, \(bytes.count - offset) left") }
        let slice = bytes[offset..<(offset + length)]
        offset += length
        guard let text = String(validating: slice, as: UTF8.self) else { throw KeyValueFormatError("\(field): not UTF-8") }
        return text
    }

    func requireEnd(_ what: String) throws(KeyValueFormatError) {
        guard isAtEnd else { throw KeyValueFormatError("\(what): \(bytes.count - offset) bytes after its end") }
    }
}
