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

        Example:
          swift run -c release raftlab bench trace --events 5000000
        """
    )

    @Option(help: "Events to write and read.") var events = 3_000_000
    @Option(help: "zlib compression level (0-9).") var level: Int32 = 1
    @Option(help: "Directory for the temporary trace (removed afterwards).") var directory = NSTemporaryDirectory()

    func validate() throws {
        guard events >= 1_000 else { throw ValidationError("--events must be at least 1000") }
        guard (0...9).contains(level) else { throw ValidationError("--level must be 0...9") }
    }

    func run() throws {
        let path = (directory as NSString).appendingPathComponent("raftlab-bench-\(getpid()).jsonl.gz")
        defer { unlink(path) }
        let bodies = Self.commitMix(count: 4_096)
        let clock = ContinuousClock()
        let writer = try TraceWriter(path: path, node: 1, incarnation: 0, options: .init(compressionLevel: level))
        var timestampUs: Int64 = 1_790_000_000_000_000
        let writeTime = try clock.measure {
            for position in 0..<events {
                timestampUs += 7
                try writer.write(bodies[position & 4_095], term: 12, timestampUs: timestampUs)
            }
            try writer.close()
        }
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
        print("write (encode+deflate+write): \(Self.rate(Double(events) / writeSeconds)) events/s  (\(String(format: "%.2f", writeSeconds)) s)")
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

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6) : String(format: "%.0fk", perSecond / 1e3)
    }
}
