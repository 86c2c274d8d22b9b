import Foundation
import NIOCore
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// Seeded random inputs never crash the decoder, and whatever it accepts re-encodes to the
/// very bytes it consumed (the encoding is canonical). Set RAFTLAB_FUZZ_SEED to replay a run;
/// every failure prints the seed and the input number.
@Suite(.exclusive) struct WireFuzzTests {
    private static let seed: UInt64 = ProcessInfo.processInfo.environment["RAFTLAB_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xF022_2026

    /// Decodes frames from `bytes` until one is incomplete or refused; checks each accepted
    /// frame re-encodes to its bytes. Returns how many frames were accepted.
    @discardableResult
    private func decodeAll(_ bytes: [UInt8], _ label: String) -> Int {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        var accepted = 0
        while true {
            let start = buffer.readerIndex
            let frame: WireFrame?
            do {
                frame = try FrameDecoder.decodeFrame(from: &buffer)
            } catch let error as WireError {
                #expect(!error.description.contains("\n"), "\(label)")
                return accepted
            } catch {
                Issue.record("\(label): unexpected error type \(error)")
                return accepted
            }
            guard let frame else { return accepted }
            let consumed = Array(bytes[start..<buffer.readerIndex]) // the buffer began at index 0
            let again = try? WireBytes.encode(frame)
            #expect(again == consumed, "\(label): \(frame.kind) frame does not re-encode to its bytes")
            accepted += 1
        }
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: Self.seed)
        for input in 0..<20_000 {
            let bytes = random.bytes(random.below(300))
            decodeAll(bytes, "seed \(Self.seed) input \(input)")
        }
    }

    @Test func randomBodiesBehindValidHeadersNeverCrash() {
        var random = SplitMix64(seed: Self.seed ^ 0x1)
        var accepted = 0
        for input in 0..<20_000 {
            let kind = UInt8(1 + random.below(FrameKind.allCases.count))
            var body = random.bytes(random.below(120))
            // Small values in the first bytes reach deeper into the bodies (tags, ids, counts).
            for position in body.indices where random.below(3) > 0 { body[position] = UInt8(random.below(4)) }
            accepted += decodeAll(WireBytes.frame(kind: kind, body: body), "seed \(Self.seed ^ 0x1) input \(input)")
        }
        #expect(accepted > 0, "some random bodies are valid frames")
    }

    @Test func mutatedValidFramesNeverCrash() throws {
        var random = SplitMix64(seed: Self.seed ^ 0x2)
        let originals = try WireSamples.frames.map(WireBytes.encode)
        for input in 0..<20_000 {
            var bytes = originals[random.below(originals.count)]
            switch random.below(4) {
            case 0: // flip a few bytes
                for _ in 0...random.below(3) { bytes[random.below(bytes.count)] ^= UInt8(1 + random.below(255)) }
            case 1: // cut the frame short but keep its length field consistent
                let cut = WireFrame.headerBytes + random.below(bytes.count - WireFrame.headerBytes + 1)
                bytes = Array(bytes.prefix(cut))
                bytes.replaceSubrange(0..<4, with: WireBytes.be(UInt32(cut - 4)))
            case 2: // grow the frame by random bytes
                bytes += random.bytes(1 + random.below(16))
                bytes.replaceSubrange(0..<4, with: WireBytes.be(UInt32(bytes.count - 4)))
            default: // overwrite a body byte with a small value (tags, ids, counts)
                if bytes.count > WireFrame.headerBytes {
                    bytes[WireFrame.headerBytes + random.below(bytes.count - WireFrame.headerBytes)] = UInt8(random.below(3))
                }
            }
            decodeAll(bytes, "seed \(Self.seed ^ 0x2) input \(input)")
        }
    }
}
