import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free TCP ports on 127.0.0.1, for the nodes' metrics endpoints and Prometheus: the system
/// picks each (bind to port 0), and all are held open together so they differ, then released
/// for their owners to bind. Another program could take one in between; the node then fails
/// to start with an error naming the port.
public enum LoopbackPorts {
    /// `count` distinct free ports.
    public static func free(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw LoopbackPortError(description: "cannot open a socket to find a free port: errno \(errno)") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
                }
            }
            guard bound else { throw LoopbackPortError(description: "cannot bind 127.0.0.1 to find a free port: errno \(errno)") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// No free port could be found (the system refused a socket or a bind).
public struct LoopbackPortError: Error, CustomStringConvertible {
    public var description: String
}
