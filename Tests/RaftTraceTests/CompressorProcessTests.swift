import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import RaftTrace
import TestGate
import Testing

/// A writer that hands its lines to a `gzip` child process: what was pushed survives the
/// writer's death (the pipe closed abruptly, as a `kill -9` closes it), members of
/// successive incarnations never interleave, and a missing or failing compressor is a clear
/// one-line error.
@Suite("Compressor process", .exclusive)
struct CompressorProcessTests {
    static let processOptions = TraceWriter.Options(compressorProcess: .gzip)

    /// `gzip -t` accepts `path`: every member is complete, trailer included.
    static func gzipAccepts(_ path: String) throws -> Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: try CompressorCommand.gzip.resolvedExecutable(forTrace: path))
        check.arguments = ["-t", path]
        try check.run()
        check.waitUntilExit()
        return check.terminationStatus == 0
    }

    static func commits(_ range: ClosedRange<Int>) -> [TraceBody] { range.map { .commit(index: $0) } }

    @Test("pushed events survive an abandoned writer (a kill): all read back, in order, in a complete member")
    func pushedSurviveAbandon() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-1.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 1, incarnation: 0, options: Self.processOptions)
        for batch in 0..<20 {
            for index in (batch * 50 + 1)...(batch * 50 + 50) { try writer.write(.commit(index: index), term: 1, timestampUs: 1) }
            try writer.pushToKernel()
        }
        // Written but not pushed (same ts, small buffer: nothing flushes them): lost with the writer.
        for index in 1_001...1_010 { try writer.write(.commit(index: index), term: 1, timestampUs: 1) }
        writer.abandon()
        try TraceWriter.waitForCompressor(ofTrace: path)
        let (records, reader) = try readAll(path)
        #expect(records.map(\.body) == Self.commits(1...1_000))
        #expect(records.map(\.sequence) == Array(0..<1_000))
        #expect(reader.warnings.isEmpty, "the compressor finished the member after its input closed")
        #expect(try Self.gzipAccepts(path))
        #expect(writer.pushCount == 20)
    }

    @Test("pushToKernel gives the same guarantee in this process: inline and background sinks", arguments: [false, true])
    func pushInProcess(background: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-2.jsonl.gz")
        let options = TraceWriter.Options(bufferBytesMax: 4096, compressesInBackground: background)
        let writer = try TraceWriter(path: path, node: 2, incarnation: 0, options: options)
        var written = 0
        // Stop right after a size flush: the buffer is empty, a chunk may still be queued.
        while writer.flushCount < 5 {
            written += 1
            try writer.write(.commit(index: written), term: 1, timestampUs: 1)
        }
        try writer.pushToKernel()
        for index in 1...10 { try writer.write(.commit(index: written + index), term: 1, timestampUs: 1) }
        writer.abandon()
        let (records, _) = try readAll(path)
        #expect(records.map(\.body) == Self.commits(1...written))
    }

    @Test("close waits for the compressor: a complete member, the child gone")
    func closeFinishesMember() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-3.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 3, incarnation: 0, options: Self.processOptions)
        let child = try #require(writer.compressorProcessID)
        try writer.write(.start(logLength: 0, commitIndex: 0, votedFor: nil), term: 0, timestampUs: 1)
        for index in 1...5_000 { try writer.write(.commit(index: index), term: 1, timestampUs: Int64(index)) }
        try writer.close()
        #expect(kill(child, 0) == -1 && errno == ESRCH, "close reaped the compressor")
        let (records, reader) = try readAll(path)
        #expect(records.count == 5_001 && reader.warnings.isEmpty)
        #expect(try Self.gzipAccepts(path))
        #expect(writer.compressedBytes == fileBytes(path).count)
    }

    @Test("the pipe is raised to 1 MiB where the kernel allows it")
    func pipeSize() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let compressor = try CompressorProcess(command: .gzip, path: directory.file("node-8.jsonl.gz"))
        defer { try? compressor.finish() }
        let limit = (try? String(contentsOfFile: "/proc/sys/fs/pipe-max-size", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(compressor.pipeBytes >= min(limit, CompressorCommand.pipeBytesDefault))
    }

    @Test("members of successive incarnations follow each other, even when the next starts while the last drains",
          arguments: [false, true])
    func incarnationsConcatenate(nextInChildProcess: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-4.jsonl.gz")
        let inProcess = try TraceWriter(path: path, node: 4, incarnation: 0)
        for index in 1...1_000 { try inProcess.write(.commit(index: index), term: 1, timestampUs: 1) }
        try inProcess.close()
        // A full pipe that a slow `gzip -9` is still compressing when its writer dies and the
        // next incarnation starts: that one must wait, or its member would land inside.
        let slow = TraceWriter.Options(compressorProcess: CompressorCommand(arguments: ["-9", "-c"]))
        let crashed = try TraceWriter(path: path, node: 4, incarnation: 1, options: slow)
        let appends = (1...20_000).map { TraceBody.append(index: $0, entryTerms: [2], digests: [UInt64($0) &* 0x9E37_79B9_7F4A_7C15]) }
        for body in appends { try crashed.write(body, term: 2, timestampUs: 1) }
        try crashed.pushToKernel()
        crashed.abandon()
        let next = try TraceWriter(path: path, node: 4, incarnation: 2, options: nextInChildProcess ? Self.processOptions : .init())
        for index in 1...1_000 { try next.write(.commit(index: index), term: 3, timestampUs: 1) }
        try next.close()
        let (records, reader) = try readAll(path)
        #expect(reader.warnings.isEmpty)
        #expect(records.map(\.incarnation) == Array(repeating: 0, count: 1_000) + Array(repeating: 1, count: 20_000) + Array(repeating: 2, count: 1_000))
        #expect(records.filter { $0.incarnation == 1 }.map(\.body) == appends)
        #expect(try Self.gzipAccepts(path))
    }

    @Test("a compressor that cannot be found is a one-line error naming it")
    func missingCompressor() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-5.jsonl.gz")
        let absent = directory.file("no-such-gzip")
        let byPath = TraceWriter.Options(compressorProcess: CompressorCommand(executable: absent))
        #expect(throws: TraceIOError(path: path, kind: .compressor, detail: "\(absent) does not exist")) {
            _ = try TraceWriter(path: path, node: 5, incarnation: 0, options: byPath)
        }
        let byName = TraceWriter.Options(compressorProcess: CompressorCommand(executable: "raftlab-no-such-gzip"))
        let error = try #require(throws: TraceIOError.self) { _ = try TraceWriter(path: path, node: 5, incarnation: 0, options: byName) }
        #expect(error.description.hasPrefix("\(path): compressor raftlab-no-such-gzip not found on PATH ("))
        #expect(!error.description.contains("\n"))
        #expect(!FileManager.default.fileExists(atPath: path), "nothing was created")
        #expect(throws: TraceIOError(path: path, kind: .missing, detail: "")) { try TraceWriter.waitForCompressor(ofTrace: path) }
    }

    @Test("a compressor that exits early fails the writer with its status, not the process with SIGPIPE")
    func compressorExitsEarly() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-6.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 6, incarnation: 0,
                                     options: TraceWriter.Options(compressorProcess: CompressorCommand(executable: "/bin/false")))
        let error = try #require(throws: TraceIOError.self) {
            for index in 1...100_000 {
                try writer.write(.commit(index: index), term: 1, timestampUs: 1)
                if index % 1_000 == 0 { try writer.pushToKernel() }
            }
            try writer.close()
        }
        #expect(error.kind == .compressor, "\(error)")
        #expect(error.description.contains("/bin/false (pid "), "\(error)")
        #expect(error.description.contains("exited with status 1"), "\(error)")
        writer.abandon()
    }

    @Test("the child holds only stdin, stdout and stderr, in a session of its own")
    func childIsolation() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-7.jsonl.gz")
        let listing = directory.file("fds.txt")
        // A descriptor of this process without close-on-exec: the child must not get it.
        let stray = open("/dev/null", O_RDONLY)
        try #require(stray >= 0)
        defer { close(stray) }
        let command = CompressorCommand(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd > '\(listing)'; exec gzip -1 -c"])
        let writer = try TraceWriter(path: path, node: 7, incarnation: 0, options: TraceWriter.Options(compressorProcess: command))
        let child = try #require(writer.compressorProcessID)
        #expect(getsid(child) == child, "the compressor leads its own session")
        #expect(getpgid(child) != getpgrp(), "a signal to this process group does not reach it")
        try writer.write(.commit(index: 1), term: 1, timestampUs: 1)
        try writer.close()
        let descriptors = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(descriptors.filter { $0 > 2 }.allSatisfy { $0 >= 10 }, "only the shell's own script descriptors, if any: \(descriptors)")
        #expect(!descriptors.contains(Int(stray)), "the stray descriptor \(stray) was closed: \(descriptors)")
        #expect(try readAll(path).0.map(\.body) == [.commit(index: 1)])
    }
}
