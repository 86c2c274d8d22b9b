import NIOCore
import RaftCore
import RaftRuntime
import SerialAccess

/// What one fuzz input does (`raftlab-fuzz`, libFuzzer's `LLVMFuzzerTestOneInput`): the bytes
/// are a stream of wire frames as a peer would send them. Every frame the decoder accepts
/// must encode back to the bytes it came from; every Raft message among them goes to fresh
/// copies of real node states (`HostileCorpus.nodes`: a leader, a follower, a pre-candidate),
/// addressed to each as its transport would let it through, followed by the node's own
/// timers and a durable write, so a message that corrupts state shows when the node acts on
/// it. A crash, a failed precondition or a sanitizer report is a finding; a refused frame or
/// a dropped message is not. One input at a time (libFuzzer's loop, the replay driver),
/// checked in debug builds (`SerialAccess`).
public final class FuzzHarness: @unchecked Sendable {
    /// The node states every input starts from.
    public let prototypes: [RaftNode]
    /// Frames decoded, Raft messages stepped and inputs run so far (for the replay driver).
    public private(set) var framesDecoded = 0
    public private(set) var messagesStepped = 0
    public private(set) var inputs = 0
    private let access = SerialAccess("FuzzHarness")

    /// Inputs longer than this are cut (libFuzzer's `-max_len` says the same).
    public static let inputBytesMax = 1 << 20

    /// A harness over the nodes of `HostileCorpus`'s default run.
    public init(prototypes: [RaftNode] = HostileCorpus.nodes()) {
        self.prototypes = prototypes
    }

    /// Runs one input.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        access.enter(); defer { access.leave() }
        inputs += 1
        let bytes = UnsafeRawBufferPointer(rebasing: bytes.prefix(Self.inputBytesMax))
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        var messages: [Message] = []
        while true {
            let start = buffer.readerIndex
            guard let frame = try? FrameDecoder.decodeFrame(from: &buffer) else { break }
            framesDecoded += 1
            let consumed = Array(bytes[start..<buffer.readerIndex]) // the buffer began at index 0
            var again = ByteBufferAllocator().buffer(capacity: consumed.count)
            do {
                try frame.encode(into: &again)
            } catch {
                preconditionFailure("a decoded \(frame.kind) frame does not encode again: \(error)")
            }
            precondition(Array(again.readableBytesView) == consumed, "a decoded \(frame.kind) frame encodes to other bytes")
            if case .raft(let message) = frame { messages.append(message) }
        }
        guard !messages.isEmpty else { return }
        for prototype in prototypes {
            var node = prototype
            for var message in messages {
                message.to = node.id
                messagesStepped += 1
                _ = node.stepAsBatch(.receive(message))
                _ = node.stepAsBatch(.heartbeatTimeout)
            }
            _ = node.stepAsBatch(.electionTimeout)
            _ = node.stepAsBatch(.propose([Proposal(request: 0xF022, payload: [1, 2, 3])]))
            _ = node.stepAsBatch(.heartbeatTimeout)
        }
    }

    /// The seed corpus: every message of `HostileCorpus.messages()` as one frame, as the
    /// contents of one file each.
    public static func seedInputs() -> [[UInt8]] {
        HostileCorpus.messages().map { message in
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            try? WireFrame.raft(message).encode(into: &buffer)
            return Array(buffer.readableBytesView)
        }
    }
}
