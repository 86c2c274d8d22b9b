import NIOCore
import RaftCore
import RaftRuntime

/// Frames no correct peer sends, from a seed: real messages (`HostileCorpus`) with fields set
/// to edge values (terms 0 and past `RaftLimits.termMax`, lengths past the log, acks beyond
/// it, entries of future terms, terms going down, flipped flags, stray campaigns), and
/// now and then raw bytes with flipped, cut or extra bytes. The seed alone gives the sequence.
public struct FrameMutator {
    /// One hostile frame.
    public enum Frame {
        /// A well-formed frame carrying a mutated message (the wire decodes it; the node
        /// must not trust it).
        case message(Message)
        /// Raw bytes, usually not a well-formed frame (the node closes the connection).
        case bytes([UInt8])
    }

    private let corpus: [Message]
    private var random: SplitMix64
    /// Share of frames sent as mutated raw bytes.
    public let bytesShare: Double

    /// Mutations of `corpus` (which must not be empty) from `seed`.
    public init(corpus: [Message], seed: UInt64, bytesShare: Double = 0.01) {
        precondition(!corpus.isEmpty, "a mutator needs at least one message to start from")
        self.corpus = corpus
        self.random = SplitMix64(seed: seed)
        self.bytesShare = bytesShare
    }

    /// The next frame, claiming to come from `from` and addressed to `to`.
    public mutating func next(from: NodeID, to: NodeID) -> Frame {
        var message = corpus[index(corpus.count)]
        message.from = from
        message.to = to
        let mutations = 1 + index(3)
        for _ in 0..<mutations { mutate(&message) }
        guard chance(bytesShare) else { return .message(message) }
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try? WireFrame.raft(message).encode(into: &buffer)
        var bytes = Array(buffer.readableBytesView)
        mutateBytes(&bytes)
        return .bytes(bytes)
    }

    // MARK: Messages

    /// Changes one field of `message` to an edge value or a random one.
    public mutating func mutate(_ message: inout Message) {
        if chance(0.25) {
            message.term = term(near: message.term)
            return
        }
        switch message.body {
        case .voteRequest(var request):
            switch index(4) {
            case 0: request.logLength = count(near: request.logLength)
            case 1: request.lastLogTerm = term(near: request.lastLogTerm)
            case 2: request.preVote.toggle()
            default: request.campaign = campaign(near: request.campaign)
            }
            message.body = .voteRequest(request)
        case .voteResponse(var response):
            switch index(3) {
            case 0: response.granted.toggle()
            case 1: response.preVote.toggle()
            default: response.campaign = campaign(near: response.campaign)
            }
            message.body = .voteResponse(response)
        case .logRequest(var request):
            switch index(5) {
            case 0: request.prefixLength = count(near: request.prefixLength)
            case 1: request.prefixTerm = term(near: request.prefixTerm)
            case 2: request.leaderCommit = count(near: request.leaderCommit)
            default: mutateEntries(&request.suffix)
            }
            message.body = .logRequest(request)
        case .logResponse(var response):
            switch index(3) {
            case 0: response.ack = count(near: response.ack)
            case 1: response.success.toggle()
            default: response.conflictHint = count(near: response.conflictHint)
            }
            message.body = .logResponse(response)
        case .forward(var forward):
            if chance(0.3) {
                forward.hops = index(RaftLimits.forwardHopsMax + 1)
            } else if !forward.proposals.isEmpty {
                let position = index(forward.proposals.count)
                switch index(3) {
                case 0: forward.proposals[position].request = [0, 1, .max, random.next()][index(4)]
                case 1: forward.proposals.append(forward.proposals[position])
                default: forward.proposals[position].payload = payload()
                }
            }
            message.body = .forward(forward)
        case .forwardRejected(var rejected):
            if rejected.rejections.isEmpty || chance(0.3) {
                rejected.rejections.append(.init(request: random.next(), reason: .tooManyUncommitted))
            } else {
                let position = index(rejected.rejections.count)
                let reasons: [ProposalRejection] = [.invalidRequestID, .payloadTooLarge(bytes: count(near: 0)), .bufferFull,
                                                    .tooManyHops, .tooManyUncommitted, .duplicate(index: count(near: 1))]
                rejected.rejections[position].reason = reasons[index(reasons.count)]
            }
            message.body = .forwardRejected(rejected)
        case .snapshotChunk(var chunk):
            switch index(4) {
            case 0: chunk.offset = count(near: chunk.offset)
            case 1: chunk.totalBytes = count(near: chunk.totalBytes)
            case 2: chunk.bytes = payload()
            default: chunk.index = count(near: chunk.index)
            }
            message.body = .snapshotChunk(chunk)
        case .snapshotResponse(var response):
            if chance(0.5) { response.receivedBytes = count(near: response.receivedBytes) } else { response.index = count(near: response.index) }
            response.installed.toggle()
            message.body = .snapshotResponse(response)
        case .timeoutNow:
            message.term = term(near: message.term)
        }
    }

