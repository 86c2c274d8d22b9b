import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client for servers on 127.0.0.1 (the explorer, node metrics
/// endpoints, Prometheus), over a raw TCP socket so requests go out exactly as written
/// (including request targets a URL type would refuse to build). One request per connection
/// (`Connection: close`); the body is read to the end, chunked or not.
public struct LoopbackHTTPClient: Sendable {
    /// A response: status, headers (lower-cased names) and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body decoded as JSON of type `T`.
        public func json<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }

        /// The body as a JSON object.
        public func object() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw ClientError("the body is not a JSON object: \(text)")
            }
            return object
        }
    }

    /// A request that failed, with the reason.
    public struct ClientError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Port on 127.0.0.1.
    public let port: Int
    /// Seconds a request may take in all (connect, send, receive).
    public var timeoutSeconds = 30

    /// A client for 127.0.0.1:`port`.
    public init(port: Int, timeoutSeconds: Int = 30) {
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    /// Sends `method target` with `body` and returns the parsed response.
    public func request(_ method: String, _ target: String, body: Data = Data(), contentType: String? = nil,
                 host: String? = nil) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try parse(exchange(Data(head.utf8) + body), bodyless: method == "HEAD")
    }

    /// `GET target`.
    public func get(_ target: String) throws -> Response { try request("GET", target) }

    /// `POST target` with a JSON body.
    public func post(_ target: String, json: String) throws -> Response {
        try request("POST", target, body: Data(json.utf8), contentType: "application/json")
    }

    /// Sends `bytes` on a new connection and reads until the server closes it.
    public func exchange(_ bytes: Data) throws -> Data {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ClientError("socket: errno \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ClientError("connect to 127.0.0.1:\(port): errno \(errno)") }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw ClientError("send: errno \(errno)") }
                offset += written
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw ClientError("recv: errno \(errno) after \(received.count) bytes (timeout \(timeoutSeconds) s)") }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }

    /// `bodyless`: the answer to a HEAD request, whose Content-Length describes the GET body.
    private func parse(_ data: Data, bodyless: Bool) throws -> Response {
        guard let split = data.firstRange(of: Data("\r\n\r\n".utf8)) else {
            throw ClientError("no complete response head in \(data.count) bytes")
        }
        let lines = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ClientError("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try Self.dechunked(body) }
        if !bodyless, let length = headers["content-length"].flatMap(Int.init), length != body.count {
            throw ClientError("Content-Length \(length) but \(body.count) body bytes")
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The payload of a chunked body (RFC 9112 7.1; trailers ignored).
    static func dechunked(_ body: Data) throws -> Data {
        var payload = Data()
        var position = body.startIndex
        while true {
            guard let lineEnd = body[position...].firstRange(of: Data("\r\n".utf8)) else {
                throw ClientError("chunked body: no chunk size line at byte \(position)")
            }
            let sizeText = String(decoding: body[position..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw ClientError("chunked body: bad chunk size '\(sizeText)'")
            }
            if size == 0 { return payload }
            let start = lineEnd.upperBound
            guard body.distance(from: start, to: body.endIndex) >= size + 2 else {
                throw ClientError("chunked body: chunk of \(size) bytes cut short")
            }
            payload.append(body[start..<start + size])
            position = start + size + 2
        }
    }
}
