import NIOCore
import RaftCore
import RaftRuntime

/// Measures frame encoding and decoding on one thread with log requests shaped like a busy
/// leader's. For `raftlab bench wire`; figures, never pass/fail.
public enum WireBenchmark {
    /// What one run measured.
    public struct Result: Sendable, CustomStringConvertible {
        /// Frames encoded and decoded.
        public var frames: Int
        /// Bytes of one frame.
        public var frameBytes: Int
        /// Encoding speed in MB/s (10^6 bytes).
        public var encodeMBPerSecond: Double
        /// Encoding speed in frames per second.
        public var encodeFramesPerSecond: Double
        /// Decoding speed (into `WireFrame` values, payloads copied out) in MB/s.
        public var decodeMBPerSecond: Double
        /// Decoding speed in frames per second.
        public var decodeFramesPerSecond: Double

        public var description: String {
            """
            frames:  \(frames) × \(frameBytes) bytes
            encode:  \(Int(encodeMBPerSecond)) MB/s  (\(Int(encodeFramesPerSecond)) frames/s)
            decode:  \(Int(decodeMBPerSecond)) MB/s  (\(Int(decodeFramesPerSecond)) frames/s)
            """
        }
    }

    /// Encodes `frames` log-request frames of `entriesPerFrame` entries of `payloadBytes`
    /// each, then decodes as many. Frames go through a buffer of about 4 MiB that is reused
    /// (cleared, or re-read) so the figures measure the codec, not page faults.
    public static func run(frames: Int, entriesPerFrame: Int, payloadBytes: Int) throws -> Result {
        precondition(frames >= 1 && entriesPerFrame >= 0 && payloadBytes >= 0, "benchmark sizes must be positive")
        let payload = [UInt8](repeating: 0x61, count: payloadBytes)
        let suffix = (0..<entriesPerFrame).map { Entry(term: 3, request: RequestID($0 + 1), payload: payload) }
        let frame = WireFrame.raft(Message(from: 0, to: 1, term: 3,
            body: .logRequest(LogRequest(prefixLength: 1000, prefixTerm: 3, leaderCommit: 990, suffix: suffix))))
        let frameBytes = frame.encodedBytes
        let framesPerRound = max(1, min(frames, (4 << 20) / frameBytes))
        let rounds = (frames + framesPerRound - 1) / framesPerRound
        let clock = ContinuousClock()
        var buffer = ByteBufferAllocator().buffer(capacity: frameBytes * framesPerRound)
        let encode = try clock.measure {
            for _ in 0..<rounds {
                buffer.clear()
                for _ in 0..<framesPerRound { try frame.encode(into: &buffer) }
            }
        }
        var decoded = 0
        var entries = 0
        let decode = try clock.measure {
            for _ in 0..<rounds {
                var round = buffer // shares the bytes; only the reader index moves
                while let next = try FrameDecoder.decodeFrame(from: &round) {
                    decoded += 1
                    if case .raft(let message) = next, case .logRequest(let request) = message.body { entries += request.suffix.count }
                }
            }
        }
        let frames = rounds * framesPerRound
        precondition(decoded == frames && entries == frames * entriesPerFrame, "decoded \(decoded) of \(frames) frames")
        let totalBytes = Double(frameBytes * frames)
        let encodeSeconds = StorageBenchmark.seconds(encode), decodeSeconds = StorageBenchmark.seconds(decode)
        return Result(frames: frames, frameBytes: frameBytes,
                      encodeMBPerSecond: totalBytes / encodeSeconds / 1e6, encodeFramesPerSecond: Double(frames) / encodeSeconds,
                      decodeMBPerSecond: totalBytes / decodeSeconds / 1e6, decodeFramesPerSecond: Double(frames) / decodeSeconds)
    }
}
