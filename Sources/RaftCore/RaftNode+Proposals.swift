/// Client proposals: append at the leader, forward from a follower, buffer while no leader is known.
extension RaftNode {
    /// Handles proposals submitted here (`hops == 0`) or forwarded by a peer.
    mutating func propose(_ proposals: [Proposal], hops: Int) {
        var valid: [Proposal] = []
        valid.reserveCapacity(proposals.count)
        for proposal in proposals {
            if proposal.request == 0 {
                reject(proposal, .invalidRequestID)
            } else if proposal.payload.count > options.proposalPayloadBytesMax {
                reject(proposal, .payloadTooLarge(bytes: proposal.payload.count))
            } else {
                valid.append(proposal)
            }
        }
        guard !valid.isEmpty else { return }
        if hops > 0 && role != .leader && options.reforwardsOnLeaderChange {
            // Forwarded here, but this node does not lead (it restarted or stepped down since
            // the forward left). Each proposal's origin keeps it until it shows up in its log
            // and forwards it again to the leader it learns of; passing it on from here too
            // would give it a second life that a leader which compacted the first copy away
            // cannot recognise, and it would commit twice.
            valid.removeAll { $0.origin != id }
            guard !valid.isEmpty else { return }
        }
        if role == .leader && transferTarget == nil {
            appendProposals(valid)
            replicateToAll(isHeartbeat: false) // (a single-node cluster commits on `.persisted`)
        } else if role == .leader {
            buffer(valid) // handing leadership over: they wait for the next leader
        } else if let leader = leaderID, hops < RaftLimits.forwardHopsMax {
            forward(valid, to: leader, hops: hops + 1)
        } else if leaderID != nil {
            for proposal in valid { reject(proposal, .tooManyHops) }
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
                if !quietDuplicates { reject(proposal, .duplicate(index: index)) }
            } else if log.lastIndex + entries.count - commitIndex >= options.uncommittedEntriesMax {
                reject(proposal, .tooManyUncommitted)
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
        for proposal in proposals.dropFirst(room) { reject(proposal, .bufferFull) }
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
        var proposals = proposals
        for position in proposals.indices where proposals[position].origin == nil { proposals[position].origin = id }
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

    /// Refuses `proposal`: its client hears of it here (`.rejectProposal`) when it is this
    /// node's, or through a `ForwardRejected` to its origin at the end of the step.
    private mutating func reject(_ proposal: Proposal, _ reason: ProposalRejection) {
        let origin = proposal.origin ?? id
        if origin == id { emit(.rejectProposal(proposal.request, reason)) }
        trace(.proposalRejected(request: proposal.request, reason: reason))
        if origin != id {
            pendingRejections.append(PendingRejection(origin: origin, rejection: .init(request: proposal.request, reason: reason)))
        }
    }

    /// Sends the refusals of this step's forwarded proposals to their origins, one message
    /// per origin (split at `RaftLimits.entriesPerMessageMax`).
    mutating func sendPendingRejections() {
        let pending = pendingRejections
        pendingRejections = []
        var origins: [NodeID] = []
        for item in pending where !origins.contains(item.origin) { origins.append(item.origin) }
        for origin in origins {
            let rejections = pending.filter { $0.origin == origin }.map(\.rejection)
            var start = 0
            while start < rejections.count {
                let end = min(rejections.count, start + RaftLimits.entriesPerMessageMax)
                sendMessage(.forwardRejected(ForwardRejected(rejections: Array(rejections[start..<end]))), to: origin)
                start = end
            }
        }
    }

    /// A node refused proposals this node forwarded: their clients hear it now. A refused
    /// proposal is not forwarded again, unless it was refused as a duplicate (it is in that
    /// node's log, and may yet be lost with it).
    mutating func handleForwardRejected(_ message: ForwardRejected) {
        for rejection in message.rejections { emit(.rejectProposal(rejection.request, rejection.reason)) }
        guard !unconfirmedForwards.isEmpty else { return }
        var refused = Set<RequestID>()
        for rejection in message.rejections {
            if case .duplicate = rejection.reason { continue }
            refused.insert(rejection.request)
        }
        if !refused.isEmpty { unconfirmedForwards.removeAll { refused.contains($0.request) } }
    }
}
