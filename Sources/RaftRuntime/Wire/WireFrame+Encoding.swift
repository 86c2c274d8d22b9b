import NIOCore
import RaftCore

extension WireFrame {
    /// Appends this frame to `buffer` (one capacity reservation, no other allocation).
    /// Throws `WireError.frameTooLarge`, leaving `buffer` as it was, when the frame would
    /// exceed `RuntimeLimits.frameBytesMax` (a forward of many large proposals can).
    public func encode(into buffer: inout ByteBuffer) throws {
        let bytes = encodedBytes
        guard bytes <= RuntimeLimits.frameBytesMax else {
            throw WireError.frameTooLarge(bytes: bytes, limit: RuntimeLimits.frameBytesMax)
        }
        buffer.reserveCapacity(minimumWritableBytes: bytes)
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(bytes - 4))
        buffer.writeInteger(Self.version)
        buffer.writeInteger(kind.rawValue)
        switch self {
        case .hello(let node, let clusterID):
            buffer.writeInteger(clusterID)
            buffer.writeNodeID(node)
        case .raft(let message):
            buffer.writeMessage(message)
        case .propose(let request, let payload):
            buffer.writeInteger(request)
            buffer.writePayload(payload)
        case .statusRequest:
            break
        case .committed(let request, let index):
            buffer.writeInteger(request)
            buffer.writeCount(index)
        case .answered(let request, let index, let reply):
            buffer.writeInteger(request)
            buffer.writeCount(index)
            buffer.writePayload(reply)
        case .rejected(let request, let reason):
            buffer.writeInteger(request)
            buffer.writeInteger(WireTags.code(of: reason))
            buffer.writeCount(WireTags.detail(of: reason))
        case .redirect(let request, let leader):
            buffer.writeInteger(request)
            buffer.writeOptionalNodeID(leader)
        case .status(let status):
            buffer.writeNodeID(status.id)
            buffer.writeInteger(WireTags.tag(of: status.role))
            buffer.writeInteger(status.term)
            buffer.writeOptionalNodeID(status.leader)
            buffer.writeCount(status.commitIndex)
            buffer.writeCount(status.lastIndex)
            buffer.writeInteger(status.configuration.voters.bits)
            buffer.writeInteger(status.configuration.learners.bits)
            buffer.writeCount(status.configurationIndex)
        case .control(.dropPeers(let peers, let direction)):
            buffer.writeInteger(WireTags.Control.dropPeers.rawValue)
            buffer.writeInteger(peers.bits)
            buffer.writeInteger(direction.rawValue)
        case .control(.heal):
            buffer.writeInteger(WireTags.Control.heal.rawValue)
        case .transferLeader(let to):
            buffer.writeNodeID(to)
        case .changeMembership(let change):
            buffer.writeInteger(WireTags.tag(of: change))
            buffer.writeNodeID(change.server)
        case .membershipAnswer(.appended(let index)):
            buffer.writeInteger(UInt8(1))
            buffer.writeCount(index)
        case .membershipAnswer(.refused(let reason)):
            buffer.writeInteger(UInt8(2))
            buffer.writePayload(Array(reason.utf8))
        }
        assert(buffer.writerIndex - start == bytes, "\(kind) frame: wrote \(buffer.writerIndex - start) bytes, computed \(bytes)")
    }

    /// Bytes this frame takes on the wire, header included (computed without encoding).
    public var encodedBytes: Int {
        let body: Int
        switch self {
        case .hello: body = 8 + 2
        case .raft(let message): body = Self.bytes(of: message)
        case .propose(_, let payload): body = 8 + 4 + payload.count
        case .statusRequest: body = 0
        case .committed: body = 8 + 8
        case .answered(_, _, let reply): body = 8 + 8 + 4 + reply.count
        case .rejected: body = 8 + 1 + 8
        case .redirect(_, let leader): body = 8 + (leader == nil ? 1 : 3)
        case .status(let status): body = 2 + 1 + 8 + (status.leader == nil ? 1 : 3) + 8 + 8 + 8 + 8 + 8
        case .control(.dropPeers): body = 1 + 8 + 1
        case .control(.heal): body = 1
        case .transferLeader: body = 2
        case .changeMembership: body = 1 + 2
        case .membershipAnswer(.appended): body = 1 + 8
        case .membershipAnswer(.refused(let reason)): body = 1 + 4 + reason.utf8.count
        }
        return Self.headerBytes + body
    }

    /// Bytes of a raft frame's fixed part: the frame header, from, to, term, body tag.
    static let messageHeaderBytes = headerBytes + 2 + 2 + 8 + 1

    /// The largest log request frame a node with `options` sends: `entriesPerAppendMax`
    /// entries whose payloads add up to `appendPayloadBytesMax`, or one entry as large as a
    /// proposal may be (the first entry always travels).
    public static func logRequestBytesMax(_ options: ProtocolOptions) -> Int {
        let payload = max(options.appendPayloadBytesMax, options.proposalPayloadBytesMax)
        return messageHeaderBytes + 8 + 8 + 8 + 4 + options.entriesPerAppendMax * WireTags.entryHeaderBytes + payload
    }

    /// The largest forward frame a node with `options` sends: `RaftLimits.entriesPerMessageMax`
    /// proposals whose payloads add up to `appendPayloadBytesMax` (or one proposal as large as
    /// a proposal may be).
    public static func forwardBytesMax(_ options: ProtocolOptions) -> Int {
        let payload = max(options.appendPayloadBytesMax, options.proposalPayloadBytesMax)
        return messageHeaderBytes + 1 + 4 + RaftLimits.entriesPerMessageMax * WireTags.proposalHeaderBytes + payload
    }

    /// Bytes of the largest snapshot chunk frame `options` allow.
    public static func snapshotChunkFrameBytesMax(_ options: ProtocolOptions) -> Int {
        messageHeaderBytes + 8 + 8 + 8 + 8 + 8 + 8 + 4 + options.snapshotChunkBytesMax
    }

    private static func bytes(of message: Message) -> Int {
        let header = messageHeaderBytes - headerBytes
        switch message.body {
        case .voteRequest: return header + 8 + 8 + 1 + 16
        case .voteResponse: return header + 1 + 1 + 16
        case .logRequest(let request):
            var total = header + 8 + 8 + 8 + 4
            for entry in request.suffix { total += WireTags.entryHeaderBytes + entry.payload.count }
            return total
        case .logResponse: return header + 8 + 1 + 8 + 8
        case .forward(let forward):
            var total = header + 1 + 4
            for proposal in forward.proposals { total += WireTags.proposalHeaderBytes + proposal.payload.count }
            return total
        case .forwardRejected(let rejected):
            return header + 4 + rejected.rejections.count * WireTags.rejectionBytes
        case .snapshotChunk(let chunk):
            return header + 8 + 8 + 8 + 8 + 8 + 8 + 4 + chunk.bytes.count
        case .snapshotResponse:
            return header + 8 + 8 + 1
        case .timeoutNow:
            return header
        }
    }
}

