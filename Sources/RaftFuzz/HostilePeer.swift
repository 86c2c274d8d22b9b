#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import RaftCore
import RaftRuntime

/// A connection to a node's UNIX socket that says hello as one of its peers and then sends
/// whatever it is given: the mutated frames of `FrameMutator`. When the node closes the
/// connection (a frame it cannot decode), the next send opens a new one and says hello
/// again, as a misbehaving peer would. Blocking sockets: a node that stops reading makes
/// `send` wait, up to `sendTimeoutSeconds`, and then fail.
public final class HostilePeer {
    /// Why sending failed for good.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The socket path of the node attacked.
    public let path: String
    /// The peer this connection claims to be, and the cluster id it announces.
    public let claimedPeer: NodeID
    public let clusterID: UInt64
    /// How long one send may wait for the node to read.
    public static let sendTimeoutSeconds = 30
    /// Connections opened so far (the first one and every reconnection).
    public private(set) var connections = 0
    private var descriptor: Int32 = -1

    /// A hostile peer of the node listening at `path`, claiming to be node `claimedPeer`.
    public init(path: String, claimedPeer: NodeID, clusterID: UInt64 = 0) {
        self.path = path
        self.claimedPeer = claimedPeer
        self.clusterID = clusterID
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Sends `bytes` (whole frames, encoded) in one write; reconnects once if the node had closed
    /// the connection. Returns whether the node took the bytes.
    @discardableResult
    public func send(_ bytes: [UInt8]) throws -> Bool {
        if descriptor < 0 { try connect() }
        if try write(bytes) { return true }
        close(descriptor)
        descriptor = -1
        try connect()
        if try write(bytes) { return true }
        close(descriptor)
        descriptor = -1
        return false
    }

    /// Encodes `frames` into one buffer of bytes (frames too large for the wire are left out).
    public static func encode(_ frames: [WireFrame]) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        for frame in frames { try? frame.encode(into: &buffer) }
        return Array(buffer.readableBytesView)
    }

    private func connect() throws {
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(socketDescriptor)
            throw Failure(description: "\(path): socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in pathBytes.enumerated() { raw[offset] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            close(socketDescriptor)
            throw Failure(description: "connect(\(path)) failed: errno \(error)")
        }
        var timeout = timeval(tv_sec: Self.sendTimeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = socketDescriptor
        connections += 1
        guard try write(Self.encode([.hello(node: claimedPeer, clusterID: clusterID)])) else {
            throw Failure(description: "\(path): the node closed the connection on hello")
        }
    }

    /// Writes all of `bytes`; false when the connection is gone. A send that times out
    /// means the node stopped reading: that throws.
    private func write(_ bytes: [UInt8]) throws -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw Failure(description: "\(path): the node read nothing for \(Self.sendTimeoutSeconds) s")
                }
                return false
            }
            sent += result
        }
        return true
    }
}

extension HostilePeer {
    /// Drops the connection (after raw bytes the node may be waiting for a frame that never
    /// ends); the next `send` opens a new one.
    public func reset() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
