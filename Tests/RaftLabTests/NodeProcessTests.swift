import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import RaftTrace
import Testing

/// A real cluster of `raftlab node` processes over UNIX sockets, with fsync on.
@Suite("Node processes", .serialized)
struct NodeProcessTests {
    @Test("a follower killed with -9 restarts with its term, vote and log from disk; nothing committed is lost")
    func killNineAndRestart() async throws {
        let root = try temporaryTracesRoot("kill9")
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        var acknowledged: [RequestID: Int] = [:]
        do {
            let leader = try await launcher.startCluster()
            for request in 1...20 as ClosedRange<RequestID> {
                if case .committed(let index) = await launcher.client.proposeAsync(request, Array("a\(request)".utf8), at: leader) {
                    acknowledged[request] = index
                }
            }
            #expect(acknowledged.count == 20)
            let victim = launcher.client.nodeIDs.first { $0 != leader }!
            let before = try await launcher.client.statusAsync(victim)
            #expect(try await eventually { try await launcher.client.statusAsync(victim).commitIndex >= acknowledged.values.max()! })

            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            for request in 21...30 as ClosedRange<RequestID> {
                if case .committed(let index) = await launcher.client.proposeAsync(request, Array("b\(request)".utf8), at: leader) {
                    acknowledged[request] = index
                }
            }
            #expect(acknowledged.count == 30, "two of three nodes still commit")

            try launcher.processes.start(victim)
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

        // Incarnation 2 of the victim starts from its disk; every acknowledged write is
        // delivered at its index by every node (the trace of incarnation 1 reads up to the kill).
        let merged = try TraceReader(path: report.mergedTrace)
        var delivered: [Int: [Int: UInt64]] = [:] // node -> index -> request
        var starts: [(node: Int, inc: Int, logLength: Int, vote: Int?)] = []
        while let record = try merged.next() {
            switch record.body {
            case .deliver(let index, _, _, let request): delivered[record.node, default: [:]][index] = request
            case .start(let logLength, _, let vote): starts.append((record.node, record.incarnation, logLength, vote))
            default: break
            }
        }
        let secondStarts = starts.filter { $0.inc == 2 }
        #expect(secondStarts.count == 1, "exactly the killed node restarted: \(starts)")
        if let restart = secondStarts.first {
            #expect(restart.logLength >= 20, "its log came back from disk")
            #expect(restart.vote != nil, "its vote came back from disk")
        }
        for (request, index) in acknowledged {
            for node in 0..<3 {
                #expect(delivered[node]?[index] == request, "node \(node) delivered request \(request) at \(index)")
            }
        }
    }

    @Test("garbage, oversized and out-of-order frames close that connection; the node keeps serving")
    func malformedFramesAreRejected() async throws {
        let root = try temporaryTracesRoot("frames")
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        defer { Task { _ = try? await launcher.shutdown(startedAt: started) } }
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
        #expect(outcome != .failed("unreachable"))
        _ = try await launcher.shutdown(startedAt: started)
    }
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
