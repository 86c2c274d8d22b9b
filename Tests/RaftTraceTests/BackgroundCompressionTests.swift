import Foundation
@testable import RaftTrace
import TestGate
import Testing

/// A node's writer compresses on a background queue; the file must read exactly as if it
/// compressed inline, across flushes, incarnations and a crash.
@Suite("Background compression", .exclusive)
struct BackgroundCompressionTests {
    static let background = TraceWriter.Options(bufferBytesMax: 4096, compressesInBackground: true)

    @Test("every event, in order, across many flushes and two incarnations")
    func sameLinesAsInline() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-1.jsonl.gz")
        for incarnation in 1...2 {
            let writer = try TraceWriter(path: path, node: 1, incarnation: incarnation, options: Self.background)
            for index in 1...5000 {
                try writer.write(.commit(index: index), term: UInt64(incarnation), timestampUs: Int64(index))
            }
            try writer.close()
        }
        let (records, reader) = try readAll(path)
        #expect(reader.warnings.isEmpty)
        #expect(records.count == 10_000)
        #expect(records.map(\.sequence) == Array(0..<5000) + Array(0..<5000))
        #expect(records.map(\.incarnation) == Array(repeating: 1, count: 5000) + Array(repeating: 2, count: 5000))
        #expect(records.prefix(5000).map(\.body) == (1...5000).map { TraceBody.commit(index: $0) })
    }

    @Test("after a flush the events are readable while the writer is still open")
    func flushedEventsAreReadable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-2.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 2, incarnation: 1, options: Self.background)
        try writer.write(.start(logLength: 0, commitIndex: 0, votedFor: nil), term: 0, timestampUs: 1)
        try writer.write(.commit(index: 1), term: 1, timestampUs: 2)
        try writer.flush()
        _ = writer.compressedBytes // waits until the queue has written the chunk
        let (records, _) = try readAll(path)
        #expect(records.map(\.body) == [.start(logLength: 0, commitIndex: 0, votedFor: nil), .commit(index: 1)])
        writer.abandon()
    }

    @Test("an abandoned writer (a crash) leaves a file that reads up to its last completed flush")
    func abandonKeepsFlushedPrefix() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-3.jsonl.gz")
        // The default 256 KiB buffer: nothing flushes by itself in this test.
        let writer = try TraceWriter(path: path, node: 3, incarnation: 1,
                                     options: TraceWriter.Options(compressesInBackground: true))
        for index in 1...100 { try writer.write(.commit(index: index), term: 1, timestampUs: Int64(index)) }
        try writer.flush()
        _ = writer.compressedBytes
        for index in 101...200 { try writer.write(.commit(index: index), term: 1, timestampUs: Int64(index)) }
        writer.abandon()
        let (records, _) = try readAll(path)
        #expect(records.map(\.body) == (1...100).map { TraceBody.commit(index: $0) })
    }
}
