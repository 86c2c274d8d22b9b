/// Timers, campaigns, votes and winning an election.
extension RaftNode {
    mutating func handleElectionTimeout() {
        if options.rearmTimers { resetElectionTimer() }
        switch role {
        case .leader:
            abandonTransfer()
            if options.checkQuorum { checkQuorum() }
        case .follower, .preCandidate, .candidate:
            // A learner, a removed server and one still joining wait for the leader's log; the
            // leader they heard of is no longer known (its lease over them ends, and they
            // answer candidates again).
            guard isVoter || mayStillBeNeeded else {
                if role == .follower { leaderID = nil }
                return
            }
            if options.preVote { startPreVote() } else { startElection() }
        }
    }

    /// A leader with check-quorum steps down when fewer than a majority (itself included)
    /// were heard from since the previous check.
    private mutating func checkQuorum() {
        var active = recentlyActive.intersection(configuration.voters)
        if isVoter { active.insert(id) }
        recentlyActive.removeAll()
        if active.count < quorum {
            trace(.lostQuorum(heardFrom: active.count))
            becomeFollower(leader: nil)
        }
    }

    /// Asks whether a majority would vote for us in the next term, without raising ours.
    private mutating func startPreVote() {
        changeRole(to: .preCandidate)
        leaderID = nil
        votesReceived = NodeSet([id])
        campaign = CampaignID(incarnation: incarnation, round: campaign.round + 1)
        if votesCounted >= quorum {
            startElection()
            return
        }
        let request = VoteRequest(logLength: log.lastIndex, lastLogTerm: log.lastTerm, preVote: true, campaign: campaign)
        for peer in otherVoters { sendMessage(.voteRequest(request), to: peer, term: currentTerm + 1) }
    }

    /// Starts an election in a new term, voting for ourselves (durable before the requests
    /// leave: they are `.afterWrite`).
    mutating func startElection(transfer: Bool = false) {
        let previous = currentTerm
        currentTerm += 1
        votedFor = id
        campaign = CampaignID(incarnation: incarnation, round: 0)
        emit(.persist(.hardState(term: currentTerm, votedFor: id)))
        trace(.termChanged(from: previous))
        changeRole(to: .candidate)
        leaderID = nil
        votesReceived = NodeSet([id])
        if votesCounted >= quorum {
            // The only voter wins alone, but leads only once `.persisted` says its term and
            // vote are durable: a leader's log requests leave before its batch's write, and
            // they vouch for its term (a crash must not let it lead the same term twice).
            return
        }
        let request = VoteRequest(logLength: log.lastIndex, lastLogTerm: log.lastTerm, preVote: false, campaign: campaign,
                                  transfer: transfer)
        for peer in otherVoters { sendMessage(.voteRequest(request), to: peer) }
    }

    mutating func changeRole(to newRole: Role) {
        guard role != newRole else { return }
        let previous = role
        role = newRole
        trace(.roleChanged(from: previous, to: newRole))
    }

    /// Whether a candidate whose log has `length` entries ending in `lastTerm` is at least
    /// as up to date as ours (Raft §5.4.1).
    func candidateLogIsUpToDate(length: Int, lastTerm: Term) -> Bool {
        lastTerm > log.lastTerm || (lastTerm == log.lastTerm && length >= log.lastIndex)
    }

    mutating func handleVoteRequest(_ request: VoteRequest, from candidate: NodeID, term: Term) {
        let logIsOK = options.mutant == .grantVoteWithoutLogCheck
            || candidateLogIsUpToDate(length: request.logLength, lastTerm: request.lastLogTerm)
        if request.preVote {
            // etcd: grant when the candidate's log is up to date and it asks for a later term
            // (or for ours, if we neither voted nor know a leader in it).
            let termIsOK = term > currentTerm
                || (term == currentTerm && (votedFor == candidate || (votedFor == nil && leaderID == nil)))
            let granted = logIsOK && termIsOK
            trace(.voted(candidate: candidate, granted: granted, preVote: true))
            sendMessage(.voteResponse(VoteResponse(granted: granted, preVote: true, campaign: request.campaign)),
                        to: candidate, term: granted ? term : currentTerm)
            return
        }
        let granted = term == currentTerm && logIsOK && (votedFor == nil || votedFor == candidate)
            || (options.mutant == .transferVoteUnchecked && request.transfer && term == currentTerm)
        if granted {
            if votedFor == nil {
                votedFor = candidate
                emit(.persist(.hardState(term: currentTerm, votedFor: candidate)))
            }
            if options.rearmTimers { resetElectionTimer() }
        }
        trace(.voted(candidate: candidate, granted: granted, preVote: false))
        sendMessage(.voteResponse(VoteResponse(granted: granted, preVote: false, campaign: request.campaign)), to: candidate)
    }

    /// Counts a grant for the campaign in progress; a grant for another campaign (an earlier
    /// incarnation's, or an earlier pre-vote round's) vouches for a log this node may no
    /// longer have and is ignored.
    mutating func handleVoteResponse(_ response: VoteResponse, from voter: NodeID, term: Term) {
        guard response.granted else { return }
        guard response.campaign == campaign || options.mutant?.ignoresCampaign == true else { return }
        if response.preVote {
            guard role == .preCandidate, term == currentTerm + 1 else { return }
            votesReceived.insert(voter)
            if votesCounted >= quorum { startElection() }
        } else {
            guard role == .candidate, term == currentTerm || options.mutant == .countStaleVotes else { return }
            votesReceived.insert(voter)
            if votesCounted >= quorum { becomeLeader() }
        }
    }

    /// The grants of the campaign that count: those of voters of this node's configuration.
    var votesCounted: Int {
        options.mutant == .voteFromRemovedMember ? votesReceived.count : votesReceived.intersection(configuration.voters).count
    }

    /// Won the election: take over replication for the current term.
    mutating func becomeLeader() {
        requireSafe(role == .candidate && votedFor == id, "only a candidate that voted for itself can lead")
        changeRole(to: .leader)
        leaderID = id
        votesReceived.removeAll()
        recentlyActive.removeAll()
        trace(.becameLeader(lastIndex: log.lastIndex, lastTerm: log.lastTerm))
        for peer in peers { progress[peer] = FollowerProgress(sentLength: log.lastIndex) }
        if options.appendNoOpOnElection {
            appendToLog([Entry.noOp(term: currentTerm)])
        }
        let waiting = takeWaitingProposals()
        if !waiting.isEmpty { appendProposals(waiting, quietDuplicates: true) }
        if options.rearmTimers { emit(.resetTimer(.heartbeat)) }
        replicateToAll(isHeartbeat: true)
        // A single-node cluster commits on `.persisted`, once its own copy is durable.
    }
}
