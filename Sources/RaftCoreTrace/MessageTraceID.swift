import RaftCore

/// The `mid` of `send` and `recv` trace events: a 64-bit FNV-1a digest of a message's sender,
/// receiver, term and body fields, so a sender and its receiver compute the same id without
/// carrying it on the wire. Two identical messages (a leader's repeated empty heartbeat) share
/// an id; they are indistinguishable to the protocol as well.
public enum MessageTraceID {
    /// The id of `message`.
    public static func of(_ message: Message) -> UInt64 {
        var digest = Digest()
        digest.add(UInt64(message.from))
        digest.add(UInt64(message.to))
        digest.add(message.term)
        switch message.body {
        case .voteRequest(let request):
            digest.add(1)
            digest.add(UInt64(request.logLength))
            digest.add(request.lastLogTerm)
            digest.add(request.preVote ? 1 : 0)
        case .voteResponse(let response):
            digest.add(2)
            digest.add(response.granted ? 1 : 0)
            digest.add(response.preVote ? 1 : 0)
        case .logRequest(let request):
            digest.add(3)
            digest.add(UInt64(request.prefixLength))
            digest.add(request.prefixTerm)
            digest.add(UInt64(request.leaderCommit))
            digest.add(UInt64(request.suffix.count))
            if let last = request.suffix.last {
                digest.add(last.term)
                digest.add(last.request)
            }
        case .logResponse(let response):
            digest.add(4)
            digest.add(UInt64(response.ack))
            digest.add(response.success ? 1 : 0)
            digest.add(UInt64(response.conflictHint))
            digest.add(response.conflictTerm)
        case .forward(let forward):
            digest.add(5)
            digest.add(UInt64(forward.hops))
            digest.add(UInt64(forward.proposals.count))
            for proposal in forward.proposals { digest.add(proposal.request) }
        case .forwardRejected(let rejected):
            digest.add(6)
            digest.add(UInt64(rejected.rejections.count))
            for rejection in rejected.rejections { digest.add(rejection.request) }
        case .snapshotChunk(let chunk):
            digest.add(7)
            digest.add(UInt64(chunk.index))
            digest.add(chunk.snapshotTerm)
            digest.add(UInt64(chunk.offset))
            digest.add(UInt64(chunk.bytes.count))
        case .timeoutNow:
            digest.add(9)
        case .snapshotResponse(let response):
            digest.add(8)
            digest.add(UInt64(response.index))
            digest.add(UInt64(response.receivedBytes))
            digest.add(response.installed ? 1 : 0)
        }
        return digest.value
    }

    private struct Digest {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ word: UInt64) {
            var remaining = word
            for _ in 0..<8 {
                value ^= remaining & 0xFF
                value = value &* 0x0000_0100_0000_01b3
                remaining >>= 8
            }
        }
    }
}
