import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import RaftTrace
import TestGate
import Testing

/// A real cluster of `raftlab node` processes over UNIX sockets, with fsync on.
@Suite("Node processes", .serialized, .exclusive)
struct NodeProcessTests {
    @Test("a follower killed with -9 restarts with its term, vote and log from disk; nothing committed is lost")
    func killNineAndRestart() async throws {
        let root = try temporaryTracesRoot("kill9")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        var acknowledged: [RequestID: Int] = [:]
        var victim = 0
        do {
            let leader = try await launcher.startCluster()
            for request in 1...20 as ClosedRange<RequestID> {
                if case .committed(let index) = await launcher.client.proposeAsync(request, Array("a\(request)".utf8), at: leader) {
                    acknowledged[request] = index
                }
            }
            #expect(acknowledged.count == 20)
            victim = launcher.client.nodeIDs.first { $0 != leader }!
            let before = try await launcher.client.statusAsync(victim)
            #expect(try await eventually { try await launcher.client.statusAsync(victim).commitIndex >= acknowledged.values.max()! })
            let lastIndex = acknowledged.values.max()!
            let tracePath = launcher.run.layout.nodeTracePath(node: victim)

            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            // Every event the node pushed before the kill survives it: its gzip child finishes
            // the member from what is in the pipe (the deliveries were pushed before the
            // statuses that showed them committed).
            try TraceWriter.waitForCompressor(ofTrace: tracePath)
            #expect(deliveredIndexes(in: tracePath, incarnation: 1).contains(lastIndex))
            for request in 21...30 as ClosedRange<RequestID> {
                if case .committed(let index) = await launcher.client.proposeAsync(request, Array("b\(request)".utf8), at: leader) {
                    acknowledged[request] = index
                }
            }
            #expect(acknowledged.count == 30, "two of three nodes still commit")

            try launcher.processes.start(victim)
            #expect(await eventually { (try? await launcher.client.statusAsync(victim)) != nil })
            let restarted = try await launcher.client.statusAsync(victim)
            #expect(restarted.term >= before.term)
            #expect(restarted.lastIndex >= before.lastIndex, "the log came back from disk")
            let target = acknowledged.values.max()!
            #expect(try await eventually { try await launcher.client.statusAsync(victim).commitIndex >= target })
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let report = try await launcher.shutdown(startedAt: started)

        // The victim's trace reads cleanly up to the kill (a killed node's gzip child finishes
        // its member), and its second incarnation starts from its disk.
        let victimTrace = try TraceReader(path: launcher.run.layout.nodeTracePath(node: victim))
        var incarnations: Set<Int> = []
        var restartStart: (logLength: Int, commitIndex: Int, vote: Int?)?
        while let record = try victimTrace.next() {
            incarnations.insert(record.incarnation)
            if case .start(let logLength, let commitIndex, let vote) = record.body, record.incarnation == 2 {
                restartStart = (logLength, commitIndex, vote)
            }
        }
        #expect(victimTrace.malformedLineCount == 0)
        #expect(incarnations == [1, 2])
        let lastIndex = acknowledged.filter { $0.key <= 20 }.values.max() ?? 0
        #expect(deliveredIndexes(in: launcher.run.layout.nodeTracePath(node: victim), incarnation: 1).contains(lastIndex),
                "what was pushed before the kill is still readable")
        #expect((restartStart?.logLength ?? 0) >= 21, "its log came back from disk")
        #expect(restartStart?.vote != nil, "its vote came back from disk")
        let restartCommit = restartStart?.commitIndex ?? 0
        #expect(deliveredIndexes(in: launcher.run.layout.nodeTracePath(node: victim), incarnation: 2).allSatisfy { $0 > restartCommit },
                "a lab node has no application state to rebuild: it resumes after its durable commit index \(restartCommit)")

