import Foundation
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// A node says hello to each peer as soon as it connects, whether or not it has a message
/// for it yet: the peer reconnects to it on seeing the hello, so a restarted follower hears
/// from its leader at once (before, the hello waited for the first message, often the
/// follower's own election timeout, and the leader's reconnection backoff ran up to 1 s).
@Suite("Peer greeting", .serialized, .exclusive)
struct PeerGreetingTests {
    /// A listening UNIX socket that records what the first connection sends (or, with
    /// `reads` false, accepts it and never reads: a peer that stalls).
    final class RawPeer: @unchecked Sendable {
        let path: String
        private let descriptor: Int32
        private let lock = NSLock()
        private var received: [UInt8] = []

        init(path: String, reads: Bool = true) throws {
            self.path = path
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (offset, byte) in path.utf8.enumerated() { raw[offset] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw CocoaError(.fileWriteUnknown) }
            descriptor = fd
            Thread.detachNewThread { [self] in
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                guard reads else { return } // holds the connection open, reads nothing
                var buffer = [UInt8](repeating: 0, count: 64)
                while true {
                    let count = read(connection, &buffer, buffer.count)
                    if count <= 0 { break }
                    lock.withLock { received += buffer.prefix(count) }
                }
                Glibc.close(connection)
            }
        }

        var bytes: [UInt8] { lock.withLock { received } }
        func close() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)); _ = Glibc.close(descriptor) }
    }

    @Test("a node greets a peer at once, with no message to send it yet")
    func helloIsSentAtOnce() async throws {
        let directory = try RaftLibraryTests.makeDirectory("greeting")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let peer = try RawPeer(path: "\(directory)/peer.sock")
        defer { peer.close() }
        // Long election timeouts: the node has nothing to send for 30 s.
        let tuning = NodeTuning(timing: try ElectionTiming(electionTimeoutMs: 30_000...40_000, heartbeatIntervalMs: 50))
        let config = RaftConfig(peers: [0: .unix(path: "\(directory)/n0.sock"), 1: .unix(path: peer.path), 2: .unix(path: "\(directory)/n2.sock")],
                                self: 0, tuning: tuning, dataDirectory: nil, clusterID: 7)
        let session = try await Raft(config: config).run()
        let hello = try WireBytes.encode(.hello(node: 0, clusterID: 7))
        let greeted = await eventually(timeout: .seconds(10)) { peer.bytes.count >= hello.count }
        await session.shutdown()
        #expect(greeted, "the hello arrived well before the node had a message for the peer")
        #expect(Array(peer.bytes.prefix(hello.count)) == hello)
    }
}
