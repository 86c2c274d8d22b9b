import NIOCore
import NIOHTTP1

/// Answers one connection's HTTP requests for `MetricsServer`: `GET /metrics` (and `HEAD`)
/// with the Prometheus text format, `/` with a pointer to it, anything else with 404 or 405.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The Prometheus text exposition format's content type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let render: () -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping () -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break // requests for metrics carry no body worth reading
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        var body: [UInt8]
        var contentType = "text/plain; charset=utf-8"
        switch (path, request.method) {
        case ("/metrics", .GET), ("/metrics", .HEAD):
            status = .ok
            body = render()
            contentType = Self.contentType
        case ("/", .GET), ("/", .HEAD):
            status = .ok
            body = Array("raftlab node: metrics at /metrics\n".utf8)
        case ("/metrics", _), ("/", _):
            status = .methodNotAllowed
            body = Array("only GET and HEAD are served\n".utf8)
        default:
            status = .notFound
            body = Array("not found: \(path) (metrics are at /metrics)\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        if request.method == .HEAD { body = [] }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        if !body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        if request.isKeepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in boundContext.value.close(promise: nil) }
        }
    }
}
