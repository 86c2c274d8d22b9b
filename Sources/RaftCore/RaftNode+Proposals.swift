/// Client proposals: append at the leader, forward from a follower, buffer while no leader is known.
extension RaftNode {
    /// Handles proposals submitted here (`hops == 0`) or forwarded by a peer.
    mutating func propose(_ proposals: [Proposal], hops: Int) {
        var valid: [Proposal] = []
        valid.reserveCapacity(proposals.count)
        for proposal in proposals {
            if proposal.request == 0 {
                reject(proposal.request, .invalidRequestID)
            } else if proposal.payload.count > options.proposalPayloadBytesMax {
                reject(proposal.request, .payloadTooLarge(bytes: proposal.payload.count))
            } else {
                valid.append(proposal)
            }
        }
        guard !valid.isEmpty else { return }
        if role == .leader {
            appendProposals(valid)
            replicateToAll(isHeartbeat: false) // (a single-node cluster commits on `.persisted`)
        } else if let leader = leaderID, hops < RaftLimits.forwardHopsMax {
            forward(valid, to: leader, hops: hops + 1)
        } else if leaderID != nil {
            for proposal in valid { reject(proposal.request, .tooManyHops) }
        } else {
            buffer(valid)
        }
    }

    /// Appends new client requests to the leader's log; refuses duplicates and overload.
    /// `quietDuplicates`: a proposal this node forwarded earlier and now finds in its own log
    /// is simply dropped (nobody waits for a rejection).
    mutating func appendProposals(_ proposals: [Proposal], quietDuplicates: Bool = false) {
        precondition(role == .leader)
        var entries: [Entry] = []
        entries.reserveCapacity(proposals.count)
        var indexInBatch: [RequestID: Int] = [:]
        for proposal in proposals {
            if let index = log.index(of: proposal.request) ?? indexInBatch[proposal.request] {
                if !quietDuplicates { reject(proposal.request, .duplicate(index: index)) }
            } else if log.lastIndex + entries.count - commitIndex >= options.uncommittedEntriesMax {
                reject(proposal.request, .tooManyUncommitted)
            } else {
                entries.append(Entry(term: currentTerm, request: proposal.request, payload: proposal.payload))
                indexInBatch[proposal.request] = log.lastIndex + entries.count
                trace(.proposed(request: proposal.request, index: log.lastIndex + entries.count))
            }
        }
        appendToLog(entries)
    }

    private mutating func buffer(_ proposals: [Proposal]) {
        let room = max(0, options.bufferedProposalsMax - bufferedProposals.count)
        let kept = proposals.prefix(room)
        if !kept.isEmpty {
            bufferedProposals.append(contentsOf: kept)
            trace(.buffered(count: kept.count))
        }
        for proposal in proposals.dropFirst(room) { reject(proposal.request, .bufferFull) }
    }

    /// A leader became known: pass on what waited for it, and again what went to an earlier
    /// leader without showing up in this log since.
    mutating func flushBufferedProposals() {
        guard let leader = leaderID, leader != id else { return }
        let waiting = takeWaitingProposals()
        guard !waiting.isEmpty else { return }
        forward(waiting, to: leader, hops: 1)
    }

    /// Proposals this node holds for a leader it may become: buffered ones and forwarded ones
    /// not yet in its log (the log's request check drops those already appended).
    mutating func takeWaitingProposals() -> [Proposal] {
        let waiting = unconfirmedForwards + bufferedProposals
        bufferedProposals = []
        unconfirmedForwards = []
        return waiting
    }

    /// Entries from `firstIndex` on just reached this node's log: forwarded proposals among
    /// them are confirmed. The log's request table (latest index per request) answers that
    /// without building a set per append.
    mutating func confirmForwards(appendedFrom firstIndex: Int) {
        guard !unconfirmedForwards.isEmpty else { return }
        unconfirmedForwards.removeAll { (log.index(of: $0.request) ?? 0) >= firstIndex }
    }

    /// Sends `proposals` to `leader` in messages of at most `appendPayloadBytesMax` payload
    /// bytes and `RaftLimits.entriesPerMessageMax` proposals each (like log requests), so no
    /// forward outgrows a wire frame or what a receiver accepts.
    private mutating func forward(_ proposals: [Proposal], to leader: NodeID, hops: Int) {
        var start = 0
        while start < proposals.count {
            var end = start
            var bytes = 0
            while end < proposals.count && end - start < RaftLimits.entriesPerMessageMax
                    && (end == start || bytes + proposals[end].payload.count <= options.appendPayloadBytesMax) {
                bytes += proposals[end].payload.count
                end += 1
            }
            sendMessage(.forward(Forward(proposals: Array(proposals[start..<end]), hops: hops)), to: leader)
            trace(.forwarded(count: end - start, to: leader))
            start = end
        }
        guard options.reforwardsOnLeaderChange else { return }
        unconfirmedForwards.append(contentsOf: proposals)
        let excess = unconfirmedForwards.count - options.bufferedProposalsMax
        if excess > 0 { unconfirmedForwards.removeFirst(excess) } // the oldest most likely made it
    }

    private mutating func reject(_ request: RequestID, _ reason: ProposalRejection) {
        emit(.rejectProposal(request, reason))
        trace(.proposalRejected(request: request, reason: reason))
    }
}
