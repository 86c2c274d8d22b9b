/// Message validation: nothing a peer sends reaches a precondition of the core.
///
/// Checks come in two kinds. `problem(with:)` looks at a message on its own (and at the
/// member list) before the node changes anything; the handlers check what only the node's
/// state can tell (`secondLeader`, `truncatesCommitted`, `ackBeyondLog`) at the point where
/// they would trust it, again before changing anything. Either way the node drops the
/// message whole with `drop(_:_:)`.
extension RaftNode {
    /// What is wrong with `message` on its face, or `nil`: the checks that need no state but
    /// the member list.
    public func problem(with message: Message) -> InvalidMessage? {
        guard message.to == id else { return .wrongReceiver }
        // Any server may write: one joining or leaving the cluster talks with its members.
        guard message.from != id, message.from >= 0, message.from < RaftLimits.clusterSizeMax else { return .unknownSender }
        guard message.term <= RaftLimits.termMax else { return .termTooLarge }
        switch message.body {
        case .voteRequest(let request):
            guard request.logLength >= 0 else { return .negativeNumber }
            guard request.lastLogTerm <= message.term, (request.logLength == 0) == (request.lastLogTerm == 0) else {
                return .inconsistentVoteRequest
            }
        case .voteResponse:
            break
        case .logRequest(let request):
            guard request.prefixLength >= 0, request.leaderCommit >= 0 else { return .negativeNumber }
            guard request.prefixTerm <= message.term, (request.prefixLength == 0) == (request.prefixTerm == 0) else {
                return .prefixTermBeyondTerm
            }
            guard request.suffix.count <= RaftLimits.entriesPerMessageMax else { return .tooManyEntries }
            var previousTerm = request.prefixTerm
            for entry in request.suffix {
                guard entry.term >= 1, entry.term <= message.term else { return .entryTermBeyondTerm }
                guard entry.term >= previousTerm else { return .entryTermsDecrease }
                guard !entry.isMalformedProtocolEntry else { return .malformedConfiguration }
                previousTerm = entry.term
            }
        case .logResponse(let response):
            guard response.ack >= 0, response.conflictHint >= 0 else { return .negativeNumber }
            guard response.conflictTerm <= message.term else { return .hintTermBeyondTerm }
        case .forward(let forward):
            guard forward.hops >= 0 else { return .negativeNumber }
            guard forward.hops <= RaftLimits.forwardHopsMax,
                  forward.proposals.count <= RaftLimits.entriesPerMessageMax,
                  forward.proposals.allSatisfy({ $0.origin.map { $0 >= 0 && $0 < RaftLimits.clusterSizeMax } ?? false }) else {
                return .invalidForward
            }
        case .forwardRejected(let rejected):
            guard rejected.rejections.count <= RaftLimits.entriesPerMessageMax else { return .invalidForward }
        case .snapshotChunk(let chunk):
            guard chunk.index >= 1, chunk.snapshotTerm >= 1, chunk.snapshotTerm <= message.term,
                  chunk.offset >= 0, chunk.totalBytes >= 0, chunk.totalBytes <= RaftLimits.snapshotBytesMax,
                  chunk.offset <= chunk.totalBytes, chunk.bytes.count <= chunk.totalBytes - chunk.offset else {
                return .invalidSnapshotChunk
            }
            guard !chunk.configuration.voters.isEmpty else { return .malformedConfiguration }
        case .snapshotResponse(let response):
            guard response.index >= 1, response.receivedBytes >= 0 else { return .negativeNumber }
        case .timeoutNow:
            break
        }
        return nil
    }

    /// Drops `message` for `reason`: the driver counts and logs it, the trace records it.
    mutating func drop(_ message: Message, _ reason: InvalidMessage) {
        emit(.dropMessage(from: message.from, reason: reason))
        trace(.messageDropped(from: message.from, reason: reason))
    }

    /// The first index at which `suffix`, placed after the first `prefix` entries, disagrees
    /// with this log (the entry a follower would truncate from), if any.
    func firstConflict(of suffix: [Entry], after prefix: Int) -> Int? {
        var offset = 0
        while offset < suffix.count {
            let index = prefix + offset + 1
            if index > log.lastIndex { return nil }
            if log.term(at: index) != suffix[offset].term { return index }
            offset += 1
        }
        return nil
    }
}
