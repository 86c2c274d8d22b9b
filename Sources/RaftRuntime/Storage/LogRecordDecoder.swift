import RaftCore

/// A record's payload, decoded.
enum LogRecord: Equatable {
    case incarnation(Int)
    case hardState(term: Term, votedFor: NodeID?)
    case append(firstIndex: Int, entries: [Entry])
    case truncate(length: Int)
    case commit(index: Int)
    case compact(index: Int, term: Term)
}

/// Turns a record's type and payload (already CRC-checked) into a `LogRecord`, strictly:
/// exact sizes, known tags, counts bounded by the bytes present, no trailing bytes. A
/// failure is a one-line reason naming the record type and the field.
enum LogRecordDecoder {
    /// The decoded record, or a reason it is malformed.
    static func decode(type rawType: UInt8, payload: UnsafeRawBufferPointer) -> Result<LogRecord, LogRecordMalformed> {
        guard let type = LogRecordType(rawValue: rawType) else {
            return .failure(LogRecordMalformed("unknown record type \(rawType) (known: 1...\(LogRecordType.allCases.count))"))
        }
        var reader = PayloadReader(bytes: payload, record: type.name)
        do {
            let record: LogRecord
            switch type {
            case .incarnation:
                let incarnation = try reader.index("incarnation")
                guard incarnation >= 1 else { throw LogRecordMalformed("incarnation record: incarnation 0 (they start at 1)") }
                record = .incarnation(incarnation)
            case .hardState:
                let term = try reader.u64("term")
                let tag = try reader.u8("vote tag")
                let vote = Int(try reader.u16("vote"))
                switch tag {
                case 0:
                    guard vote == 0 else { throw LogRecordMalformed("hard-state record: vote \(vote) with vote tag 0 (none)") }
                    record = .hardState(term: term, votedFor: nil)
                case 1:
                    guard vote < RaftLimits.clusterSizeMax else {
                        throw LogRecordMalformed("hard-state record: vote for node \(vote) outside 0..<\(RaftLimits.clusterSizeMax)")
                    }
                    record = .hardState(term: term, votedFor: vote)
                default:
                    throw LogRecordMalformed("hard-state record: vote tag \(tag) (expected 0 or 1)")
                }
            case .append:
                record = try decodeAppend(&reader)
            case .truncate:
                record = .truncate(length: try reader.index("length"))
            case .commit:
                record = .commit(index: try reader.index("index"))
            case .compact:
                let index = try reader.index("index")
                let term = try reader.u64("term")
                guard index >= 1, term >= 1 else { throw LogRecordMalformed("compact record: index \(index), term \(term) (both start at 1)") }
                record = .compact(index: index, term: term)
            }
            try reader.requireEnd()
            return .success(record)
        } catch let error as LogRecordMalformed {
            return .failure(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private static func decodeAppend(_ reader: inout PayloadReader) throws -> LogRecord {
        let firstIndex = try reader.index("first index")
        guard firstIndex >= 1 else { throw LogRecordMalformed("append record: first index 0 (indexes start at 1)") }
        let count = Int(try reader.u32("count"))
        guard count >= 1 else { throw LogRecordMalformed("append record: count 0") }
        guard count <= reader.bytesLeft / LogFileFormat.entryHeaderBytes else {
            throw LogRecordMalformed("append record: count \(count) needs at least \(count * LogFileFormat.entryHeaderBytes) bytes, \(reader.bytesLeft) left")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for position in 0..<count {
            let term = try reader.u64("entry \(position) term")
            let request = try reader.u64("entry \(position) request")
            let payloadBytes = Int(try reader.u32("entry \(position) payload length"))
            let payload = try reader.bytes(payloadBytes, "entry \(position) payload")
            entries.append(Entry(term: term, request: request, payload: payload))
        }
        return .append(firstIndex: firstIndex, entries: entries)
    }
}

/// Why a CRC-valid record's payload could not be decoded.
struct LogRecordMalformed: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Bounds-checked little-endian reads from one record's payload.
private struct PayloadReader {
    let bytes: UnsafeRawBufferPointer
    let record: String
    var position = 0

    var bytesLeft: Int { bytes.count - position }

    mutating func u8(_ field: @autoclosure () -> String) throws -> UInt8 { try integer(UInt8.self, field()) }
    mutating func u16(_ field: @autoclosure () -> String) throws -> UInt16 { try integer(UInt16.self, field()) }
    mutating func u32(_ field: @autoclosure () -> String) throws -> UInt32 { try integer(UInt32.self, field()) }
    mutating func u64(_ field: @autoclosure () -> String) throws -> UInt64 { try integer(UInt64.self, field()) }

    /// A u64 that must fit an `Int` (indexes, lengths, counters).
    mutating func index(_ field: @autoclosure () -> String) throws -> Int {
        let value = try u64(field())
        guard value <= UInt64(Int.max) else { throw LogRecordMalformed("\(record) record: \(field()) \(value) exceeds Int.max") }
        return Int(value)
    }

    mutating func bytes(_ count: Int, _ field: @autoclosure () -> String) throws -> [UInt8] {
        guard count <= bytesLeft else {
            throw LogRecordMalformed("\(record) record: \(field()) of \(count) bytes, only \(bytesLeft) left")
        }
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
    }

    func requireEnd() throws {
        guard bytesLeft == 0 else { throw LogRecordMalformed("\(record) record: \(bytesLeft) trailing bytes") }
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= bytesLeft else {
            throw LogRecordMalformed("\(record) record: \(field()) needs \(size) bytes, only \(bytesLeft) left")
        }
        defer { position += size }
        return LittleEndian.load(T.self, at: position, from: bytes)
    }
}
