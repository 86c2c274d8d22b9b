import NIOCore
import RaftCore

extension WireFrame {
    /// Decodes the body of a `kind` frame (the bytes after the kind byte, exactly). Strict:
    /// every tag known, node ids in range, counts bounded before anything is allocated,
    /// integers that must fit an `Int` do, no trailing bytes.
    static func decodeBody(_ body: ByteBuffer, kind: FrameKind) throws -> WireFrame {
        var reader = WireReader(body: body, kind: kind)
        let frame: WireFrame
        switch kind {
        case .hello:
            let clusterID = try reader.integer(UInt64.self, "cluster id")
            frame = .hello(node: try reader.nodeID("node id"), clusterID: clusterID)
        case .raft:
            frame = .raft(try decodeMessage(&reader))
        case .propose:
            let request = try reader.integer(UInt64.self, "request id")
            frame = .propose(request: request, payload: try reader.payload("payload"))
        case .statusRequest:
            frame = .statusRequest
        case .committed:
            let request = try reader.integer(UInt64.self, "request id")
            frame = .committed(request: request, index: try reader.count("index"))
        case .answered:
            let request = try reader.integer(UInt64.self, "request id")
            let index = try reader.count("index")
            frame = .answered(request: request, index: index, reply: try reader.payload("reply"))
        case .rejected:
            let request = try reader.integer(UInt64.self, "request id")
            frame = .rejected(request: request, reason: try reader.rejection())
        case .redirect:
            let request = try reader.integer(UInt64.self, "request id")
            frame = .redirect(request: request, leader: try reader.optionalNodeID("leader"))
        case .status:
            let node = try reader.nodeID("node id")
            let at = reader.offset
            let roleTag = try reader.integer(UInt8.self, "role")
            guard let role = WireTags.role(ofTag: roleTag) else {
                throw reader.failure("role", "role tag \(roleTag) (expected 1 follower, 2 precandidate, 3 candidate, 4 leader)", at: at)
            }
            let term = try reader.integer(UInt64.self, "term")
            let leader = try reader.optionalNodeID("leader")
            let commitIndex = try reader.count("commit index")
            let lastIndex = try reader.count("last index")
            let votersAt = reader.offset
            let voters = NodeSet(bits: try reader.integer(UInt64.self, "voters"))
            let learners = NodeSet(bits: try reader.integer(UInt64.self, "learners"))
            guard voters.intersection(learners).isEmpty else {
                throw reader.failure("learners", "servers \(voters.intersection(learners)) are both voters and learners", at: votersAt)
            }
            let configurationIndex = try reader.count("configuration index")
            frame = .status(NodeStatus(id: node, role: role, term: term, leader: leader, commitIndex: commitIndex, lastIndex: lastIndex,
                                       configuration: Configuration(voters: voters, learners: learners),
                                       configurationIndex: configurationIndex))
        case .control:
            frame = .control(try decodeControl(&reader))
        case .transferLeader:
            frame = .transferLeader(to: try reader.nodeID("target"))
        case .changeMembership:
            let at = reader.offset
            let tag = try reader.integer(UInt8.self, "change")
            let server = try reader.nodeID("server")
            guard let change = WireTags.membershipChange(tag: tag, server: server) else {
                throw reader.failure("change", "change tag \(tag) (expected 1 add-learner, 2 promote, 3 remove)", at: at)
            }
            frame = .changeMembership(change)
        case .membershipAnswer:
            let at = reader.offset
            switch try reader.integer(UInt8.self, "outcome") {
            case 1: frame = .membershipAnswer(.appended(index: try reader.count("index")))
            case 2:
                let length = Int(try reader.integer(UInt32.self, "reason length"))
                frame = .membershipAnswer(.refused(reason: try reader.utf8("reason", length: length)))
            case let tag: throw reader.failure("outcome", "outcome tag \(tag) (expected 1 appended, 2 refused)", at: at)
            }
        }
        try reader.requireEnd()
        return frame
    }

    private static func decodeControl(_ reader: inout WireReader) throws -> ControlCommand {
        let at = reader.offset
        let tag = try reader.integer(UInt8.self, "command")
        switch WireTags.Control(rawValue: tag) {
        case .dropPeers:
            let maskAt = reader.offset
            let mask = try reader.integer(UInt64.self, "peers")
            if RaftLimits.clusterSizeMax < 64 && mask >> UInt64(RaftLimits.clusterSizeMax) != 0 {
                throw reader.failure("peers", "names a node id outside 0..<\(RaftLimits.clusterSizeMax)", at: maskAt)
            }
            let ids = (0..<64).filter { mask & (1 << UInt64($0)) != 0 }
            let directionAt = reader.offset
            let directionTag = try reader.integer(UInt8.self, "direction")
            guard let direction = TrafficDirection(rawValue: directionTag) else {
                throw reader.failure("direction", "direction tag \(directionTag) (expected 1 inbound, 2 outbound, 3 both)", at: directionAt)
            }
            return .dropPeers(peers: NodeSet(ids), direction: direction)
        case .heal:
            return .heal
        case nil:
            throw reader.failure("command", "command tag \(tag) (expected 1 drop-peers or 2 heal)", at: at)
        }
    }

