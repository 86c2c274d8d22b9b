import Foundation
import TestGate
import Testing
@testable import RaftTrace

@Suite("Trace files: writer, reader, crashes and bad input", .exclusive)
struct TraceFileTests {
    @Test("a writer's events read back exactly, seq from 0 with no gap")
    func writeThenRead() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-2.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 2, incarnation: 0)
        for (position, body) in sampleBodies.enumerated() {
            try writer.write(body, term: 5, timestampUs: 1_000 + Int64(position))
        }
        try writer.close()
        let (records, reader) = try readAll(path)
        #expect(records.map(\.body) == sampleBodies)
        #expect(records.map(\.sequence) == Array(0..<UInt64(sampleBodies.count)))
        #expect(records.allSatisfy { $0.node == 2 && $0.incarnation == 0 && $0.term == 5 })
        #expect(reader.warnings.isEmpty && reader.malformedLineCount == 0)
        #expect(reader.lineNumber == sampleBodies.count)
    }

    @Test("each incarnation appends its own gzip member; readers see every member")
    func multiMember() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-0.jsonl.gz")
        for incarnation in 0..<3 {
            let writer = try TraceWriter(path: path, node: 0, incarnation: incarnation)
            for index in 1...1_000 { try writer.write(.commit(index: index), term: UInt64(incarnation + 1), timestampUs: Int64(index)) }
            try writer.close()
        }
        let (records, reader) = try readAll(path)
        #expect(records.count == 3_000)
        #expect(reader.warnings.isEmpty)
        for incarnation in 0..<3 {
            let mine = records.filter { $0.incarnation == incarnation }
            #expect(mine.map(\.sequence) == Array(0..<1_000))
        }
        // `gzip -dc` agrees that the file is valid.
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -dc '\(path)' | wc -l"]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        gzip.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "3000")
    }

    @Test("a crash (no Z_FINISH) keeps every flushed event; the next incarnation's member is still read")
    func crashThenRestart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-1.jsonl.gz")
        let first = try TraceWriter(path: path, node: 1, incarnation: 0)
        for index in 1...500 { try first.write(.commit(index: index), term: 1, timestampUs: Int64(index)) }
        try first.flush()
        for index in 501...510 { try first.write(.commit(index: index), term: 1, timestampUs: 501) }
        first.abandon() // kill -9: the last ten were never flushed
        let crashedSize = fileBytes(path).count
        let second = try TraceWriter(path: path, node: 1, incarnation: 1)
        try second.write(.start(logLength: 500, commitIndex: 500, votedFor: nil), term: 1, timestampUs: 600)
        try second.write(.commit(index: 501), term: 1, timestampUs: 601)
        try second.close()

        let (records, reader) = try readAll(path)
        #expect(records.filter { $0.incarnation == 0 }.map(\.body) == (1...500).map { .commit(index: $0) })
        #expect(records.filter { $0.incarnation == 1 }.count == 2)
        let warning = try #require(reader.warnings.first)
        #expect(warning.path == path)
        #expect(warning.byteOffset.map { $0 >= crashedSize - 8 && $0 <= crashedSize + 8 } == true, "\(warning)")
        #expect(warning.description.contains("member starting at byte 0"))
    }

    @Test("a file cut anywhere yields a prefix holding every line flushed before the cut")
    func cutAnywhere() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-3.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 3, incarnation: 0)
        var flushedAt: [(bytes: Int, lines: Int)] = []
        for index in 1...400 {
            try writer.write(.append(index: index, entryTerms: [2], digests: [UInt64(index) &* 0x9E37_79B9_7F4A_7C15]), term: 2, timestampUs: Int64(index))
            if index % 40 == 0 {
                try writer.flush()
                flushedAt.append((writer.compressedBytes, index))
            }
        }
        writer.abandon()
        let whole = fileBytes(path)
        let cutPath = directory.file("cut.jsonl.gz")
        for cut in stride(from: 12, to: whole.count, by: 13) {
            writeBytes(Array(whole[..<cut]), to: cutPath)
            let (records, reader) = try readAll(cutPath)
            let mustHave = flushedAt.last { $0.bytes <= cut }?.lines ?? 0
            #expect(records.count >= mustHave, "cut at \(cut)")
            #expect(records.map(\.sequence) == Array(0..<UInt64(records.count)), "cut at \(cut): not a prefix")
            #expect(!reader.warnings.isEmpty, "cut at \(cut) gave no warning")
            #expect(reader.warnings.contains { $0.byteOffset == cut }, "cut at \(cut): \(reader.warnings)")
        }
    }

    @Test("corrupt bytes inside a member: lines before are kept, later members are read")
    func corruptMiddle() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-0.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 0, incarnation: 0, options: .init(bufferBytesMax: 2_048))
        for index in 1...2_000 { try writer.write(.commit(index: index), term: 1, timestampUs: Int64(index)) }
        try writer.close()
        let firstMemberBytes = fileBytes(path).count
        let next = try TraceWriter(path: path, node: 0, incarnation: 1)
        try next.write(.stop, term: 1, timestampUs: 3_000)
        try next.close()
        var bytes = fileBytes(path)
        for offset in (firstMemberBytes / 2)..<(firstMemberBytes / 2 + 16) { bytes[offset] ^= 0x5a }
        writeBytes(bytes, to: path)

        let (records, reader) = try readAll(path)
        let first = records.filter { $0.incarnation == 0 }
        #expect(first.count > 100 && first.count < 2_000)
        #expect(first.map(\.sequence) == Array(0..<UInt64(first.count)) || reader.malformedLineCount > 0)
        #expect(records.last?.body == .stop && records.last?.incarnation == 1)
        #expect(reader.warnings.contains { $0.byteOffset != nil && $0.message.contains("corrupt") }, "\(reader.warnings)")
    }

    @Test("malformed lines are skipped and reported by line number; strict mode throws")
    func malformedLines() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("hand.jsonl.gz")
        let good = sampleRecord(.commit(index: 1)).jsonLine
        try appendGzipMember(good + "{not json\n" + good + #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2}"# + "\n"
                             + #"{"v":1,"ts":6,"node":1,"inc":0,"seq":1,"type":"clock_skew","term":2}"# + "\n" + good, to: path)
        let (records, reader) = try readAll(path)
        #expect(records.count == 3)
        #expect(reader.malformedLineCount == 2)
        #expect(reader.unknownTypeCounts == ["clock_skew": 1])
        #expect(reader.warnings.map(\.line) == [2, 4])
        #expect(reader.warnings[1].description == "\(path):4: malformed line skipped: missing field 'index'")

        do {
            _ = try readAll(path, options: .init(strict: true))
            Issue.record("strict reading accepted a malformed line")
        } catch let error as TraceIOError {
            #expect(error.kind == .malformedLine && error.line == 2)
            #expect(error.description.hasPrefix("\(path):2: malformed line"))
        }
    }

    @Test("missing, empty, non-gzip inputs fail at open with one clear line")
    func badInputs() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("missing.jsonl.gz")
        let empty = directory.file("empty.jsonl.gz")
        let plain = directory.file("plain.jsonl.gz")
        writeBytes([], to: empty)
        writeBytes(Array(sampleRecord(.stop).jsonLine.utf8), to: plain)
        let cases: [(String, TraceIOError.Kind, String)] = [
            (missing, .missing, "no such file"),
            (empty, .empty, "empty file"),
            (plain, .notGzip, "not a gzip file (it starts with bytes 7b 22"),
            (directory.path, .system(errno: EISDIR), "not a regular file"),
        ]
        for (path, kind, text) in cases {
            do {
                _ = try TraceReader(path: path)
                Issue.record("opened \(path)")
            } catch let error as TraceIOError {
                #expect(error.kind == kind)
                #expect(error.description.contains(text), "\(error)")
                #expect(error.description.hasPrefix(path))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test("garbage after the last member is reported and ignored")
    func trailingGarbage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-0.jsonl.gz")
        try appendGzipMember(sampleRecord(.stop).jsonLine, to: path)
        let size = fileBytes(path).count
        writeBytes(fileBytes(path) + Array("garbage".utf8), to: path)
        let (records, reader) = try readAll(path)
        #expect(records.count == 1)
        #expect(reader.warnings.map(\.byteOffset) == [size])
    }

    @Test("the writer flushes on role changes and after the flush interval, by itself")
    func automaticFlushes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("node-0.jsonl.gz")
        let writer = try TraceWriter(path: path, node: 0, incarnation: 0, options: .init(flushIntervalUs: 100_000))
        try writer.write(.commit(index: 1), term: 1, timestampUs: 1_000_000)
        #expect(writer.flushCount == 0)
        try writer.write(.role(.leader, previous: .candidate), term: 1, timestampUs: 1_000_001)
        #expect(writer.flushCount == 1)
        try writer.write(.commit(index: 2), term: 1, timestampUs: 1_050_000)
        #expect(writer.flushCount == 1)
        try writer.flushIfDue(nowUs: 1_060_000)
        #expect(writer.flushCount == 1)
        try writer.write(.commit(index: 3), term: 1, timestampUs: 1_100_002)
        #expect(writer.flushCount == 2)
        try writer.write(.commit(index: 4), term: 1, timestampUs: 1_100_003)
        try writer.flushIfDue(nowUs: 1_300_000)
        #expect(writer.flushCount == 3)
        writer.abandon()
        let (records, _) = try readAll(path)
        #expect(records.count == 5, "every flushed event survives the crash")
        #expect(throws: TraceIOError.self) { try writer.write(.stop, term: 1) }
    }

    @Test("merging orders by ts, keeps each file's order and every byte of every line")
    func merge() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let layout = RunLayout(directory: directory.path)
        for node in 0..<3 {
            let writer = try TraceWriter(path: layout.nodeTracePath(node: node), node: node, incarnation: 0)
            for step in 0..<100 { try writer.write(.commit(index: step + 1), term: 1, timestampUs: Int64(step * 3 + node)) }
            try writer.close()
        }
        try appendGzipMember(#"{"v":1,"ts":150,"node":1,"inc":0,"seq":0,"type":"invoke","req":5,"custom":[1,2]}"# + "\n"
                             + #"{"v":1,"ts":151,"node":-1,"inc":0,"seq":1,"type":"chaos_monkey","term":0}"# + "\n", to: layout.clientTracePath)
        #expect(try layout.sourceTracePaths().map { ($0 as NSString).lastPathComponent }
                == ["node-0.jsonl.gz", "node-1.jsonl.gz", "node-2.jsonl.gz", "client.jsonl.gz"])
        let summary = try layout.writeMergedTrace()
        #expect(summary.lineCount == 302 && summary.unreadableLineCount == 0)
        let merged = try TraceMergedReader(paths: [layout.mergedTracePath])
        var timestamps: [Int64] = []
        while let record = try merged.next() { timestamps.append(record.timestampUs) }
        #expect(timestamps == timestamps.sorted())
        #expect(merged.unknownTypeCounts == ["chaos_monkey": 1])
        let lines = try GzipLineReader(path: layout.mergedTracePath)
        var sawCustomField = false
        while case .bytes(let bytes)? = try lines.nextLine() {
            if String(decoding: bytes, as: UTF8.self).contains(#""custom":[1,2]"#) { sawCustomField = true }
        }
        #expect(sawCustomField, "merged lines are copied byte for byte")

        let streams = try TraceMergedReader(paths: try layout.sourceTracePaths())
        var count = 0
        var previous = Int64.min
        while let record = try streams.next() {
            #expect(record.timestampUs >= previous)
            previous = record.timestampUs
            count += 1
        }
        #expect(count == 301)
    }
}
