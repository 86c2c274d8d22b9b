/// Generic message handling: terms first, then the per-message handler (etcd's `Step`).
extension RaftNode {
    /// Whether this node heard from a live leader within the current election timeout and
    /// so ignores vote requests (check-quorum's lease). A follower's `leaderID` is cleared
    /// when its election timer fires, so a known leader means "heard from it recently".
    var isInLeaderLease: Bool { options.checkQuorum && leaderID != nil }

    mutating func receive(_ message: Message) {
        if let problem = problem(with: message) {
            drop(message, problem)
            return
        }

        if message.term > currentTerm {
            switch message.body {
            case .voteRequest(let request) where isInLeaderLease && !request.transfer:
                // A disruptive candidate (or pre-candidate) while our leader is alive: ignore.
                _ = request
                trace(.voteIgnoredInLease(candidate: message.from))
                return
            case .voteRequest(let request) where request.preVote:
                break // a pre-vote never changes anyone's term
            case .voteResponse(let response) where response.preVote && response.granted:
                break // the granted pre-vote echoes the term we would campaign in
            case .voteRequest:
                adoptTerm(message.term, leader: nil, resetsTimer: options.rearmTimers)
            case .logRequest, .snapshotChunk:
                adoptTerm(message.term, leader: message.from, resetsTimer: true)
            case .voteResponse, .logResponse, .forward, .forwardRejected, .snapshotResponse, .timeoutNow:
                adoptTerm(message.term, leader: nil, resetsTimer: true)
            }
        }

        switch message.body {
        case .voteRequest(let request):
            handleVoteRequest(request, from: message.from, term: message.term)
        case .voteResponse(let response):
            handleVoteResponse(response, from: message.from, term: message.term)
        case .logRequest(let request):
            handleLogRequest(message, request)
        case .logResponse(let response):
            handleLogResponse(message, response)
        case .forward(let forward):
            propose(forward.proposals, hops: forward.hops)
        case .forwardRejected(let rejected):
            handleForwardRejected(rejected)
        case .snapshotChunk(let chunk):
            handleSnapshotChunk(message, chunk)
        case .snapshotResponse(let response):
            handleSnapshotResponse(message, response)
        case .timeoutNow:
            handleTimeoutNow(from: message.from, term: message.term)
        }
    }

    /// Moves to a higher term as a follower, forgetting the vote (persisted before anything
    /// that follows leaves).
    mutating func adoptTerm(_ term: Term, leader: NodeID?, resetsTimer: Bool) {
        precondition(term > currentTerm, "terms only move forward (\(currentTerm) -> \(term))")
        let previous = currentTerm
        currentTerm = term
        votedFor = nil
        campaign = CampaignID(incarnation: incarnation, round: 0)
        emit(.persist(.hardState(term: currentTerm, votedFor: nil)))
        trace(.termChanged(from: previous))
        if options.mutant == .noStepDownOnHigherTerm && role != .follower { return }
        becomeFollower(leader: leader)
        if resetsTimer { resetElectionTimer() }
    }

    /// Becomes (or stays) a follower of `leader` in the current term.
    mutating func becomeFollower(leader: NodeID?) {
        transferTarget = nil // stepping down ends a transfer, whoever leads next
        if role != .follower {
            let previous = role
            role = .follower
            trace(.roleChanged(from: previous, to: .follower))
        }
        votesReceived.removeAll()
        recentlyActive.removeAll()
        if leaderID != leader {
            leaderID = leader
            if leader != nil { flushBufferedProposals() }
        }
    }
}