    private static func decodeMessage(_ reader: inout WireReader) throws -> Message {
        let from = try reader.nodeID("from")
        let to = try reader.nodeID("to")
        let term = try reader.integer(UInt64.self, "term")
        let at = reader.offset
        let tag = try reader.integer(UInt8.self, "message type")
        let body: Message.Body
        switch WireTags.MessageBody(rawValue: tag) {
        case .voteRequest:
            let logLength = try reader.count("log length")
            let lastLogTerm = try reader.integer(UInt64.self, "last log term")
            let flagsAt = reader.offset
            let flags = try reader.integer(UInt8.self, "vote flags")
            guard flags & ~(WireTags.preVoteFlag | WireTags.transferFlag) == 0 else {
                throw reader.failure("vote flags", "flags \(flags) (expected bits 0 pre-vote and 1 transfer only)", at: flagsAt)
            }
            body = .voteRequest(VoteRequest(logLength: logLength, lastLogTerm: lastLogTerm, preVote: flags & WireTags.preVoteFlag != 0,
                                            campaign: try reader.campaign(), transfer: flags & WireTags.transferFlag != 0))
        case .voteResponse:
            let granted = try reader.bool("granted")
            let preVote = try reader.bool("pre-vote")
            body = .voteResponse(VoteResponse(granted: granted, preVote: preVote, campaign: try reader.campaign()))
        case .logRequest:
            let prefixLength = try reader.count("prefix length")
            let prefixTerm = try reader.integer(UInt64.self, "prefix term")
            let leaderCommit = try reader.count("leader commit")
            let count = try reader.elementCount("entry count", elementBytesMin: WireTags.entryHeaderBytes)
            var suffix: [Entry] = []
            suffix.reserveCapacity(count)
            for position in 0..<count {
                let entryTerm = try reader.integer(UInt64.self, "entry \(position) term")
                let request = try reader.integer(UInt64.self, "entry \(position) request id")
                suffix.append(Entry(term: entryTerm, request: request, payload: try reader.payload("entry \(position) payload")))
            }
            body = .logRequest(LogRequest(prefixLength: prefixLength, prefixTerm: prefixTerm, leaderCommit: leaderCommit, suffix: suffix))
        case .logResponse:
            let ack = try reader.count("ack")
            let success = try reader.bool("success")
            let conflictHint = try reader.count("conflict hint")
            body = .logResponse(LogResponse(ack: ack, success: success, conflictHint: conflictHint,
                                            conflictTerm: try reader.integer(UInt64.self, "conflict term")))
        case .forward:
            let hopsAt = reader.offset
            let hops = Int(try reader.integer(UInt8.self, "hops"))
            guard hops <= RaftLimits.forwardHopsMax else {
                throw reader.failure("hops", "\(hops) exceeds forwardHopsMax \(RaftLimits.forwardHopsMax)", at: hopsAt)
            }
            let count = try reader.elementCount("proposal count", elementBytesMin: WireTags.proposalHeaderBytes)
            var proposals: [Proposal] = []
            proposals.reserveCapacity(count)
            for position in 0..<count {
                let request = try reader.integer(UInt64.self, "proposal \(position) request id")
                let origin = try reader.nodeID("proposal \(position) origin")
                proposals.append(Proposal(request: request, payload: try reader.payload("proposal \(position) payload"), origin: origin))
            }
            body = .forward(Forward(proposals: proposals, hops: hops))
        case .forwardRejected:
            let count = try reader.elementCount("rejection count", elementBytesMin: WireTags.rejectionBytes)
            var rejections: [ForwardRejected.Rejection] = []
            rejections.reserveCapacity(count)
            for position in 0..<count {
                let request = try reader.integer(UInt64.self, "rejection \(position) request id")
                guard case .rejected(let reason) = try reader.rejection() else {
                    throw reader.failure("rejection \(position) code", "a forwarded proposal cannot time out")
                }
                rejections.append(ForwardRejected.Rejection(request: request, reason: reason))
            }
            body = .forwardRejected(ForwardRejected(rejections: rejections))
        case .snapshotChunk:
            let index = try reader.count("snapshot index")
            let snapshotTerm = try reader.integer(UInt64.self, "snapshot term")
            let votersAt = reader.offset
            let voters = NodeSet(bits: try reader.integer(UInt64.self, "snapshot voters"))
            let learners = NodeSet(bits: try reader.integer(UInt64.self, "snapshot learners"))
            guard voters.intersection(learners).isEmpty else {
                throw reader.failure("snapshot learners", "servers \(voters.intersection(learners)) are both voters and learners", at: votersAt)
            }
            let configuration = Configuration(voters: voters, learners: learners)
            let totalBytes = try reader.count("snapshot bytes")
            let offset = try reader.count("chunk offset")
            body = .snapshotChunk(SnapshotChunk(index: index, snapshotTerm: snapshotTerm, configuration: configuration,
                                                totalBytes: totalBytes, offset: offset,
                                                bytes: try reader.payload("chunk bytes")))
        case .snapshotResponse:
            let index = try reader.count("snapshot index")
            let received = try reader.count("received bytes")
            body = .snapshotResponse(SnapshotResponse(index: index, receivedBytes: received, installed: try reader.bool("installed")))
        case .timeoutNow:
            body = .timeoutNow
        case nil:
            throw reader.failure("message type", "message type \(tag) (expected 1...9)", at: at)
        }
        return Message(from: from, to: to, term: term, body: body)
    }
}
