import ArgumentParser
import Foundation
import RaftTrace

/// `raftlab bench trace`: trace writing (encode + deflate) and reading (inflate + scan)
/// speed on one thread, with a node's typical mix of events.
struct BenchTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Events per second of the trace writer and reader on one core.",
        discussion: """
        Writes --events events shaped like a busy node's (per batch of --entries-per-batch
        entries: append, persist, send, recv, commit and the deliveries, with the leader's
        proposals) to a temporary node trace, then reads them back. Build with -c release.

        --forms picks how per-entry facts are written: per-entry (trace format 1.0: a
        propose and a deliver line per entry) or per-batch (1.1, what nodes write: the
        proposals in the append's reqs, one deliver line per batch). Entries/s counts log
        entries through the writer, the figure to compare across forms.

        --sink picks where lines go: inline (deflate on the writing thread), background (a
        compressing thread) or process (a `gzip -1 -c` child fed through a pipe). With
        --events-per-push N the writer calls pushToKernel() after every N events, as a node
        does once per batch before it sends or fsyncs; the figures then include the cost of
        one push. --events-per-second paces the writer like a node (sleeping between
        batches): a push then finds room in the pipe, and the CPU figures (the writing
        thread, the whole process, the gzip child) say what tracing costs per event.

        Examples:
          swift run -c release raftlab bench trace --events 5000000
          swift run -c release raftlab bench trace --sink process --events-per-push 20
          swift run -c release raftlab bench trace --forms per-batch --entries-per-batch 16
        """
    )

    /// Where the benchmarked writer's lines go.
    enum Sink: String, ExpressibleByArgument, CaseIterable {
        case inline, background, process
    }

    /// How the benchmarked events carry per-entry facts.
    enum Forms: String, ExpressibleByArgument, CaseIterable {
        /// Trace format 1.0: a `propose` and a `deliver` line per entry.
        case perEntry = "per-entry"
        /// Trace format 1.1: proposals in the `append`'s `reqs`, one `deliver` per batch.
        case perBatch = "per-batch"
    }

    @Option(help: "Events to write and read.") var events = 3_000_000
    @Option(help: "zlib compression level (0-9; the process sink runs gzip -<level>, 1-9).") var level: Int32 = 1
    @Option(help: "Where lines go: \(Sink.allCases.map(\.rawValue).joined(separator: ", ")).") var sink: Sink = .inline
    @Option(help: "Events per pushToKernel() call (0: never push, only the timed flushes).") var eventsPerPush = 0
    @Option(help: "Events per second to pace the writer at (0: as fast as it goes).") var eventsPerSecond = 0
    @Option(help: "How per-entry facts are written: \(Forms.allCases.map(\.rawValue).joined(separator: ", ")).") var forms: Forms = .perEntry
    @Option(help: "Log entries per batch (per append, commit and fsync).") var entriesPerBatch = 1
    @Flag(help: "Ignore SIGPIPE first, as a node process does (SwiftNIO ignores it): pushes skip masking it.") var ignoreSigpipe = false

    /// Events written between two looks at the pacing schedule (the same for every sink and
    /// push size, so the CPU figures compare).
    static let pacingBatchEvents = 64
    /// Largest `--entries-per-batch` (a batch's lines stay well below the mix's size).
    static let entriesPerBatchMax = 512
    /// Events in the repeated mix.
    static let mixEvents = 4_096
    @Option(help: "Directory for the temporary trace (removed afterwards).") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard events >= 1_000 else { throw ValidationError("--events must be at least 1000") }
        guard (0...9).contains(level) else { throw ValidationError("--level must be 0...9") }
        guard sink != .process || level >= 1 else { throw ValidationError("--sink process needs --level 1...9 (gzip has no level 0)") }
        guard eventsPerPush >= 0 else { throw ValidationError("--events-per-push must not be negative") }
        guard eventsPerSecond >= 0 else { throw ValidationError("--events-per-second must not be negative") }
        guard (1...Self.entriesPerBatchMax).contains(entriesPerBatch) else {
            throw ValidationError("--entries-per-batch must be 1...\(Self.entriesPerBatchMax)")
        }
    }

    func run() throws {
        let path = (directory as NSString).appendingPathComponent("raftlab-bench-\(getpid()).jsonl.gz")
        defer { unlink(path) }
        let (bodies, entries) = Self.commitMix(count: Self.mixEvents, forms: forms, entriesPerBatch: entriesPerBatch)
        let entriesPerEvent = Double(entries) / Double(bodies.count)
        let clock = ContinuousClock()
        let options = TraceWriter.Options(compressionLevel: level, compressesInBackground: sink == .background,
                                          compressorProcess: sink == .process ? CompressorCommand(arguments: ["-\(level)", "-c"]) : nil)
        if ignoreSigpipe { signal(SIGPIPE, SIG_IGN) }
        let writer = try TraceWriter(path: path, node: 1, incarnation: 0, options: options)
        var timestampUs: Int64 = 1_790_000_000_000_000
        var pushNanoseconds: [Int64] = []
        pushNanoseconds.reserveCapacity(eventsPerPush > 0 ? events / eventsPerPush : 0)
        var closeTime = Duration.zero
        let cpuBefore = CPUTimes.now()
        let started = clock.now
        let writeTime = try clock.measure {
            for position in 0..<events {
                timestampUs += 7
                try writer.write(bodies[position & (Self.mixEvents - 1)], term: 12, timestampUs: timestampUs)
                if eventsPerPush > 0 && (position + 1) % eventsPerPush == 0 {
                    let start = clock.now
                    try writer.pushToKernel()
                    let (seconds, attoseconds) = (clock.now - start).components
                    pushNanoseconds.append(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
                }
                if eventsPerSecond > 0 && (position + 1) % Self.pacingBatchEvents == 0 {
                    let (seconds, attoseconds) = (started + .seconds(Double(position + 1) / Double(eventsPerSecond)) - clock.now).components
                    var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
                    if seconds > 0 || attoseconds > 0 { nanosleep(&pause, nil) }
                }
            }
            closeTime = try clock.measure { try writer.close() }
        }
        let cpu = CPUTimes.now().since(cpuBefore)
        let fileBytes = writer.compressedBytes
        let reader = try TraceReader(path: path)
        var records = 0
        var checksum = 0
        let readTime = try clock.measure {
            while let record = try reader.next() {
                records += 1
                checksum &+= Int(record.sequence & 1)
            }
        }
        guard records == events else { throw ValidationError("read \(records) of \(events) events back") }
        let writeSeconds = writeTime.seconds, readSeconds = readTime.seconds
        print("events:            \(events) (\(String(format: "%.1f", Double(fileBytes) / Double(events))) compressed bytes/event, level \(level))")
        print("forms:             \(forms.rawValue), \(entriesPerBatch) entries per batch: \(String(format: "%.3f", entriesPerEvent)) entries/event, "
              + "\(String(format: "%.1f", Double(fileBytes) / (Double(events) * entriesPerEvent))) compressed bytes/entry")
        print("write (\(sink.rawValue) sink, encode+deflate+write): \(Self.rate(Double(events) / writeSeconds)) events/s, \(Self.rate(Double(events) * entriesPerEvent / writeSeconds)) entries/s  (\(String(format: "%.2f", writeSeconds)) s, of which close \(String(format: "%.3f", closeTime.seconds)) s)")
        let perEvent = { (seconds: Double) in String(format: "%.3f", seconds * 1e6 / Double(events)) }
        print("cpu µs/event:      writing thread \(perEvent(cpu.thread)), whole process \(perEvent(cpu.process)), compressor child \(perEvent(cpu.children))")
        if !pushNanoseconds.isEmpty {
            pushNanoseconds.sort()
            let micros = { (rank: Double) in String(format: "%.2f", Double(pushNanoseconds[min(pushNanoseconds.count - 1, Int(rank * Double(pushNanoseconds.count)))]) / 1e3) }
            let meanMicros = Double(pushNanoseconds.reduce(0, +)) / Double(pushNanoseconds.count) / 1e3
            print("pushes:            \(writer.pushCount) of \(eventsPerPush) events; µs each: mean \(String(format: "%.2f", meanMicros)), p50 \(micros(0.5)), p99 \(micros(0.99)), max \(micros(1))")
        }
        print("read  (read+inflate+scan):    \(Self.rate(Double(events) / readSeconds)) events/s, \(Self.rate(Double(events) * entriesPerEvent / readSeconds)) entries/s  (\(String(format: "%.2f", readSeconds)) s)")
        print("file:              \(fileBytes / 1024) KiB")
        _ = checksum
    }

    /// A busy node's events, in the proportions of replicated batches of `entriesPerBatch`
    /// entries, written in `forms`; with how many log entries they describe.
    static func commitMix(count: Int, forms: Forms, entriesPerBatch: Int) -> (bodies: [TraceBody], entries: Int) {
        var bodies: [TraceBody] = []
        var entries = 0
        var index = 1_000
        var request: UInt64 = 50_000
        while bodies.count < count {
            let first = index + 1
            let requests = (1...entriesPerBatch).map { request + UInt64($0) }
            let digests = (first..<first + entriesPerBatch).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
            let terms = [UInt64](repeating: 12, count: entriesPerBatch)
            index += entriesPerBatch
            request += UInt64(entriesPerBatch)
            switch forms {
            case .perEntry:
                for (offset, request) in requests.enumerated() { bodies.append(.propose(request: request, index: first + offset)) }
                bodies.append(.append(index: first, entryTerms: terms, digests: digests))
            case .perBatch:
                bodies.append(.append(index: first, entryTerms: terms, digests: digests, requests: requests))
            }
            bodies.append(.persist(index: index, durationUs: 190))
            bodies.append(.send(to: 2, message: .logRequest, messageID: UInt64(index) * 4))
            bodies.append(.recv(from: 2, message: .logResponse, messageID: UInt64(index) * 4 + 1))
            bodies.append(.commit(index: index))
            if forms == .perEntry || entriesPerBatch == 1 {
                for offset in 0..<entriesPerBatch {
                    bodies.append(.deliver(index: first + offset, entryTerm: 12, digest: digests[offset], request: requests[offset]))
                }
            } else {
                bodies.append(.deliverRun(index: first, entryTerms: terms, digests: digests, requests: requests))
            }
            if bodies.count <= count { entries += entriesPerBatch }
        }
        return (Array(bodies.prefix(count)), entries)
    }

    /// CPU seconds used so far by the calling thread, the whole process and its reaped
    /// children (the compressor process, once `close()` waited for it).
    struct CPUTimes {
        var thread: Double
        var process: Double
        var children: Double

        static func now() -> CPUTimes {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return CPUTimes(thread: Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9,
                            process: usage(RUSAGE_SELF), children: usage(RUSAGE_CHILDREN))
        }

        func since(_ earlier: CPUTimes) -> CPUTimes {
            CPUTimes(thread: thread - earlier.thread, process: process - earlier.process, children: children - earlier.children)
        }

        private static func usage(_ who: __rusage_who) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who.rawValue), &usage)
            let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6) : String(format: "%.0fk", perSecond / 1e3)
    }
}
