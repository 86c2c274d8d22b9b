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
        Writes --events events shaped like a busy node's (per commit: append, persist, send,
        recv, commit, deliver, with a propose on the leader) to a temporary node trace, then
        reads them back. Build with -c release.

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
        """
    )

    /// Where the benchmarked writer's lines go.
    enum Sink: String, ExpressibleByArgument, CaseIterable {
        case inline, background, process
    }

    @Option(help: "Events to write and read.") var events = 3_000_000
    @Option(help: "zlib compression level (0-9; the process sink runs gzip -<level>, 1-9).") var level: Int32 = 1
    @Option(help: "Where lines go: \(Sink.allCases.map(\.rawValue).joined(separator: ", ")).") var sink: Sink = .inline
    @Option(help: "Events per pushToKernel() call (0: never push, only the timed flushes).") var eventsPerPush = 0
    @Option(help: "Events per second to pace the writer at (0: as fast as it goes).") var eventsPerSecond = 0
    @Flag(help: "Ignore SIGPIPE first, as a node process does (SwiftNIO ignores it): pushes skip masking it.") var ignoreSigpipe = false

    /// Events written between two looks at the pacing schedule (the same for every sink and
    /// push size, so the CPU figures compare).
    static let pacingBatchEvents = 64
    @Option(help: "Directory for the temporary trace (removed afterwards).") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard events >= 1_000 else { throw ValidationError("--events must be at least 1000") }
        guard (0...9).contains(level) else { throw ValidationError("--level must be 0...9") }
        guard sink != .process || level >= 1 else { throw ValidationError("--sink process needs --level 1...9 (gzip has no level 0)") }
        guard eventsPerPush >= 0 else { throw ValidationError("--events-per-push must not be negative") }
        guard eventsPerSecond >= 0 else { throw ValidationError("--events-per-second must not be negative") }
    }

    func run() throws {
        let path = (directory as NSString).appendingPathComponent("raftlab-bench-\(getpid()).jsonl.gz")
        defer { unlink(path) }
        let bodies = Self.commitMix(count: 4_096)
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
                try writer.write(bodies[position & 4_095], term: 12, timestampUs: timestampUs)
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
        print("write (\(sink.rawValue) sink, encode+deflate+write): \(Self.rate(Double(events) / writeSeconds)) events/s  (\(String(format: "%.2f", writeSeconds)) s, of which close \(String(format: "%.3f", closeTime.seconds)) s)")
        let perEvent = { (seconds: Double) in String(format: "%.3f", seconds * 1e6 / Double(events)) }
        print("cpu µs/event:      writing thread \(perEvent(cpu.thread)), whole process \(perEvent(cpu.process)), compressor child \(perEvent(cpu.children))")
        if !pushNanoseconds.isEmpty {
            pushNanoseconds.sort()
            let micros = { (rank: Double) in String(format: "%.2f", Double(pushNanoseconds[min(pushNanoseconds.count - 1, Int(rank * Double(pushNanoseconds.count)))]) / 1e3) }
            let meanMicros = Double(pushNanoseconds.reduce(0, +)) / Double(pushNanoseconds.count) / 1e3
            print("pushes:            \(writer.pushCount) of \(eventsPerPush) events; µs each: mean \(String(format: "%.2f", meanMicros)), p50 \(micros(0.5)), p99 \(micros(0.99)), max \(micros(1))")
        }
        print("read  (read+inflate+scan):    \(Self.rate(Double(events) / readSeconds)) events/s  (\(String(format: "%.2f", readSeconds)) s)")
        print("file:              \(fileBytes / 1024) KiB")
        _ = checksum
    }

    /// A busy node's events, in the proportions of a replicated commit.
    static func commitMix(count: Int) -> [TraceBody] {
        var bodies: [TraceBody] = []
        var index = 1_000
        var request: UInt64 = 50_000
        while bodies.count < count {
            index += 1
            request += 1
            let digest = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            bodies.append(.propose(request: request, index: index))
            bodies.append(.append(index: index, entryTerms: [12], digests: [digest]))
            bodies.append(.persist(index: index, durationUs: 190))
            bodies.append(.send(to: 2, message: .logRequest, messageID: UInt64(index) * 4))
            bodies.append(.recv(from: 2, message: .logResponse, messageID: UInt64(index) * 4 + 1))
            bodies.append(.commit(index: index))
            bodies.append(.deliver(index: index, entryTerm: 12, digest: digest, request: request))
        }
        return Array(bodies.prefix(count))
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
