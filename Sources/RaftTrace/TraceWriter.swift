import CZlib

/// Writes one stream of trace events: `node-<id>.jsonl.gz` for a node, or `client.jsonl.gz`
/// / `chaos.jsonl.gz` for the lab.
///
/// Each writer is one incarnation: it opens the file for appending and starts a new gzip
/// member, numbers its events from `seq` 0 with no gaps, and encodes them by hand into a
/// buffer. `flush()` compresses the buffer with `Z_SYNC_FLUSH` and writes it, so after a
/// `kill -9` every flushed event can be read back. The writer flushes by itself when
/// `Options.flushIntervalUs` has passed since the last flush (checked on every event), after
/// `start`, `role`, `leader` and `stop` events, and when the buffer reaches
/// `Options.bufferBytesMax`; an idle owner calls `flushIfDue()` from a timer.
/// `close()` finishes the member (`Z_FINISH`).
///
/// Not thread-safe: use each writer from one thread at a time (it is `Sendable` so it can
/// be handed to the thread that owns it).
///
/// ```swift
/// let trace = try TraceWriter(path: RunLayout(directory: run).nodeTracePath(node: 2), node: 2, incarnation: inc)
/// try trace.write(.start(logLength: 0, commitIndex: 0, votedFor: nil), term: 0)
/// try trace.write(.commit(index: 7), term: 3)
/// try trace.close()
/// ```
public final class TraceWriter: @unchecked Sendable {
    /// How a writer compresses and when it flushes.
    public struct Options: Hashable, Sendable {
        /// zlib level, 0–9. Level 1 keeps encoding plus compression well above 1M events/s.
        public var compressionLevel: Int32
        /// Longest time events wait in memory before a write (the most a `kill -9` loses),
        /// measured on the events' own `ts` (so simulated clocks flush in simulated time).
        public var flushIntervalUs: Int64
        /// Uncompressed bytes buffered before a flush regardless of time.
        public var bufferBytesMax: Int
        /// Whether `start`, `role`, `leader` and `stop` events are flushed at once.
        public var flushesOnRoleChange: Bool
        /// Whether compression and writing happen on a background queue (a node's event loop
        /// then only encodes lines). Flushed chunks still reach the file in order; a `kill -9`
        /// loses what waits in memory either way.
        public var compressesInBackground: Bool

        /// The defaults: level 1, 100 ms, 256 KiB, flush on role changes.
        public init(compressionLevel: Int32 = 1, flushIntervalUs: Int64 = 100_000,
                    bufferBytesMax: Int = 256 * 1024, flushesOnRoleChange: Bool = true,
                    compressesInBackground: Bool = false) {
            precondition((0...9).contains(compressionLevel), "compression level \(compressionLevel) outside 0...9")
            precondition(flushIntervalUs > 0 && bufferBytesMax > 0, "flush interval and buffer size must be positive")
            self.compressionLevel = compressionLevel
            self.flushIntervalUs = flushIntervalUs
            self.bufferBytesMax = bufferBytesMax
            self.flushesOnRoleChange = flushesOnRoleChange
            self.compressesInBackground = compressesInBackground
        }
    }

    /// The file written.
    public let path: String
    /// The `node` field of events written with `write(_:term:timestampUs:)`.
    public let node: Int
    /// The `inc` field of every event.
    public let incarnation: Int
    /// The options in force.
    public let options: Options
    /// The `seq` the next event gets (also the number of events written).
    public private(set) var nextSequence: UInt64 = 0
    /// Flushes done so far (explicit and automatic).
    public private(set) var flushCount = 0

    private let encoder: TraceLineEncoder
    private let member: GzipMemberWriter
    private let background: BackgroundCompressor?
    /// `ts` of the last flush (`.min` before the first event: simulated clocks start anywhere).
    private var lastFlushUs: Int64
    private var isClosed = false