        // Every acknowledged request is delivered at its index by the nodes that never crashed.
        let merged = try TraceReader(path: report.mergedTrace)
        var delivered: [Int: [Int: UInt64]] = [:] // node -> index -> request
        while let record = try merged.next() {
            record.body.forEachDelivery { index, _, _, request in delivered[record.node, default: [:]][index] = request }
        }
        for (request, index) in acknowledged {
            for node in 0..<3 where node != victim {
                #expect(delivered[node]?[index] == request, "node \(node) delivered request \(request) at \(index)")
            }
        }
    }

    @Test("garbage, oversized and out-of-order frames close that connection; the node keeps serving")
    func malformedFramesAreRejected() async throws {
        let root = try temporaryTracesRoot("frames")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            try await attack(launcher)
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        _ = try await launcher.shutdown(startedAt: started)
    }

    private func attack(_ launcher: ClusterLauncher) async throws {
        _ = try await launcher.startCluster()
        let node = launcher.cluster.nodes[1]
        guard case .unix(let peerPath) = node.peer else { Issue.record("expected a UNIX socket"); return }
        let attacks: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\n\r\n".utf8),                              // not our protocol
            [0xFF, 0xFF, 0xFF, 0x7F, 1, 2],                                     // oversized length
            [6, 0, 0, 0, 9, 2, 0, 0, 0, 0],                                     // unknown version
            [UInt8](repeating: 0, count: 64),                                   // zero-length frames, bad kind
        ]
        for attack in attacks {
            let closed = try RawSocket.sendAndWaitForClose(path: peerPath, bytes: attack, timeout: .seconds(10))
            #expect(closed, "the node closes a connection that sent \(attack.prefix(8))")
            let status = try await launcher.client.statusAsync(node.id)
            #expect(status.id == node.id, "and keeps serving")
        }
        let outcome = await launcher.client.proposeAsync(77, Array("still works".utf8))
        if case .committed = outcome {} else { Issue.record("the cluster still commits: \(outcome)") }
    }

    @Test("a node whose log tail was torn restarts, cuts the tail, reports it and catches up")
    func tornTailIsRepairedAndReported() async throws {
        let root = try temporaryTracesRoot("torn")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            let victim = try await killAFollowerAfterTenCommits(launcher)
            // Half a record of garbage at the end of its log, as a crash in mid-write leaves.
            let directory = launcher.run.dataDirectory(node: victim)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }
            let logFile = try #require(files.first { $0.hasSuffix(".log") || $0.hasSuffix(".wal") } ?? files.first)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/" + logFile))
            handle.seekToEndOfFile()
            handle.write(Data([0x40, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 2, 9, 9]))
            try handle.close()

            try launcher.processes.start(victim)
            #expect(await eventually { (try? await launcher.client.statusAsync(victim)) != nil })
            #expect(try await eventually { try await launcher.client.statusAsync(victim).commitIndex >= 11 })
            // The node answers clients before `run()` returns and it logs its start and repair.
            let logPath = launcher.run.logDirectory + "/node-\(victim).log"
            var log = ""
            let reported = await eventually {
                log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                return log.contains("cut")
            }
            #expect(reported, "the repair is reported: \(log)")
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        _ = try await launcher.shutdown(startedAt: started)
    }
    @Test("a node whose log is corrupt before its end refuses to start; --repair prints the loss and the node starts again")
    func corruptLogRefusesToStartUntilRepaired() async throws {
        let root = try temporaryTracesRoot("corrupt")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            let victim = try await killAFollowerAfterTenCommits(launcher)
            // One flipped bit in the first append record, which valid records follow.
            let logPath = launcher.run.dataDirectory(node: victim) + "/raft.log"
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: logPath)))
            let records = logRecords(bytes)
            let damaged = try #require(records.dropLast().firstIndex { $0.type == 3 }, "an append with records after it")
            bytes[records[damaged].offset + 9] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: logPath))
            let arguments = ["node", "--cluster", launcher.run.clusterFilePath, "--id", String(victim)]

            let refused = try await runToExit(arguments, in: root)
            #expect(refused.status != 0)
            #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")
            #expect(refused.stderr.hasPrefix("Error: \(logPath): offset \(records[damaged].offset): CRC mismatch"), "\(refused.stderr)")
            #expect(refused.stderr.contains("yet a CRC-valid record follows at offset \(records[damaged + 1].offset)"))
            #expect(refused.stderr.contains("raftlab node --repair"))
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: logPath))) == bytes, "the refused log is untouched")

            let repaired = try await runToExit(arguments + ["--repair"], in: root)
            #expect(repaired.status == 0, "\(repaired.stderr)")
            let lines = repaired.stdout.split(separator: "\n").map(String.init)
            let lost = records.count - damaged - 1
            #expect(lines.count == lost + 2, "the unreadable record, one line per lost record, a summary: \(lines)")
            #expect(lines.first == "offset \(records[damaged].offset): \(records[damaged + 1].offset - records[damaged].offset) unreadable bytes (\(records[damaged].offset)..<\(records[damaged + 1].offset))")
            #expect(lines.dropFirst().dropLast().allSatisfy { $0.contains(": lost ") }, "\(lines)")
            #expect(lines.last?.hasPrefix("\(logPath): cut at offset \(records[damaged].offset), dropped ") == true)
            #expect(lines.last?.contains(": \(lost) CRC-valid record") == true, "\(lines.last ?? "")")
            let size = try FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int
            #expect(size == records[damaged].offset, "cut exactly at the damaged record")

            // It starts from what is left. (It does not catch up from this leader, which
            // remembers what it acknowledged: the loss the repair printed is real.)
            try launcher.processes.start(victim)
            #expect(await eventually { (try? await launcher.client.statusAsync(victim)) != nil }, "it starts")
            let nodeLog = launcher.run.logDirectory + "/node-\(victim).log"
            #expect(await eventually {
                ((try? String(contentsOfFile: nodeLog, encoding: .utf8)) ?? "").contains("node \(victim) up")
            }, "it logs its start")
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        _ = try await launcher.shutdown(startedAt: started)
    }

    /// Starts the cluster, commits ten requests, and kills a follower that has them all
    /// with -9; returns the follower.
    private func killAFollowerAfterTenCommits(_ launcher: ClusterLauncher) async throws -> NodeID {
        let leader = try await launcher.startCluster()
        for request in 1...10 as ClosedRange<RequestID> {
            _ = await launcher.client.proposeAsync(request, Array("r\(request)".utf8), at: leader)
        }
        let victim = launcher.client.nodeIDs.first { $0 != leader }!
        #expect(try await eventually { try await launcher.client.statusAsync(victim).commitIndex >= 11 })
        launcher.processes.kill9(victim)
        launcher.client.forget(victim)
        return victim
    }
}

