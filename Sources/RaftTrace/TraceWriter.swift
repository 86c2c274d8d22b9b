import CZlib
import SerialAccess

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
/// **Crash consistency.** Flushing on a timer bounds what a `kill -9` loses, but an event
/// whose effect left the process (a message sent, an fsync done, an acknowledgement given)
/// must not be lost at all. With `Options.compressorProcess` the writer hands its lines to a
/// compressor in a child process (`gzip` by default) through a pipe, and `pushToKernel()` —
/// called once per batch before its first send or fsync — writes every buffered line to the
/// pipe: from then on they survive the node's death, since the child outlives it and finishes
/// the member from what it received. Lines written but not yet pushed may still be lost.
///
/// Not thread-safe: use each writer from one thread at a time (it is `Sendable` so it can
/// be handed to the thread that owns it); debug builds check this at every entry point
/// (`SerialAccess`).
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
        /// A compressor in a child process that outlives this one (`CompressorCommand.gzip`):
        /// a flush or `pushToKernel()` writes the lines to its pipe, and a `kill -9` of this
        /// process loses none of them. `compressionLevel` is then the command's business
        /// (`gzip -1`); it excludes `compressesInBackground`. `nil`: compress in this process.
        public var compressorProcess: CompressorCommand?

        /// The defaults: level 1, 100 ms, 256 KiB, flush on role changes, in this process.
        public init(compressionLevel: Int32 = 1, flushIntervalUs: Int64 = 100_000,
                    bufferBytesMax: Int = 256 * 1024, flushesOnRoleChange: Bool = true,
                    compressesInBackground: Bool = false, compressorProcess: CompressorCommand? = nil) {
            precondition((0...9).contains(compressionLevel), "compression level \(compressionLevel) outside 0...9")
            precondition(flushIntervalUs > 0 && bufferBytesMax > 0, "flush interval and buffer size must be positive")
            precondition(!(compressesInBackground && compressorProcess != nil),
                         "a writer compresses in a background thread or in a child process, not both")
            self.compressionLevel = compressionLevel
            self.flushIntervalUs = flushIntervalUs
            self.bufferBytesMax = bufferBytesMax
            self.flushesOnRoleChange = flushesOnRoleChange
            self.compressesInBackground = compressesInBackground
            self.compressorProcess = compressorProcess
        }
    }

    /// Where flushed lines go.
    private enum Sink {
        /// Deflated here, written with `write(2)`.
        case inline(GzipMemberWriter)
        /// Deflated and written by a thread of this process.
        case background(BackgroundCompressor)
        /// Written raw to the pipe of a compressor process.
        case process(CompressorProcess)
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

    /// Pushes to the kernel so far (`pushToKernel()` calls that had lines to write).
    public private(set) var pushCount = 0

    private let encoder: TraceLineEncoder
    private let sink: Sink
    private let access = SerialAccess("TraceWriter")
    /// `ts` of the last flush (`.min` before the first event: simulated clocks start anywhere).
    private var lastFlushUs: Int64
    /// `ts` of the last event written.
    private var lastEventUs: Int64 = .min
    /// Chunks were handed to the background compressor since `pushToKernel()` last waited.
    private var chunksMayWait = false
    private var isClosed = false

    /// Opens `path` for appending and starts a new gzip member for incarnation `incarnation`
    /// of `node`. The caller chooses the incarnation (a node keeps it with its durable state
    /// and adds one on every restart). Waits until an earlier incarnation's compressor
    /// process, if any, has finished its member. With `Options.compressorProcess`, starts the
    /// compressor and throws a one-line `TraceIOError` naming it when it cannot.
    public init(path: String, node: Int, incarnation: Int, options: Options = Options()) throws {
        precondition(incarnation >= 0, "incarnation \(incarnation) is negative")
        self.path = path
        self.node = node
        self.incarnation = incarnation
        self.options = options
        encoder = TraceLineEncoder(initialCapacity: options.bufferBytesMax + 64 * 1024)
        if let command = options.compressorProcess {
            sink = .process(try CompressorProcess(command: command, path: path))
        } else {
            // An earlier incarnation's compressor process may still be finishing its member
            // (a file this process cannot read or that is not there yet has none).
            do {
                try Self.waitForCompressor(ofTrace: path)
            } catch let error as TraceIOError where error.kind != .compressor {}
            let member = try GzipMemberWriter(path: path, level: options.compressionLevel)
            sink = options.compressesInBackground ? .background(BackgroundCompressor(member: member, label: "trace.\(node)")) : .inline(member)
        }
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
        access.enter(); defer { access.leave() }
        guard !isClosed else { throw TraceIOError(path: path, kind: .closed, detail: "write") }
        encoder.encode(TraceRecord(timestampUs: timestampUs, node: node, incarnation: incarnation,
                                   sequence: nextSequence, term: term, body: body))
        nextSequence += 1
        lastEventUs = timestampUs
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
        access.enter(); defer { access.leave() }
        guard !isClosed, encoder.count > 0, lastFlushUs == .min || nowUs - lastFlushUs >= options.flushIntervalUs else { return }
        try flush(nowUs: nowUs)
    }

    /// Compresses every buffered event with `Z_SYNC_FLUSH` and writes it (`write(2)`, no
    /// fsync); with a compressor process, writes the lines to its pipe.
    public func flush() throws {
        access.enter(); defer { access.leave() }
        try flush(nowUs: TraceClock.nowUs())
    }

    /// Makes every event written so far survive a `kill -9` of this process: a node calls it
    /// once per batch, before the batch's first send, fsync or acknowledgement, so no event
    /// whose effect left the process can be lost. On return the lines are in the kernel: in
    /// the compressor process's pipe (`Options.compressorProcess`: one `write(2)`, the
    /// cheap case), or compressed and written to the file (in this process; with
    /// `compressesInBackground` it waits for the compressing thread). Counts as a flush for
    /// the time-based flushing.
    public func pushToKernel() throws {
        access.enter(); defer { access.leave() }
        guard !isClosed else { throw TraceIOError(path: path, kind: .closed, detail: "push") }
        if encoder.count > 0 {
            try flush(nowUs: lastEventUs)
            pushCount += 1
        }
        if case .background(let background) = sink, chunksMayWait {
            try background.waitUntilWritten()
            chunksMayWait = false
        }
    }

    /// Flushes, finishes the gzip member (`Z_FINISH`) and closes the file; with a compressor
    /// process, closes its pipe and waits for it to write the member's trailer and exit
    /// (throwing if it failed). Writing after `close()` throws; closing twice does nothing.
    public func close() throws {
        access.enter(); defer { access.leave() }
        guard !isClosed else { return }
        isClosed = true
        defer { encoder.removeAll() }
        switch sink {
        case .inline(let member):
            try encoder.withBytes { try member.compress($0, flush: Z_FINISH) }
            try member.finish()
        case .background(let background):
            try background.finish(encoder.withBytes { Array($0) })
        case .process(let compressor):
            defer { compressor.abandon() }
            try encoder.withBytes { try compressor.write($0) }
            try compressor.finish()
        }
    }

    /// Closes the file without flushing or finishing the member, as `kill -9` would: the
    /// buffered events are lost and the member has no trailer. For crash tests and in-process
    /// simulations of a crash. A compressor process gets its pipe closed and, like after a
    /// real crash, finishes the member from what was pushed (trailer included) on its own.
    public func abandon() {
        access.enter(); defer { access.leave() }
        guard !isClosed else { return }
        isClosed = true
        encoder.removeAll()
        switch sink {
        case .inline(let member): member.abandon()
        case .background(let background): background.abandon()
        case .process(let compressor): compressor.abandon()
        }
    }

    /// Compressed bytes written to the file so far (a compressor process's: what it has
    /// appended yet).
    public var compressedBytes: Int {
        access.enter(); defer { access.leave() }
        switch sink {
        case .inline(let member): return member.compressedBytes
        case .background(let background): return background.compressedBytes
        case .process(let compressor): return compressor.compressedBytes
        }
    }

    /// Waits until no compressor process (`Options.compressorProcess`) still writes `path`:
    /// after a node died, its child may still be compressing what the node pushed. Call it
    /// before reading or merging a crashed node's trace. Throws a one-line `TraceIOError`
    /// when the file is missing or a compressor still runs after `timeoutMs`.
    public static func waitForCompressor(ofTrace path: String, timeoutMs: Int = CompressorCommand.finishWaitMsMax) throws {
        try CompressorProcess.waitUntilFinished(path: path, timeoutMs: timeoutMs)
    }

    /// The compressor process's id, while there is one (`Options.compressorProcess`).
    public var compressorProcessID: Int32? {
        guard case .process(let compressor) = sink else { return nil }
        return compressor.processID
    }

    private func flush(nowUs: Int64) throws {
        guard !isClosed else { throw TraceIOError(path: path, kind: .closed, detail: "flush") }
        lastFlushUs = nowUs
        guard encoder.count > 0 else { return }
        defer { encoder.removeAll() }
        switch sink {
        case .inline(let member): try encoder.withBytes { try member.compress($0, flush: Z_SYNC_FLUSH) }
        case .background(let background):
            try background.submit(encoder.withBytes { Array($0) })
            chunksMayWait = true
        case .process(let compressor): try encoder.withBytes { try compressor.write($0) }
        }
        flushCount += 1
    }
}
