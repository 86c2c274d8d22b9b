/// One trace line: the fields every line has, and the event.
///
/// JSON: `{"v":1,"ts":…,"node":…,"inc":…,"seq":…,"type":…,"term":…, <body fields>}`.
public struct TraceRecord: Hashable, Sendable {
    /// `v`: schema version (`TraceSchema.version`).
    public var version: Int
    /// `ts`: microseconds since the Unix epoch, from the writer's wall clock.
    public var timestampUs: Int64
    /// `node`: the node the event is about (for client events: the node the client talked
    /// to; for nemesis events: `-1`).
    public var node: Int
    /// `inc`: the writer's incarnation, +1 on every restart of a node.
    public var incarnation: Int
    /// `seq`: position in the incarnation's stream, from 0 with no gaps
    /// (`sequenceAbsent` for a client or nemesis line written without one).
    public var sequence: UInt64
    /// The `sequence` of a client or nemesis line that has no `seq`: its stream is not
    /// checked for gaps, and the encoder leaves the field out.
    public static let sequenceAbsent = UInt64.max
    /// `term`: the node's current term after the event (`0` where unknown: client, nemesis).
    public var term: UInt64
    /// The event and its own fields; `body.type` is the line's `type`.
    public var body: TraceBody

    /// A record with every field given.
    public init(version: Int = TraceSchema.version, timestampUs: Int64, node: Int, incarnation: Int,
                sequence: UInt64, term: UInt64, body: TraceBody) {
        self.version = version
        self.timestampUs = timestampUs
        self.node = node
        self.incarnation = incarnation
        self.sequence = sequence
        self.term = term
        self.body = body
    }

    /// `type`: what happened.
    public var type: TraceEventType { body.type }

    /// This record as one JSON line, newline included (the writer's exact bytes).
    public var jsonLine: String {
        let encoder = TraceLineEncoder()
        encoder.encode(self)
        return encoder.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses one JSON line (without or with its newline); throws `TraceLineError` when it is
    /// not a valid line of this schema, or names an event type this code does not know.
    public init(jsonLine: String) throws {
        var text = jsonLine
        let scanner = TraceLineScanner()
        let outcome = try text.withUTF8 { try scanner.scan(UnsafeRawBufferPointer($0)) }
        switch outcome {
        case .record(let record): self = record
        case .unknownType(let name, _): throw TraceLineError(reason: "unknown event type '\(name)'")
        }
    }
}

/// Why one line is not a valid trace line (the reader adds the file and line number).
public struct TraceLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the field when there is one.
    public var reason: String
    /// An error saying `reason`.
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