/// Offsets and types of the whole records of a log file, walked by their length fields
/// (docs/STORAGE_FORMAT.md: a 16-byte header, then `u32 length · u32 crc · u8 type · payload`).
func logRecords(_ bytes: [UInt8]) -> [(offset: Int, type: UInt8)] {
    var records: [(offset: Int, type: UInt8)] = []
    var offset = 16
    while offset + 9 <= bytes.count {
        let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        guard length >= 1, offset + 8 + length <= bytes.count else { break }
        records.append((offset, bytes[offset + 8]))
        offset += 8 + length
    }
    return records
}

/// A blocking UNIX-socket client for sending raw bytes.
enum RawSocket {
    /// Connects to `path`, sends `bytes`, and waits until the peer closes the connection.
    static func sendAndWaitForClose(path: String, bytes: [UInt8], timeout: Duration) throws -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LabError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in path.utf8.enumerated() { raw[offset] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw LabError("connect(\(path)) failed: errno \(errno)") }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var timeval = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeval, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }          // orderly close
            if count < 0 { return errno == ECONNRESET } // reset counts as closed; a timeout does not
        }
    }
}

/// Indexes a node's trace shows delivered in `incarnation` (reading a file still being written).
func deliveredIndexes(in path: String, incarnation: Int) -> Set<Int> {
    guard let reader = try? TraceReader(path: path) else { return [] }
    var indexes: Set<Int> = []
    while let record = try? reader.next() {
        guard record.incarnation == incarnation else { continue }
        record.body.forEachDelivery { index, _, _, _ in indexes.insert(index) }
    }
    return indexes
}

/// `raftlab up` as a user runs it.
@Suite("The launcher", .serialized, .exclusive)
struct LauncherTests {
    /// Pids of processes whose command line mentions `text`.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    @Test("killing the launcher with -9 leaves no orphan node process")
    func noOrphansAfterLauncherDies() async throws {
        let root = try temporaryTracesRoot("orphans")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: try raftlabExecutable())
        launcher.arguments = ["up", "--nodes", "3", "--traces", root, "--quiet"]
        let output = Pipe()
        launcher.standardOutput = output
        launcher.standardError = FileHandle.nullDevice
        try launcher.run()
        // Wait for the cluster to be up: its nodes name the run's cluster file on their command line.
        var nodePids: [Int32] = []
        let found = await eventually {
            nodePids = Self.processes(mentioning: root).filter { $0 != launcher.processIdentifier }
            return nodePids.count == 3
        }
        if !found { kill(launcher.processIdentifier, SIGKILL) }
        #expect(found, "three node processes started")
        kill(launcher.processIdentifier, SIGKILL)
        launcher.waitUntilExit()
        let gone = await eventually(timeout: .seconds(30)) { Self.processes(mentioning: root).isEmpty }
        for pid in Self.processes(mentioning: root) { kill(pid, SIGKILL) }
        #expect(gone, "every node exits once its launcher is gone")
    }

    @Test("Ctrl-C stops the nodes cleanly: every node trace ends with stop, and the traces are merged")
    func interruptStopsCleanly() async throws {
        let root = try temporaryTracesRoot("sigint")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: try raftlabExecutable())
        launcher.arguments = ["up", "--nodes", "3", "--load", "50", "--traces", root, "--quiet"]
        let output = Pipe()
        launcher.standardOutput = output
        launcher.standardError = FileHandle.nullDevice
        try launcher.run()
        let lines = LineCollector(output.fileHandleForReading)
        let workloadStarted = await eventually { lines.text.contains("workload:") }
        kill(launcher.processIdentifier, SIGINT)
        let exited = await eventually { !launcher.isRunning }
        if !exited { kill(launcher.processIdentifier, SIGKILL) }
        #expect(workloadStarted && exited)
        #expect(lines.text.contains("merged trace:"), "\(lines.text)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: root)
        let runDirectory = try #require(runs.first.map { root + "/" + $0 })
        for node in 0..<3 {
            let reader = try TraceReader(path: "\(runDirectory)/node-\(node).jsonl.gz")
            var last: TraceBody?
            while let record = try reader.next() { last = record.body }
            #expect(last == .stop, "node \(node)'s trace ends with stop")
        }
        #expect(FileManager.default.fileExists(atPath: runDirectory + "/trace.jsonl.gz"))
        #expect(Self.processes(mentioning: root).isEmpty)
    }
}

/// Collects a pipe's text as it arrives.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""
    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { handle.readabilityHandler = nil; return }
            self.lock.withLock { self.collected += String(decoding: data, as: UTF8.self) }
        }
    }
    var text: String { lock.withLock { collected } }
}
