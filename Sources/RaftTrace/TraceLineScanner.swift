import Foundation

/// A JSON scanner for the trace's own flat shape: one object per line, values that are
/// integers, booleans, `null`, strings, or arrays of integers or hex strings. Known fields
/// are decoded straight from the bytes; unknown fields are skipped (any JSON value, nested
/// up to `TraceSchema.unknownValueDepthMax`), so writers may add fields freely.
///
/// Reuses its scratch space between lines: one scanner per reading thread.
public final class TraceLineScanner {
    /// What one line holds.
    public enum Outcome: Hashable, Sendable {
        /// A valid line of a known event type.
        case record(TraceRecord)
        /// A well-formed line of a type this code does not know (counted, then ignored), with
        /// its `ts` when it had a valid one.
        case unknownType(name: String, timestampUs: Int64?)
    }

    private static let fieldCount = TraceField.allCases.count
    let integers = UnsafeMutablePointer<UInt64>.allocate(capacity: fieldCount)
    let stringStarts = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: fieldCount)
    let stringLengths = UnsafeMutablePointer<Int>.allocate(capacity: fieldCount)
    /// Per-line flags, kept behind a pointer so the hot path pays no exclusivity checks:
    /// fields present, string fields with escapes, booleans that are true, a negative node.
    private let flags = UnsafeMutablePointer<UInt64>.allocate(capacity: 4)
    var present: UInt64 {
        @inline(__always) get { flags[0] }
        @inline(__always) set { flags[0] = newValue }
    }
    var escaped: UInt64 {
        @inline(__always) get { flags[1] }
        @inline(__always) set { flags[1] = newValue }
    }
    var trueBooleans: UInt64 {
        @inline(__always) get { flags[2] }
        @inline(__always) set { flags[2] = newValue }
    }
    var nodeIsNegative: Bool {
        @inline(__always) get { flags[3] != 0 }
        @inline(__always) set { flags[3] = newValue ? 1 : 0 }
    }
    private let fieldTable = TraceField.table
    let typeTable = TraceLineScanner.types
    var entryTerms: [UInt64] = []
    var digests: [UInt64] = []
    var requests: [UInt64] = []
    var targets: [Int] = []
    var voters: [Int] = []
    var learners: [Int] = []

    static let types = PackedNameTable(TraceEventType.allCases.map { ($0.rawValue, $0) })
    static let roles = PackedNameTable(TraceRole.allCases.map { ($0.rawValue, $0) })
    static let messageKinds = PackedNameTable(TraceMessageKind.known.map { ($0.rawValue, $0) })
    static let actions = PackedNameTable(NemesisAction.known.map { ($0.rawValue, $0) })

    /// A scanner with empty scratch space.
    public init() { flags.initialize(repeating: 0, count: 4) }

    deinit {
        flags.deallocate()
        integers.deallocate()
        stringStarts.deallocate()
        stringLengths.deallocate()
    }

    /// Decodes one line (a trailing `\n` or `\r\n` is allowed). Throws `TraceLineError`
    /// naming the field for anything that is not a valid line of this schema.
    public func scan(_ line: UnsafeRawBufferPointer) throws -> Outcome {
        guard let base = line.baseAddress, line.count > 0 else { throw TraceLineError(reason: "empty line") }
        var cursor = base.assumingMemoryBound(to: UInt8.self)
        var end = cursor + line.count
        while end > cursor && (end[-1] == UInt8(ascii: "\n") || end[-1] == UInt8(ascii: "\r")) { end -= 1 }
        present = 0
        escaped = 0
        trueBooleans = 0
        nodeIsNegative = false
        try scanObject(&cursor, end)
        return try buildOutcome()
    }

    // MARK: Object

    private func scanObject(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws {
        skipSpace(&cursor, end)
        guard cursor < end && cursor.pointee == UInt8(ascii: "{") else {
            throw TraceLineError(reason: "not a JSON object (a line must start with '{')")
        }
        cursor += 1
        skipSpace(&cursor, end)
        var closed = false
        if scanWriterPrefix(&cursor, end) {
            // The common fields were in the writer's layout; go on after `term`'s value.
            if cursor < end && cursor.pointee == UInt8(ascii: ",") {
                cursor += 1
            } else if cursor < end && cursor.pointee == UInt8(ascii: "}") {
                cursor += 1
                closed = true
            } else {
                throw TraceLineError(reason: "expected ',' or '}' after field 'term'")
            }
        }
        if closed {
        } else if cursor < end && cursor.pointee == UInt8(ascii: "}") {
            cursor += 1
        } else {
            while true {
                guard cursor < end && cursor.pointee == UInt8(ascii: "\"") else {
                    throw TraceLineError(reason: "expected a field name in quotes")
                }
                let (nameStart, nameLength, nameEscaped) = try scanString(&cursor, end, field: nil)
                // The writer puts no spaces around ':' and ','; other writers may.
                if cursor < end && cursor.pointee != UInt8(ascii: ":") { skipSpace(&cursor, end) }
                guard cursor < end && cursor.pointee == UInt8(ascii: ":") else {
                    throw TraceLineError(reason: "expected ':' after field name '\(text(nameStart, nameLength))'")
                }
                cursor += 1
                if cursor < end && cursor.pointee <= UInt8(ascii: " ") { skipSpace(&cursor, end) }
                if !nameEscaped, let field = fieldTable.lookup(nameStart, count: nameLength) {
                    guard present & field.bit == 0 else { throw TraceLineError(reason: "field '\(field.name)' appears twice") }
                    try scanValue(of: field, &cursor, end)
                } else {
                    try skipValue(&cursor, end, depth: 0)
                }
                if cursor < end && cursor.pointee <= UInt8(ascii: " ") { skipSpace(&cursor, end) }
                guard cursor < end else { throw TraceLineError(reason: "line ends inside the object (missing '}')") }
                if cursor.pointee == UInt8(ascii: ",") {
                    cursor += 1
                    if cursor < end && cursor.pointee <= UInt8(ascii: " ") { skipSpace(&cursor, end) }
                    continue
                }
                guard cursor.pointee == UInt8(ascii: "}") else {
                    throw TraceLineError(reason: "expected ',' or '}' after field '\(text(nameStart, nameLength))'")
                }
                cursor += 1
                break
            }
        }
        skipSpace(&cursor, end)
        guard cursor == end else { throw TraceLineError(reason: "unexpected characters after the object") }
    }

    /// The writer's exact layout of the common fields,
    /// `"v":1,"ts":N,"node":N,"inc":N,"seq":N,"type":"T","term":N`, read without a name
    /// lookup per field. Returns `false` (cursor and state untouched) at the first difference,
    /// so other layouts take the general path.
    @inline(__always)
    private func scanWriterPrefix(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        var position = cursor
        guard expect("\"v\":1,\"ts\":", &position, end), let timestamp = digits(&position, end),
              expect(",\"node\":", &position, end) else { return false }
        var negative = false
        if position < end && position.pointee == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard let node = digits(&position, end), expect(",\"inc\":", &position, end), let incarnation = digits(&position, end),
              expect(",\"seq\":", &position, end), let sequence = digits(&position, end),
              expect(",\"type\":\"", &position, end) else { return false }
        let typeStart = position
        while position < end && position.pointee != UInt8(ascii: "\"") {
            guard position.pointee != UInt8(ascii: "\\") else { return false }
            position += 1
        }
        let typeLength = position - typeStart
        guard expect("\",\"term\":", &position, end), let term = digits(&position, end) else { return false }
        integers[TraceField.v.rawValue] = 1
        integers[TraceField.ts.rawValue] = timestamp
        integers[TraceField.node.rawValue] = node
        integers[TraceField.inc.rawValue] = incarnation
        integers[TraceField.seq.rawValue] = sequence
        integers[TraceField.term.rawValue] = term
        stringStarts[TraceField.type.rawValue] = typeStart
        stringLengths[TraceField.type.rawValue] = typeLength
        nodeIsNegative = negative
        present = TraceField.v.bit | TraceField.ts.bit | TraceField.node.bit | TraceField.inc.bit | TraceField.seq.bit
            | TraceField.type.bit | TraceField.term.bit
        cursor = position
        return true
    }

    /// Consumes `text` if the bytes at `position` are exactly it.
    @inline(__always)
    private func expect(_ text: StaticString, _ position: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        let count = text.utf8CodeUnitCount
        guard end - position >= count, memcmp(position, text.utf8Start, count) == 0 else { return false }
        position += count
        return true
    }

    /// 1 to 18 decimal digits (no overflow possible), or `nil`.
    @inline(__always)
    private func digits(_ position: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UInt64? {
        let start = position
        let limit = min(end, start + 18)
        var value: UInt64 = 0
        while position < limit {
            let digit = position.pointee &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            position += 1
        }
        guard position > start, position == end || position.pointee &- UInt8(ascii: "0") >= 10 else { return nil }
        return value
    }

    private func scanValue(of field: TraceField, _ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws {
        let index = field.rawValue
        switch field.kind {
        case .integer:
            if try scanNull(&cursor, end) { return }
            if field == .req && cursor < end && cursor.pointee == UInt8(ascii: "\"") {
                // Other writers may name requests with strings ("c3-17"); they are identified
                // by a hash (docs/TRACE_FORMAT.md, "Request ids").
                let (start, length, _) = try scanString(&cursor, end, field: field)
                integers[index] = TraceRequestID.read(start, count: length)
                present |= field.bit
                return
            }
            let negative = cursor < end && cursor.pointee == UInt8(ascii: "-")
            if negative {
                guard field == .node else { throw TraceLineError(reason: "field '\(field.name)' must not be negative") }
                cursor += 1
                nodeIsNegative = true
            }
            integers[index] = try scanUnsigned(&cursor, end, field: field)
        case .boolean:
            if try scanLiteral("true", &cursor, end) {
                trueBooleans |= field.bit
            } else if try !scanLiteral("false", &cursor, end) {
                throw TraceLineError(reason: "field '\(field.name)' must be true or false")
            }
        case .string:
            if try scanNull(&cursor, end) { return }
            guard cursor < end && cursor.pointee == UInt8(ascii: "\"") else {
                throw TraceLineError(reason: "field '\(field.name)' must be a string")
            }
            let (start, length, isEscaped) = try scanString(&cursor, end, field: field)
            stringStarts[index] = start
            stringLengths[index] = length
            if isEscaped { escaped |= field.bit }
        case .integers:
            switch field {
            case .targets: targets.removeAll(keepingCapacity: true)
            case .voters: voters.removeAll(keepingCapacity: true)
            case .learners: learners.removeAll(keepingCapacity: true)
            default: entryTerms.removeAll(keepingCapacity: true)
            }
            try scanArray(of: field, &cursor, end) { cursor, end in
                let value = try self.scanUnsigned(&cursor, end, field: field)
                guard field == .entryTerms || value <= UInt64(Int.max) else {
                    throw TraceLineError(reason: "field '\(field.name)' holds a number out of range")
                }
                switch field {
                case .targets: self.targets.append(Int(value))
                case .voters: self.voters.append(Int(value))
                case .learners: self.learners.append(Int(value))
                default: self.entryTerms.append(value)
                }
            }
        case .digests:
            digests.removeAll(keepingCapacity: true)
            try scanArray(of: field, &cursor, end) { cursor, end in
                self.digests.append(try self.scanDigest(&cursor, end, field: field))
            }
        case .requests:
            requests.removeAll(keepingCapacity: true)
            try scanArray(of: field, &cursor, end) { cursor, end in
                if cursor < end && cursor.pointee == UInt8(ascii: "\"") {
                    // A string id, as `req` allows (docs/TRACE_FORMAT.md, "Request ids").
                    let (start, length, _) = try self.scanString(&cursor, end, field: field)
                    self.requests.append(TraceRequestID.read(start, count: length))
                } else {
                    self.requests.append(try self.scanUnsigned(&cursor, end, field: field))
                }
            }
        }
        present |= field.bit
    }

    private func scanArray(of field: TraceField, _ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                           element: (inout UnsafePointer<UInt8>, UnsafePointer<UInt8>) throws -> Void) throws {
        guard cursor < end && cursor.pointee == UInt8(ascii: "[") else {
            throw TraceLineError(reason: "field '\(field.name)' must be an array")
        }
        cursor += 1
        skipSpace(&cursor, end)
        if cursor < end && cursor.pointee == UInt8(ascii: "]") { cursor += 1; return }
        var elements = 0
        while true {
            elements += 1
            guard elements <= TraceSchema.arrayElementsMax else {
                throw TraceLineError(reason: "field '\(field.name)' has more than \(TraceSchema.arrayElementsMax) elements")
            }
            try element(&cursor, end)
            skipSpace(&cursor, end)
            guard cursor < end else { throw TraceLineError(reason: "field '\(field.name)': line ends inside the array") }
            if cursor.pointee == UInt8(ascii: "]") { cursor += 1; return }
            guard cursor.pointee == UInt8(ascii: ",") else {
                throw TraceLineError(reason: "field '\(field.name)': expected ',' or ']' in the array")
            }
            cursor += 1
            skipSpace(&cursor, end)
        }
    }

    // MARK: Values

    @inline(__always)
    private func skipSpace(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) {
        while cursor < end {
            let byte = cursor.pointee
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") else { return }
            cursor += 1
        }
    }

    @inline(__always)
    private func scanUnsigned(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, field: TraceField) throws -> UInt64 {
        var value: UInt64 = 0
        let start = cursor
        // Up to 19 digits cannot overflow: no checks on the common path.
        let fastEnd = min(end, start + 19)
        while cursor < fastEnd {
            let digit = cursor.pointee &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            cursor += 1
        }
        while cursor < end {
            let digit = cursor.pointee &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1 && !overflow2 else { throw TraceLineError(reason: "field '\(field.name)': number out of range") }
            value = sum
            cursor += 1
        }
        guard cursor > start else { throw TraceLineError(reason: "field '\(field.name)' must be an integer") }
        if cursor < end {
            let next = cursor.pointee
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                throw TraceLineError(reason: "field '\(field.name)' must be an integer, not a fraction")
            }
        }
        return value
    }

    @inline(__always)
    private func scanDigest(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, field: TraceField) throws -> UInt64 {
        guard cursor < end && cursor.pointee == UInt8(ascii: "\"") else {
            throw TraceLineError(reason: "field '\(field.name)' must hold hex strings")
        }
        let (start, length, isEscaped) = try scanString(&cursor, end, field: field)
        guard !isEscaped, let value = TraceDigest.parse(start, count: length) else {
            throw TraceLineError(reason: "field '\(field.name)': '\(text(start, length))' is not a 16-digit hex digest")
        }
        return value
    }

    /// Scans a string starting at its opening quote; returns its raw contents.
    @inline(__always)
    private func scanString(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>,
                            field: TraceField?) throws -> (UnsafePointer<UInt8>, Int, Bool) {
        cursor += 1
        let start = cursor
        var isEscaped = false
        while cursor < end {
            let byte = cursor.pointee
            if byte == UInt8(ascii: "\"") {
                let length = cursor - start
                cursor += 1
                guard length <= TraceSchema.stringBytesMax else {
                    throw TraceLineError(reason: "field '\(field?.name ?? "name")': string longer than \(TraceSchema.stringBytesMax) bytes")
                }
                return (start, length, isEscaped)
            }
            if byte == UInt8(ascii: "\\") {
                isEscaped = true
                cursor += 1
            }
            cursor += 1
        }
        throw TraceLineError(reason: "line ends inside a string" + (field.map { " (field '\($0.name)')" } ?? ""))
    }

    private func scanNull(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> Bool {
        guard cursor < end && cursor.pointee == UInt8(ascii: "n") else { return false }
        guard try scanLiteral("null", &cursor, end) else { throw TraceLineError(reason: "invalid literal (expected null)") }
        return true
    }

    @inline(__always)
    private func scanLiteral(_ word: StaticString, _ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - cursor >= count else { return false }
        for offset in 0..<count where cursor[offset] != word.utf8Start[offset] { return false }
        cursor += count
        return true
    }

    private func skipValue(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, depth: Int) throws {
        guard depth < TraceSchema.unknownValueDepthMax else { throw TraceLineError(reason: "value nested too deeply") }
        guard cursor < end else { throw TraceLineError(reason: "line ends where a value should be") }
        switch cursor.pointee {
        case UInt8(ascii: "\""):
            _ = try scanString(&cursor, end, field: nil)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let isObject = cursor.pointee == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            cursor += 1
            skipSpace(&cursor, end)
            if cursor < end && cursor.pointee == close { cursor += 1; return }
            while true {
                if isObject {
                    guard cursor < end && cursor.pointee == UInt8(ascii: "\"") else { throw TraceLineError(reason: "invalid nested object") }
                    _ = try scanString(&cursor, end, field: nil)
                    skipSpace(&cursor, end)
                    guard cursor < end && cursor.pointee == UInt8(ascii: ":") else { throw TraceLineError(reason: "invalid nested object") }
                    cursor += 1
                    skipSpace(&cursor, end)
                }
                try skipValue(&cursor, end, depth: depth + 1)
                skipSpace(&cursor, end)
                guard cursor < end else { throw TraceLineError(reason: "line ends inside a nested value") }
                if cursor.pointee == close { cursor += 1; return }
                guard cursor.pointee == UInt8(ascii: ",") else { throw TraceLineError(reason: "invalid nested value") }
                cursor += 1
                skipSpace(&cursor, end)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard try scanLiteral("true", &cursor, end) || scanLiteral("false", &cursor, end) || scanLiteral("null", &cursor, end) else {
                throw TraceLineError(reason: "invalid literal")
            }
        default:
            let start = cursor
            while cursor < end {
                switch cursor.pointee {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                     UInt8(ascii: "e"), UInt8(ascii: "E"):
                    cursor += 1
                    continue
                default: break
                }
                break
            }
            guard cursor > start else { throw TraceLineError(reason: "invalid value") }
        }
    }

    // MARK: Helpers for messages and strings

    private func text(_ start: UnsafePointer<UInt8>, _ length: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: start, count: min(length, 64)), as: UTF8.self)
    }

    /// The decoded text of string field `field` (escapes resolved).
    func string(_ field: TraceField) throws -> String {
        let start = stringStarts[field.rawValue]!
        let length = stringLengths[field.rawValue]
        let raw = UnsafeBufferPointer(start: start, count: length)
        guard escaped & field.bit != 0 else { return String(decoding: raw, as: UTF8.self) }
        guard let text = JSONStringEscapes.unescape(raw) else {
            throw TraceLineError(reason: "field '\(field.name)': invalid escape sequence")
        }
        return text
    }

    /// Looks up string field `field` in `table` without allocating when it is not escaped.
    func interned<Value>(_ field: TraceField, in table: PackedNameTable<Value>) throws -> Value? {
        guard escaped & field.bit != 0 else {
            return table.lookup(stringStarts[field.rawValue]!, count: stringLengths[field.rawValue])
        }
        var bytes = Array(try string(field).utf8)
        return bytes.withUnsafeMutableBufferPointer { table.lookup(UnsafePointer($0.baseAddress!), count: $0.count) }
    }
}