    private mutating func mutateEntries(_ entries: inout [Entry]) {
        if entries.isEmpty {
            entries = (0..<(1 + index(4))).map { _ in Entry(term: term(near: 1), request: random.next(), payload: payload()) }
            return
        }
        let position = index(entries.count)
        switch index(6) {
        case 0: entries[position].term = term(near: entries[position].term)
        case 1: entries[position].request = [0, entries[0].request, .max][index(3)]
        case 2: entries[position].payload = payload()
        case 3: entries.append(entries[position])
        case 4: entries.remove(at: position)
        default: entries.reverse()
        }
    }

    // MARK: Values

    /// A term: near the original, past the limit, or random (three in four random terms are
    /// past `RaftLimits.termMax`). Never within `exhaustingTerms` below the limit: a peer
    /// that claims such a term uses up the term space of every node that believes it, as
    /// it would in any Raft (no Raft survives a peer that lies about terms; the core's
    /// tests cover the limit itself). Such a term is moved just past the limit.
    private mutating func term(near term: Term) -> Term {
        let value = anyTerm(near: term)
        let band = (RaftLimits.termMax - Self.exhaustingTerms)...RaftLimits.termMax
        return band.contains(value) ? RaftLimits.termMax + 1 + (value - band.lowerBound) : value
    }

    /// Terms below `RaftLimits.termMax` a mutated frame never claims (see `term(near:)`).
    public static let exhaustingTerms: Term = 1 << 32

    private mutating func anyTerm(near term: Term) -> Term {
        switch index(8) {
        case 0: return 0
        case 1: return term &+ 1
        case 2: return term == 0 ? 0 : term - 1
        case 3: return term &+ 1 &+ random.next() % 1000
        case 4: return RaftLimits.termMax + 1 + random.next() % 1000
        case 5: return .max
        case 6: return random.next()
        default: return 1
        }
    }

    /// A length, index or hint: what the wire can carry (0...Int.max).
    private mutating func count(near value: Int) -> Int {
        switch index(8) {
        case 0: return 0
        case 1: return value < Int.max ? value + 1 : value
        case 2: return max(0, value - 1)
        case 3: return value < Int.max - 1_000_000 ? value + 1 + index(1_000_000) : value
        case 4: return Int.max
        case 5: return Int.max - 1
        case 6: return Int(truncatingIfNeeded: random.next() >> 1)
        default: return index(64)
        }
    }

    private mutating func campaign(near campaign: CampaignID) -> CampaignID {
        switch index(4) {
        case 0: return CampaignID(incarnation: campaign.incarnation &+ 1, round: campaign.round)
        case 1: return CampaignID(incarnation: campaign.incarnation, round: campaign.round &+ 1)
        case 2: return CampaignID(incarnation: 0, round: 0)
        default: return CampaignID(incarnation: random.next(), round: random.next())
        }
    }

    /// Mostly small payloads; one in twenty of a page, one in two hundred above the
    /// proposal limit.
    private mutating func payload() -> [UInt8] {
        let roll = index(200)
        let size = roll == 0 ? RaftLimits.proposalPayloadBytesMax + 1 : roll < 10 ? 4096 : [0, 1, 7, 64][index(4)]
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    // MARK: Bytes

    private mutating func mutateBytes(_ bytes: inout [UInt8]) {
        switch index(5) {
        case 0:
            for _ in 0..<(1 + index(4)) { bytes[index(bytes.count)] ^= UInt8(1 << index(8)) }
        case 1:
            bytes[index(bytes.count)] = [0x00, 0xFF, 0x7F, 0x80][index(4)]
        case 2:
            bytes.removeLast(index(bytes.count))
        case 3:
            bytes += (0..<(1 + index(16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        default:
            // The length prefix: shorter or longer than the frame, or past the frame limit.
            let length = [0, 1, 2, UInt32(bytes.count), UInt32(RuntimeLimits.frameBytesMax), .max][index(6)]
            withUnsafeBytes(of: length.bigEndian) { for offset in 0..<4 { bytes[offset] = $0[offset] } }
        }
    }

    private mutating func index(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    private mutating func chance(_ probability: Double) -> Bool {
        Double(random.next() >> 11) / Double(1 << 53) < probability
    }
}
