import RaftCore

/// Something in flight on the model's network: a message between servers, or a client's
/// proposal on its way into a server (raft-lite's model starts with each server sending
/// its own id to itself as a broadcast; here that is a client proposal at that server).
public enum NetworkItem: Hashable, Sendable {
    /// A protocol message.
    case message(Message)
    /// A client proposal arriving at server `to`.
    case clientRequest(to: NodeID, Proposal)

    /// The sender: the server that sent the message, or for a client request the server it
    /// arrives at (its queue in an ordered network is the server's queue to itself).
    public var from: NodeID {
        switch self {
        case .message(let message): return message.from
        case .clientRequest(let to, _): return to
        }
    }

    /// The server that receives the item.
    public var to: NodeID {
        switch self {
        case .message(let message): return message.to
        case .clientRequest(let to, _): return to
        }
    }

    /// What the receiving node gets as input.
    public var input: Input {
        switch self {
        case .message(let message): return .receive(message)
        case .clientRequest(_, let proposal): return .propose([proposal])
        }
    }

    /// The item as a delivery label, e.g. `0 → 1 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)`
    /// or `client → 2 Propose(#3"2")`. Every field is shown, so distinct items read differently.
    public var label: String {
        switch self {
        case .message(let message): return "\(message.from) → \(message.to) \(Labels.body(message))"
        case .clientRequest(let to, let proposal): return "client → \(to) Propose(\(Labels.proposal(proposal)))"
        }
    }
}

/// Readable, unambiguous text for the protocol's values.
public enum Labels {
    /// A message body with its term, e.g. `LogResponse(term: 1, ack: 1, success: true, conflictHint: 0)`.
    public static func body(_ message: Message) -> String {
        let term = message.term
        switch message.body {
        case .voteRequest(let request):
            return "\(request.preVote ? "PreVoteRequest" : "VoteRequest")(term: \(term), logLength: \(request.logLength), lastLogTerm: \(request.lastLogTerm)\(campaign(request.campaign))\(request.transfer ? ", transfer: true" : ""))"
        case .voteResponse(let response):
            return "\(response.preVote ? "PreVoteResponse" : "VoteResponse")(term: \(term), granted: \(response.granted)\(campaign(response.campaign)))"
        case .logRequest(let request):
            return "LogRequest(term: \(term), prefixLength: \(request.prefixLength), prefixTerm: \(request.prefixTerm), leaderCommit: \(request.leaderCommit), suffix: \(entries(request.suffix)))"
        case .logResponse(let response):
            let conflictTerm = response.conflictTerm == 0 ? "" : ", conflictTerm: \(response.conflictTerm)"
            return "LogResponse(term: \(term), ack: \(response.ack), success: \(response.success), conflictHint: \(response.conflictHint)\(conflictTerm))"
        case .forward(let forward):
            return "Forward(term: \(term), hops: \(forward.hops), proposals: [\(forward.proposals.map(proposal).joined(separator: ", "))])"
        case .forwardRejected(let rejected):
            let rejections = rejected.rejections.map { "\($0.request): \($0.reason.name)" }
            return "ForwardRejected(term: \(term), rejections: [\(rejections.joined(separator: ", "))])"
        case .snapshotChunk(let chunk):
            return "SnapshotChunk(term: \(term), index: \(chunk.index), snapshotTerm: \(chunk.snapshotTerm), offset: \(chunk.offset), bytes: \(chunk.bytes.count) of \(chunk.totalBytes))"
        case .timeoutNow:
            return "TimeoutNow(term: \(term))"
        case .snapshotResponse(let response):
            return "SnapshotResponse(term: \(term), index: \(response.index), receivedBytes: \(response.receivedBytes), installed: \(response.installed))"
        }
    }

    /// `, campaign: <incarnation>.<round>`, or nothing for a first incarnation's real election
    /// (`1.0`, the only campaign raft-lite's model has), so that its paths read as before.
    public static func campaign(_ campaign: CampaignID) -> String {
        campaign == CampaignID(incarnation: 1, round: 0) ? "" : ", campaign: \(campaign)"
    }

    /// Entries as `[t1#1"0", t2#0""]`: term, request id, payload.
    public static func entries(_ entries: [Entry]) -> String {
        "[" + entries.map(entry).joined(separator: ", ") + "]"
    }

    /// One entry as `t<term>#<request>"<payload>"`; a configuration as
    /// `t<term>#config{voters {…} learners {…}}`.
    public static func entry(_ entry: Entry) -> String {
        if let configuration = entry.configuration { return "t\(entry.term)#config{\(configuration)}" }
        return "t\(entry.term)#\(entry.request)\(payload(entry.payload))"
    }

    /// A proposal as `#<request>"<payload>"`.
    public static func proposal(_ proposal: Proposal) -> String {
        "#\(proposal.request)\(payload(proposal.payload))"
    }

    /// Bytes in quotes: printable ASCII as is, `"`, `\` and anything else as `\xNN`.
    public static func payload(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return text + "\""
    }
}
