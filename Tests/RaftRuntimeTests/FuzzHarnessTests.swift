import NIOCore
import RaftCore
import RaftFuzz
import RaftRuntime
import TestGate
import Testing

/// The fuzz target's harness, run without libFuzzer: the seed corpus and seeded mutations of
/// it go through the decoder and into real node states without a crash (the libFuzzer build
/// explores further: scripts/fuzz.sh).
@Suite("Fuzz harness", .exclusive)
struct FuzzHarnessTests {
    @Test("every seed frame decodes, re-encodes to its bytes and steps three node states")
    func seedCorpusRuns() {
        let harness = FuzzHarness()
        let seeds = FuzzHarness.seedInputs()
        #expect(seeds.count > 300, "the corpus run sent many distinct messages")
        for seed in seeds { seed.withUnsafeBytes { harness.run($0) } }
        #expect(harness.framesDecoded == seeds.count)
        #expect(harness.messagesStepped == seeds.count * harness.prototypes.count)
        #expect(harness.prototypes.map(\.role).contains(.leader))
    }

    @Test("ten thousand mutated frames, one input each and all in one input, never stop the harness")
    func mutatedFramesRun() {
        let harness = FuzzHarness()
        var mutator = FrameMutator(corpus: HostileCorpus.messages(), seed: 0xF022, bytesShare: 0.2)
        var stream: [UInt8] = []
        for _ in 0..<10_000 {
            let bytes: [UInt8]
            switch mutator.next(from: 1, to: 0) {
            case .message(let message): bytes = HostilePeer.encode([.raft(message)])
            case .bytes(let raw): bytes = raw
            }
            bytes.withUnsafeBytes { harness.run($0) }
            if stream.count < 1 << 19 { stream += bytes }
        }
        stream.withUnsafeBytes { harness.run($0) }
        #expect(harness.inputs == 10_001)
        #expect(harness.messagesStepped > 10_000, "most mutated frames decode and reach the nodes")
    }
}
