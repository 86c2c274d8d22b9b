import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import RaftTrace
import TestGate
import Testing

/// raftlab's own compressor process body (`raftlab trace-compress`): lines in through a pipe,
/// one gzip member out, finished when the writer's end of the pipe closes however it closed.
@Suite("raftlab's trace compressor", .exclusive)
struct TraceCompressorTests {
    @Test("lines from a pipe, written in pieces of every size, become one complete member")
    func compressesAPipeIntoOneMember() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-3.jsonl.gz")
        let output = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        #expect(output >= 0)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let done = DispatchSemaphore(value: 0)
        let failure = LockedBox<(any Error)?>(nil)
        let readEnd = ends[0]
        Thread.detachNewThread {
            do { try TraceCompressor.run(input: readEnd, output: output, name: path, lowersPriority: false) } catch { failure.set(error) }
            close(readEnd)
            done.signal()
        }
        // Write events as a node would push them, in pieces of every size.
        var lines: [UInt8] = []
        let encoder = TraceLineEncoder(initialCapacity: 1 << 16)
        for index in 1...20_000 {
            encoder.encode(TraceRecord(timestampUs: Int64(index), node: 3, incarnation: 1, sequence: UInt64(index - 1), term: 2,
                                       body: .commit(index: index)))
            if index % 997 == 0 {
                encoder.withBytes { lines += $0 }
                encoder.removeAll()
            }
        }
        encoder.withBytes { lines += $0 }
        var offset = 0
        while offset < lines.count {
            let count = min(lines.count - offset, 1 + offset % 70_000)
            let written = lines[offset..<(offset + count)].withUnsafeBytes { write(ends[1], $0.baseAddress, count) }
            #expect(written == count)
            offset += count
        }
        close(ends[1]) // what a kill -9 of the writer does to its end
        done.wait()
        #expect(failure.get() == nil)
        let reader = try TraceReader(path: path)
        var indexes: [Int] = []
        while let record = try reader.next() {
            if case .commit(let index) = record.body { indexes.append(index) }
        }
        #expect(indexes == Array(1...20_000))
        #expect(reader.malformedLineCount == 0)
    }
}

/// A value shared with a thread.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}
