import NIOCore
import RaftCore
import RaftRuntime

/// One frame of every kind and variant, with payloads that exercise lengths and binary bytes.
enum WireSamples {
    static let entries = [
        Entry(term: 7, request: 0, payload: []),
        Entry(term: 7, request: 42, payload: [0, 1, 2, 255]),
        Entry(term: 8, request: .max, payload: [UInt8](repeating: 0xAB, count: 300)),
    ]

    static let messages: [Message] = [
        Message(from: 0, to: 63, term: 1, body: .voteRequest(VoteRequest(logLength: 12, lastLogTerm: 3, preVote: true, campaign: CampaignID(incarnation: 1, round: 0)))),
        Message(from: 1, to: 2, term: .max, body: .voteRequest(VoteRequest(logLength: 0, lastLogTerm: 0, preVote: false, campaign: CampaignID(incarnation: 1, round: 0)))),
        Message(from: 2, to: 1, term: 9, body: .voteResponse(VoteResponse(granted: true, preVote: false, campaign: CampaignID(incarnation: 1, round: 0)))),
        Message(from: 2, to: 1, term: 9, body: .voteResponse(VoteResponse(granted: false, preVote: true, campaign: CampaignID(incarnation: 1, round: 0)))),
        Message(from: 3, to: 4, term: 8, body: .logRequest(LogRequest(prefixLength: 100, prefixTerm: 6, leaderCommit: 99, suffix: entries))),
        Message(from: 3, to: 4, term: 8, body: .logRequest(LogRequest(prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: []))),
        Message(from: 4, to: 3, term: 8, body: .logResponse(LogResponse(ack: 103, success: true, conflictHint: 0))),
        Message(from: 4, to: 3, term: 8, body: .logResponse(LogResponse(ack: 0, success: false, conflictHint: 57, conflictTerm: 6))),
        Message(from: 5, to: 0, term: 2, body: .forward(Forward(proposals: [Proposal(request: 1, payload: [9], origin: 5),
                                                                         Proposal(request: 2, payload: [], origin: 63)], hops: 3))),
        Message(from: 0, to: 5, term: 2, body: .forwardRejected(ForwardRejected(rejections: [
            .init(request: 1, reason: .tooManyUncommitted), .init(request: 2, reason: .duplicate(index: 17)),
            .init(request: 3, reason: .payloadTooLarge(bytes: 70_000))]))),
        Message(from: 1, to: 2, term: 4, body: .voteRequest(VoteRequest(logLength: 9, lastLogTerm: 4, preVote: false,
                                                                        campaign: CampaignID(incarnation: 2, round: 0), transfer: true))),
        Message(from: 0, to: 1, term: 5, body: .snapshotChunk(SnapshotChunk(index: 40, snapshotTerm: 4, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 300, offset: 100,
                                                                            bytes: [UInt8](repeating: 7, count: 200)))),
        Message(from: 1, to: 0, term: 5, body: .snapshotResponse(SnapshotResponse(index: 40, receivedBytes: 300, installed: true))),
        Message(from: 0, to: 2, term: 5, body: .timeoutNow),
    ]

    static let frames: [WireFrame] = messages.map(WireFrame.raft) + [
        .hello(node: 0, clusterID: 0),
        .hello(node: 63, clusterID: 0xDEAD_BEEF_CAFE_F00D),
        .propose(request: 77, payload: Array("dinner at eight".utf8)),
        .propose(request: 1, payload: []),
        .statusRequest,
        .committed(request: 77, index: 1234),
        .answered(request: 77, index: 1235, reply: Array("ok".utf8)),
        .answered(request: 78, index: 1, reply: [0]),
        .rejected(request: 78, reason: RaftError.rejected(.tooManyUncommitted)),
        .rejected(request: 79, reason: RaftError.rejected(.duplicate(index: 40))),
        .rejected(request: 80, reason: RaftError.timedOut),
        .redirect(request: 81, leader: 4),
        .redirect(request: 82, leader: nil),
        .status(NodeStatus(id: 2, role: .leader, term: 12, leader: 2, commitIndex: 40, lastIndex: 41,
                           configuration: Configuration(voters: NodeSet([0, 1, 2]), learners: NodeSet([7])), configurationIndex: 38)),
        .status(NodeStatus(id: 0, role: .follower, term: 0, leader: nil, commitIndex: 0, lastIndex: 0)),
        .status(NodeStatus(id: 1, role: .preCandidate, term: 3, leader: nil, commitIndex: 5, lastIndex: 9)),
        .status(NodeStatus(id: 1, role: .candidate, term: 4, leader: nil, commitIndex: 5, lastIndex: 9)),
        .control(.dropPeers(peers: NodeSet([1, 3, 63]), direction: .inbound)),
        .control(.dropPeers(peers: NodeSet([0]), direction: .outbound)),
        .control(.dropPeers(peers: NodeSet(), direction: .both)),
        .control(.heal),
        .transferLeader(to: 3),
        .changeMembership(.addLearner(4)),
        .changeMembership(.promote(4)),
        .changeMembership(.remove(0)),
        .membershipAnswer(.appended(index: 77)),
        .membershipAnswer(.refused(reason: "the change at index 70 is not committed yet; one change at a time")),
    ]
}

/// Encoding and decoding helpers over plain byte arrays.
enum WireBytes {
    static func encode(_ frame: WireFrame) throws -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try frame.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Decodes one frame from `bytes`; nil when more bytes are needed.
    static func decode(_ bytes: [UInt8]) throws -> WireFrame? {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return try FrameDecoder.decodeFrame(from: &buffer)
    }

    /// A raw frame: big-endian u32 length, version, kind, body.
    static func frame(kind: UInt8, body: [UInt8], version: UInt8 = WireFrame.version) -> [UInt8] {
        be(UInt32(body.count + 2)) + [version, kind] + body
    }

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}

/// Draws for the randomized wire tests (RaftCore's seeded generator, so a seed replays a run).
extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