extension ByteBuffer {
    /// A campaign id: u64 incarnation, u64 round.
    mutating func writeCampaign(_ campaign: CampaignID) {
        writeInteger(campaign.incarnation)
        writeInteger(campaign.round)
    }

    /// A RaftCore message: from, to, term, body tag, body.
    mutating func writeMessage(_ message: Message) {
        writeNodeID(message.from)
        writeNodeID(message.to)
        writeInteger(message.term)
        switch message.body {
        case .voteRequest(let request):
            writeInteger(WireTags.MessageBody.voteRequest.rawValue)
            writeCount(request.logLength)
            writeInteger(request.lastLogTerm)
            writeInteger((request.preVote ? WireTags.preVoteFlag : 0) | (request.transfer ? WireTags.transferFlag : 0))
            writeCampaign(request.campaign)
        case .voteResponse(let response):
            writeInteger(WireTags.MessageBody.voteResponse.rawValue)
            writeBool(response.granted)
            writeBool(response.preVote)
            writeCampaign(response.campaign)
        case .logRequest(let request):
            writeInteger(WireTags.MessageBody.logRequest.rawValue)
            writeCount(request.prefixLength)
            writeInteger(request.prefixTerm)
            writeCount(request.leaderCommit)
            writeInteger(UInt32(request.suffix.count))
            for entry in request.suffix {
                writeInteger(entry.term)
                writeInteger(entry.request)
                writePayload(entry.payload)
            }
        case .logResponse(let response):
            writeInteger(WireTags.MessageBody.logResponse.rawValue)
            writeCount(response.ack)
            writeBool(response.success)
            writeCount(response.conflictHint)
            writeInteger(response.conflictTerm)
        case .forward(let forward):
            writeInteger(WireTags.MessageBody.forward.rawValue)
            precondition(forward.hops >= 0 && forward.hops <= Int(UInt8.max), "forward hops \(forward.hops)")
            writeInteger(UInt8(forward.hops))
            writeInteger(UInt32(forward.proposals.count))
            for proposal in forward.proposals {
                writeInteger(proposal.request)
                writeNodeID(proposal.origin ?? message.from)
                writePayload(proposal.payload)
            }
        case .forwardRejected(let rejected):
            writeInteger(WireTags.MessageBody.forwardRejected.rawValue)
            writeInteger(UInt32(rejected.rejections.count))
            for rejection in rejected.rejections {
                writeInteger(rejection.request)
                writeInteger(rejection.reason.code)
                writeCount(rejection.reason.detail)
            }
        case .snapshotChunk(let chunk):
            writeInteger(WireTags.MessageBody.snapshotChunk.rawValue)
            writeCount(chunk.index)
            writeInteger(chunk.snapshotTerm)
            writeInteger(chunk.configuration.voters.bits)
            writeInteger(chunk.configuration.learners.bits)
            writeCount(chunk.totalBytes)
            writeCount(chunk.offset)
            writePayload(chunk.bytes)
        case .snapshotResponse(let response):
            writeInteger(WireTags.MessageBody.snapshotResponse.rawValue)
            writeCount(response.index)
            writeCount(response.receivedBytes)
            writeBool(response.installed)
        case .timeoutNow:
            writeInteger(WireTags.MessageBody.timeoutNow.rawValue)
        }
    }

    @inline(__always)
    mutating func writeNodeID(_ id: NodeID) {
        precondition(id >= 0 && id < RaftLimits.clusterSizeMax, "node id \(id) outside 0..<\(RaftLimits.clusterSizeMax)")
        writeInteger(UInt16(id))
    }

    @inline(__always)
    mutating func writeOptionalNodeID(_ id: NodeID?) {
        if let id {
            writeInteger(WireTags.present)
            writeNodeID(id)
        } else {
            writeInteger(WireTags.absent)
        }
    }

    /// A non-negative `Int` (index, length, count) as a u64.
    @inline(__always)
    mutating func writeCount(_ value: Int) {
        precondition(value >= 0, "negative count \(value) on the wire")
        writeInteger(UInt64(value))
    }

    @inline(__always)
    mutating func writeBool(_ value: Bool) { writeInteger(UInt8(value ? 1 : 0)) }

    /// u32 length, then the bytes.
    @inline(__always)
    mutating func writePayload(_ payload: [UInt8]) {
        writeInteger(UInt32(payload.count))
        writeBytes(payload)
    }
}
