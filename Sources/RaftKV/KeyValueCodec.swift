/// The bytes of commands (log entries) and results (answers to clients): a version byte,
/// then a tag and the fields in little-endian order; strings as a u32 length and UTF-8.
/// Decoding is strict: a wrong version, tag, length, limit or trailing byte is refused with
/// the field named. docs/KV.md documents the layouts.
public enum KeyValueCodec {
    /// Version of the command and result layouts.
    public static let version: UInt8 = 1

    public static func encode(_ command: KeyValueCommand) -> [UInt8] {
        var writer = KeyValueWriter()
        writer.byte(version)
        switch command.operation {
        case .get: writer.byte(1)
        case .put: writer.byte(2)
        case .cas: writer.byte(3)
        case .delete: writer.byte(4)
        }
        writer.u64(command.client)
        writer.u64(command.sequence)
        writer.string(command.operation.key)
        switch command.operation {
        case .get, .delete: break
        case .put(_, let value): writer.string(value)
        case .cas(_, let expected, let new): writer.string(expected); writer.string(new)
        }
        return writer.bytes
    }

    public static func decodeCommand(_ bytes: [UInt8]) throws(KeyValueFormatError) -> KeyValueCommand {
        var reader = KeyValueReader(bytes)
        let format = try reader.byte("command version")
        guard format == version else { throw KeyValueFormatError("command version: \(format), this build reads \(version)") }
        let tag = try reader.byte("command operation")
        let client = try reader.u64("command client")
        let sequence = try reader.u64("command sequence")
        guard sequence >= 1 else { throw KeyValueFormatError("command sequence: 0, sequences start at 1") }
        let key = try reader.string("command key", bytesMax: KeyValueLimits.keyBytesMax)
        let operation: KeyValueOperation
        switch tag {
        case 1: operation = .get(key: key)
        case 2: operation = .put(key: key, value: try reader.string("put value", bytesMax: KeyValueLimits.valueBytesMax))
        case 3:
            let expected = try reader.string("cas expected", bytesMax: KeyValueLimits.valueBytesMax)
            operation = .cas(key: key, expected: expected, new: try reader.string("cas new", bytesMax: KeyValueLimits.valueBytesMax))
        case 4: operation = .delete(key: key)
        default: throw KeyValueFormatError("command operation: tag \(tag), expected 1 (get), 2 (put), 3 (cas) or 4 (delete)")
        }
        try reader.requireEnd("command")
        return KeyValueCommand(client: client, sequence: sequence, operation: operation)
    }

    public static func encode(_ result: KeyValueResult) -> [UInt8] {
        var writer = KeyValueWriter()
        writer.byte(version)
        append(result, to: &writer)
        return writer.bytes
    }

    public static func decodeResult(_ bytes: [UInt8]) throws(KeyValueFormatError) -> KeyValueResult {
        var reader = KeyValueReader(bytes)
        let format = try reader.byte("result version")
        guard format == version else { throw KeyValueFormatError("result version: \(format), this build reads \(version)") }
        let result = try readResult(&reader)
        try reader.requireEnd("result")
        return result
    }

    static func append(_ result: KeyValueResult, to writer: inout KeyValueWriter) {
        switch result {
        case .value(nil): writer.byte(1)
        case .value(let value?): writer.byte(2); writer.string(value)
        case .ok: writer.byte(3)
        case .casFailed(nil): writer.byte(4)
        case .casFailed(let current?): writer.byte(5); writer.string(current)
        case .staleRequest: writer.byte(6)
        case .sessionExpired: writer.byte(7)
        }
    }

    static func readResult(_ reader: inout KeyValueReader) throws(KeyValueFormatError) -> KeyValueResult {
        let tag = try reader.byte("result kind")
        switch tag {
        case 1: return .value(nil)
        case 2: return .value(try reader.string("result value", bytesMax: KeyValueLimits.valueBytesMax))
        case 3: return .ok
        case 4: return .casFailed(current: nil)
        case 5: return .casFailed(current: try reader.string("result current value", bytesMax: KeyValueLimits.valueBytesMax))
        case 6: return .staleRequest
        case 7: return .sessionExpired
        default: throw KeyValueFormatError("result kind: tag \(tag), expected 1...7")
        }
    }
}
