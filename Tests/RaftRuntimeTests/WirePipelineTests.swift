import Foundation
import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// `FrameDecoder` inside a real NIO pipeline over a UNIX socket: frames split across writes
/// arrive whole, and a bad frame surfaces as a `WireError` the handler can close on.
@Suite(.exclusive) struct WirePipelineTests {
    /// Collects decoded frames; completes `done` after `expected` frames or on the first error.
    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WireFrame
        private var frames: [WireFrame] = []
        private let expected: Int
        private let done: EventLoopPromise<([WireFrame], WireError?)>

        init(expected: Int, done: EventLoopPromise<([WireFrame], WireError?)>) {
            self.expected = expected
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            frames.append(unwrapInboundIn(data))
            if frames.count == expected { done.succeed((frames, nil)) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.succeed((frames, error as? WireError))
            context.close(promise: nil)
        }
    }

    private struct TimedOut: Error {}

    /// Sends `pieces` (one write each) to a server whose pipeline decodes frames; returns what
    /// the server's collector saw.
    private func serve(_ pieces: [[UInt8]], expecting expected: Int) async throws -> ([WireFrame], WireError?) {
        let temporary = TemporaryDirectory("wire")
        let socketPath = temporary.child("s")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let done = group.next().makePromise(of: ([WireFrame], WireError?).self)
        let timeout = group.next().scheduleTask(in: .seconds(30)) { done.fail(TimedOut()) }
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(Collector(expected: expected, done: done))
                }
            }
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true).get()
        let client = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: socketPath).get()
        for piece in pieces {
            var buffer = client.allocator.buffer(capacity: piece.count)
            buffer.writeBytes(piece)
            try await client.writeAndFlush(buffer).get()
        }
        let result = try await done.futureResult.get()
        timeout.cancel()
        try? await client.close().get()
        try await server.close().get()
        try await group.shutdownGracefully()
        return result
    }

    @Test func framesSplitAcrossWritesArriveWhole() async throws {
        var stream: [UInt8] = []
        for frame in WireSamples.frames { stream += try WireBytes.encode(frame) }
        // Cut inside a length field, inside a header, inside a body.
        let cuts = [2, 5, 40, 41, stream.count / 2, stream.count - 1]
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts {
            pieces.append(Array(stream[start..<cut]))
            start = cut
        }
        pieces.append(Array(stream[start...]))
        let (frames, error) = try await serve(pieces, expecting: WireSamples.frames.count)
        #expect(error == nil)
        #expect(frames == WireSamples.frames)
    }

    @Test func anOversizedFrameAfterAGoodOneIsAnError() async throws {
        let good = try WireBytes.encode(.statusRequest)
        let oversized = WireBytes.be(UInt32(RuntimeLimits.frameBytesMax)) + [1, 3]
        let (frames, error) = try await serve([good + oversized], expecting: 2)
        #expect(frames == [.statusRequest])
        #expect(error == .frameTooLarge(bytes: RuntimeLimits.frameBytesMax + 4, limit: RuntimeLimits.frameBytesMax))
    }
}