    /// Opens `path` for appending and starts a new gzip member for incarnation `incarnation`
    /// of `node`. The caller chooses the incarnation (a node keeps it with its durable state
    /// and adds one on every restart).
    public init(path: String, node: Int, incarnation: Int, options: Options = Options()) throws {
        precondition(incarnation >= 0, "incarnation \(incarnation) is negative")
        self.path = path
        self.node = node
        self.incarnation = incarnation
        self.options = options
        encoder = TraceLineEncoder(initialCapacity: options.bufferBytesMax + 64 * 1024)
        member = try GzipMemberWriter(path: path, level: options.compressionLevel)
        background = options.compressesInBackground ? BackgroundCompressor(member: member, label: "trace.\(node)") : nil
        lastFlushUs = .min
    }

    deinit {
        if !isClosed { try? close() }
    }

    /// Appends an event about this writer's node: `node`, `inc` and `seq` are filled in.
    /// `term` is the node's current term after the event.
    public func write(_ body: TraceBody, term: UInt64, timestampUs: Int64 = TraceClock.nowUs()) throws {
        try write(body, term: term, node: node, timestampUs: timestampUs)
    }

    /// Appends an event whose `node` field differs from the writer's: a client event names
    /// the node the client talked to, a nemesis event `-1`.
    public func write(_ body: TraceBody, term: UInt64, node: Int, timestampUs: Int64 = TraceClock.nowUs()) throws {
        guard !isClosed else { throw TraceIOError(path: path, kind: .closed, detail: "write") }
        encoder.encode(TraceRecord(timestampUs: timestampUs, node: node, incarnation: incarnation,
                                   sequence: nextSequence, term: term, body: body))
        nextSequence += 1
        if lastFlushUs == .min { lastFlushUs = timestampUs }
        if encoder.count >= options.bufferBytesMax || timestampUs - lastFlushUs >= options.flushIntervalUs {
            try flush(nowUs: timestampUs)
            return
        }
        if options.flushesOnRoleChange {
            switch body {
            case .start, .role, .leader, .stop: try flush(nowUs: timestampUs)
            default: break
            }
        }
    }

    /// Flushes if events wait and `Options.flushIntervalUs` has passed since the last flush.
    /// Call it from a timer while the node is idle.
    public func flushIfDue(nowUs: Int64 = TraceClock.nowUs()) throws {
        guard !isClosed, encoder.count > 0, lastFlushUs == .min || nowUs - lastFlushUs >= options.flushIntervalUs else { return }
        try flush(nowUs: nowUs)
    }

    /// Compresses every buffered event with `Z_SYNC_FLUSH` and writes it (`write(2)`, no fsync).
    public func flush() throws {
        try flush(nowUs: TraceClock.nowUs())
    }

    /// Flushes, finishes the gzip member (`Z_FINISH`) and closes the file. Writing after
    /// `close()` throws; closing twice does nothing.
    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        if let background {
            let rest = encoder.withBytes { Array($0) }
            encoder.removeAll()
            try background.finish(rest)
            return
        }
        try encoder.withBytes { try member.compress($0, flush: Z_FINISH) }
        encoder.removeAll()
        try member.finish()
    }

    /// Closes the file without flushing or finishing the member, as `kill -9` would: the
    /// buffered events are lost and the member has no trailer. For crash tests and in-process
    /// simulations of a crash.
    public func abandon() {
        guard !isClosed else { return }
        isClosed = true
        encoder.removeAll()
        if let background { background.abandon() } else { member.abandon() }
    }

    /// Compressed bytes written to the file so far.
    public var compressedBytes: Int { background?.compressedBytes ?? member.compressedBytes }

    private func flush(nowUs: Int64) throws {
        guard !isClosed else { throw TraceIOError(path: path, kind: .closed, detail: "flush") }
        lastFlushUs = nowUs
        guard encoder.count > 0 else { return }
        if let background {
            let chunk = encoder.withBytes { Array($0) }
            encoder.removeAll()
            try background.submit(chunk)
        } else {
            try encoder.withBytes { try member.compress($0, flush: Z_SYNC_FLUSH) }
            encoder.removeAll()
        }
        flushCount += 1
    }
}
