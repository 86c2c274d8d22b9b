/// The replicated key-value store's state: the keys, and the client sessions that make each
/// request run once (Raft thesis §6.3). Deterministic: replicas that apply the same commands
/// in the same order hold equal stores and write equal snapshots.
public struct KeyValueStore: Sendable, Equatable {
    /// A client's latest request and its answer.
    struct Session: Sendable, Equatable {
        var sequence: UInt64
        var result: KeyValueResult
        /// Log index of the session's latest request (the least recently used goes first).
        var lastIndex: Int
    }

    public private(set) var values: [String: String] = [:]
    private(set) var sessions: [UInt64: Session] = [:]
    /// The log index of the last command applied.
    public private(set) var appliedIndex = 0

    public init() {}

    /// Client sessions remembered.
    public var sessionCount: Int { sessions.count }

    /// Applies the command at log `index` (after `appliedIndex`) and returns its answer: the
    /// first run of a (client, sequence) executes it; a retry of the session's latest request
    /// returns the first answer again without running it; an older one is `staleRequest`; a
    /// later request of a session the store does not know is `sessionExpired`.
    public mutating func apply(_ command: KeyValueCommand, at index: Int) -> KeyValueResult {
        precondition(index > appliedIndex, "command at \(index) applied after \(appliedIndex)")
        appliedIndex = index
        if let session = sessions[command.client] {
            if command.sequence == session.sequence { return session.result }
            if command.sequence < session.sequence { return .staleRequest }
        } else if command.sequence > 1 {
            return .sessionExpired
        }
        let result = execute(command.operation)
        sessions[command.client] = Session(sequence: command.sequence, result: result, lastIndex: index)
        if sessions.count > KeyValueLimits.sessionsMax, let oldest = sessions.min(by: { $0.value.lastIndex < $1.value.lastIndex }) {
            sessions[oldest.key] = nil
        }
        return result
    }

    /// An entry at `index` that is not a command of this store (the protocol's own, or bytes
    /// that do not decode): nothing changes but the applied index.
    public mutating func skip(_ index: Int) {
        precondition(index > appliedIndex, "entry at \(index) skipped after \(appliedIndex)")
        appliedIndex = index
    }

    /// Reads a key without the log (a linearizable read confirmed by ReadIndex, or a stale one).
    public func read(_ key: String) -> String? { values[key] }

    private mutating func execute(_ operation: KeyValueOperation) -> KeyValueResult {
        switch operation {
        case .get(let key):
            return .value(values[key])
        case .put(let key, let value):
            values[key] = value
            return .ok
        case .delete(let key):
            values[key] = nil
            return .ok
        case .cas(let key, let expected, let new):
            guard values[key] == expected else { return .casFailed(current: values[key]) }
            values[key] = new
            return .ok
        }
    }

    // MARK: Snapshots

    /// Version of the snapshot layout.
    public static let snapshotVersion: UInt8 = 1

    /// The store as bytes: version, applied index, the keys in order, the sessions in client
    /// order (each with its latest sequence, log index and answer).
    public func snapshot() -> [UInt8] {
        var writer = KeyValueWriter()
        writer.byte(Self.snapshotVersion)
        writer.u64(UInt64(appliedIndex))
        writer.u64(UInt64(values.count))
        for key in values.keys.sorted() {
            writer.string(key)
            writer.string(values[key]!)
        }
        writer.u64(UInt64(sessions.count))
        for client in sessions.keys.sorted() {
            let session = sessions[client]!
            writer.u64(client)
            writer.u64(session.sequence)
            writer.u64(UInt64(session.lastIndex))
            KeyValueCodec.append(session.result, to: &writer)
        }
        return writer.bytes
    }

    /// The store `snapshot()` wrote; refuses bytes that are not one, naming the field.
    public init(snapshot bytes: [UInt8]) throws(KeyValueFormatError) {
        var reader = KeyValueReader(bytes)
        let version = try reader.byte("snapshot version")
        guard version == Self.snapshotVersion else {
            throw KeyValueFormatError("snapshot version: \(version), this build reads \(Self.snapshotVersion)")
        }
        appliedIndex = Int(clamping: try reader.u64("snapshot applied index"))
        let keyCount = try reader.u64("snapshot key count")
        guard keyCount <= UInt64(bytes.count) else { throw KeyValueFormatError("snapshot key count: \(keyCount) in \(bytes.count) bytes") }
        for _ in 0..<keyCount {
            let key = try reader.string("snapshot key", bytesMax: KeyValueLimits.keyBytesMax)
            let value = try reader.string("snapshot value of \(key)", bytesMax: KeyValueLimits.valueBytesMax)
            guard values.updateValue(value, forKey: key) == nil else { throw KeyValueFormatError("snapshot key \(key): twice") }
        }
        let sessionCount = try reader.u64("snapshot session count")
        guard sessionCount <= UInt64(KeyValueLimits.sessionsMax) else {
            throw KeyValueFormatError("snapshot session count: \(sessionCount), at most \(KeyValueLimits.sessionsMax)")
        }
        for _ in 0..<sessionCount {
            let client = try reader.u64("snapshot session client")
            let sequence = try reader.u64("snapshot session \(client) sequence")
            let lastIndex = Int(clamping: try reader.u64("snapshot session \(client) index"))
            let result = try KeyValueCodec.readResult(&reader)
            guard sessions.updateValue(Session(sequence: sequence, result: result, lastIndex: lastIndex), forKey: client) == nil else {
                throw KeyValueFormatError("snapshot session \(client): twice")
            }
        }
        try reader.requireEnd("snapshot")
    }
}
