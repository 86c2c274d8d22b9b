import Foundation
import NIOPosix
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// Compaction with its heavy part off the node's thread (`DurableLog.startCompaction`): the
/// log keeps taking batches while the new file is written, and what they wrote meanwhile is
/// carried over before the rename.
@Suite("Background compaction", .exclusive)
struct BackgroundCompactionTests {
    @Test("batches written while the new file is made survive the rename, and the file shrinks")
    func writesDuringTheBackgroundPartAreCarriedOver() throws {
        let temporary = TemporaryDirectory("bg-compact")
        let log = try churnedLog(temporary.path)
        let bytesBefore = log.fileBytes
        let job = try #require(try log.startCompaction())
        // The node goes on while the job runs: more terms, entries, a truncation, commits.
        let extra = sampleEntries(count: 30, term: 21, firstRequest: 5_000, seed: 99)
        let commit = log.state.commitIndex
        try log.write([.hardState(term: 21, votedFor: 2), .truncate(length: commit), .append(firstIndex: commit + 1, entries: extra)])
        job.runInBackground()
        try log.write([.commit(index: commit + 10)])
        let expected = log.state
        #expect(try log.finishCompaction(job))
        #expect(log.state == expected)
        #expect(log.fileBytes < bytesBefore / 3)
        #expect(try fileSize(log.path) == log.fileBytes)
        try log.write([.commit(index: commit + 20)])
        let after = log.state
        log.close()
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state == after)
        #expect(!FileManager.default.fileExists(atPath: temporary.child("raft.log.tmp")))
    }

    @Test("a job finished after the log closed, or with a batch pending, is dropped and the log is as it was")
    func aJobThatCannotFinishIsDropped() throws {
        let temporary = TemporaryDirectory("bg-compact-drop")
        let log = try churnedLog(temporary.path)
        let bytesBefore = log.fileBytes
        let pending = try #require(try log.startCompaction())
        pending.runInBackground()
        log.apply([.commit(index: log.state.commitIndex + 1)])
        #expect(try !log.finishCompaction(pending), "a pending batch: dropped")
        try log.commit()
        #expect(try fileSize(log.path) == log.fileBytes && log.fileBytes > bytesBefore)
        #expect(!FileManager.default.fileExists(atPath: temporary.child("raft.log.tmp")))

        let closing = try #require(try log.startCompaction())
        closing.runInBackground()
        let state = log.state
        log.close()
        #expect(try !log.finishCompaction(closing), "a closed log: dropped")
        #expect(!FileManager.default.fileExists(atPath: temporary.child("raft.log.tmp")))
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state.entries == state.entries && reopened.state.commitIndex == state.commitIndex)
    }

    @Test("a node host compacts its log off the loop and keeps every committed entry")
    func hostCompactsInTheBackground() async throws {
        let temporary = TemporaryDirectory("bg-compact-host")
        // A single-node host whose log churns: every batch writes a commit record, so the file
        // outgrows its live state; the garbage threshold is lowered so it compacts here.
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        log.compactionPolicy = (growthFactor: 1, slackBytesMin: 16 << 10)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let host = NodeHost(id: 0, members: [0], tuning: NodeTuning(seed: 1), storage: log, trace: nil, eventLoop: group.next())
        let transport = InProcessNetwork().attach(host)
        try await host.eventLoop.submit { host.start(transport: transport) }.get()
        #expect(await eventually { (try? await host.eventLoop.submit { host.node.role == .leader }.get()) == true })
        for number in 0..<4_000 {
            // One proposal per batch (the loop runs the batch before this barrier): an append
            // and a commit record each, most of it garbage once compacted into one record.
            try await host.eventLoop.submit {
                host.submit(.propose([Proposal(request: RequestID(number + 1), payload: Array("m\(number)".utf8))]))
            }.get()
            try await host.eventLoop.submit {}.get()
        }
        #expect(await eventually { (try? await host.eventLoop.submit { host.node.commitIndex == 4_001 }.get()) == true })
        let compactions = try await host.eventLoop.submit { log.compactionCount }.get()
        try await host.eventLoop.submit { host.stop() }.get()
        try await group.shutdownGracefully()
        #expect(compactions >= 1, "the host compacted the log")
        let reopened = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(reopened.state.commitIndex == 4_001)
        #expect(reopened.state.entries.filter { !$0.isProtocolEntry }.map(\.request) == (1...4_000).map { RequestID($0) })
    }
}
