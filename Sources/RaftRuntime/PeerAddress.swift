import NIOCore

/// Where a node listens: a UNIX-domain socket (the lab's default) or a TCP host and port.
/// Written `unix:/path/to/socket` or `tcp:host:port`.
public enum PeerAddress: Hashable, Sendable, CustomStringConvertible, Codable {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// UNIX socket paths longer than this do not fit `sockaddr_un` on Linux.
    public static let unixPathBytesMax = 107

    /// Parses `unix:PATH` or `tcp:HOST:PORT`; the error names what is wrong.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw AddressError("empty UNIX socket path in '\(text)'") }
            guard path.utf8.count <= Self.unixPathBytesMax else {
                throw AddressError("UNIX socket path '\(path)' is \(path.utf8.count) bytes, more than \(Self.unixPathBytesMax)")
            }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65535).contains(port), colon > rest.startIndex else {
                throw AddressError("bad TCP address '\(text)': expected tcp:HOST:PORT with PORT in 1...65535")
            }
            self = .tcp(host: String(rest[..<colon]), port: port)
        } else {
            throw AddressError("bad address '\(text)': expected unix:PATH or tcp:HOST:PORT")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The NIO socket address.
    func socketAddress() throws -> SocketAddress {
        switch self {
        case .unix(let path): return try SocketAddress(unixDomainSocketPath: path)
        case .tcp(let host, let port): return try SocketAddress.makeAddressResolvingHost(host, port: port)
        }
    }
}

/// A malformed address.
public struct AddressError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
