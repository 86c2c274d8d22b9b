import RaftKV
import RaftRuntime

/// One client of the key-value store on a node's `RaftSession`: numbers its requests 1, 2, 3
/// under its session id, so that a retry of a request whose answer was lost runs no second
/// time (docs/KV.md). One request at a time.
public actor KeyValueClientSession {
    private let session: RaftSession
    public let client: UInt64
    private var lastSequence: UInt64 = 0

    /// A client with session id `client` (unique per client: pick it at random) on `session`.
    public init(session: RaftSession, client: UInt64 = UInt64.random(in: 1...UInt64.max)) {
        self.session = session
        self.client = client
    }

    /// Runs `operation` as the session's next request; a thrown timeout leaves its outcome
    /// unknown, and `retry` asks again without running it twice.
    public func run(_ operation: KeyValueOperation, timeout: Duration = .seconds(5)) async throws -> KeyValueResult {
        lastSequence += 1
        return try await send(KeyValueCommand(client: client, sequence: lastSequence, operation: operation), timeout: timeout)
    }

    /// Sends the latest request again: it runs once whatever happened to the first attempt,
    /// and the answer is the first one's.
    public func retry(_ operation: KeyValueOperation, timeout: Duration = .seconds(5)) async throws -> KeyValueResult {
        precondition(lastSequence > 0, "retry before any request")
        return try await send(KeyValueCommand(client: client, sequence: lastSequence, operation: operation), timeout: timeout)
    }

    private func send(_ command: KeyValueCommand, timeout: Duration) async throws -> KeyValueResult {
        let committed = try await session.call(KeyValueCodec.encode(command), timeout: timeout)
        return try KeyValueCodec.decodeResult(committed.reply)
    }
}
