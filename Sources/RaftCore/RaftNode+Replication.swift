/// Log replication: log requests, acknowledgements and commitment.
extension RaftNode {
    mutating func handleHeartbeatTimeout() {
        guard role == .leader else { return }
        if options.rearmTimers { emit(.resetTimer(.heartbeat)) }
        replicateToAll(isHeartbeat: true)
    }

    mutating func replicateToAll(isHeartbeat: Bool) {
        for peer in peers { replicate(to: peer, isHeartbeat: isHeartbeat) }
    }

    /// Sends `peer` what it is missing. Without pipelining (raft-lite) every request carries
    /// everything after the acknowledged length. With pipelining a probing follower gets one
    /// request with entries at a time and, while it is unanswered, an empty request at the
    /// same place on every heartbeat (etcd's probe state: a follower that reads nothing costs
    /// a few bytes per heartbeat, not an append); a replicating one gets only new entries
    /// within the in-flight window, and an empty heartbeat when there are none.
    mutating func replicate(to peer: NodeID, isHeartbeat: Bool) {
        precondition(role == .leader && peer != id)
        var follower = progress[peer]
        defer { progress[peer] = follower }
        if needsSnapshot(follower) {
            sendSnapshotChunk(to: peer, &follower, isHeartbeat: isHeartbeat)
            return
        }
        guard options.pipelining else {
            sendLogRequest(to: peer, prefixLength: follower.sentLength, limited: true)
            return
        }
        if follower.isProbing {
            if follower.probeInFlight {
                // The empty request probes the same place: its answer moves replication on
                // even if the one with entries was lost.
                if isHeartbeat { sendLogRequest(to: peer, prefixLength: follower.sentLength, limited: false) }
                return
            }
            sendLogRequest(to: peer, prefixLength: follower.sentLength, limited: true)
            follower.probeInFlight = true
            return
        }
        let windowFree = follower.ackedLength + options.entriesInFlightMax - follower.sentLength
        if follower.sentLength < log.lastIndex && windowFree > 0 {
            let sent = sendLogRequest(to: peer, prefixLength: follower.sentLength,
                                      limited: true, countMax: windowFree)
            follower.sentLength += sent
        } else if isHeartbeat {
            sendLogRequest(to: peer, prefixLength: follower.sentLength, limited: false)
        }
    }

    /// Sends a log request starting after `prefixLength`; returns how many entries it carries.
    @discardableResult
    private mutating func sendLogRequest(to peer: NodeID, prefixLength: Int, limited: Bool,
                                         countMax: Int = .max) -> Int {
        let suffix = limited
            ? log.entries(from: prefixLength + 1, countMax: min(countMax, options.entriesPerAppendMax),
                          bytesMax: options.appendPayloadBytesMax)
            : []
        let request = LogRequest(prefixLength: prefixLength, prefixTerm: log.term(at: prefixLength),
                                 leaderCommit: commitIndex, suffix: suffix)
        sendMessage(.logRequest(request), to: peer)
        return suffix.count
    }

    mutating func handleLogRequest(_ message: Message, _ request: LogRequest) {
        let leader = message.from, term = message.term
        // A prefix inside this node's snapshot is committed, so it matches any correct
        // leader's log: the request is read from the end of the dropped entries on, and one
        // that ends inside them holds nothing new (`inSnapshot`).
        var prefix = request.prefixLength, prefixTerm = request.prefixTerm, suffix = request.suffix
        var inSnapshot: Int? = nil
        if prefix < log.compactedIndex {
            let skipped = log.compactedIndex - prefix
            if suffix.count >= skipped {
                prefixTerm = suffix[skipped - 1].term
                suffix = Array(suffix[skipped...])
                prefix = log.compactedIndex
            } else {
                inSnapshot = prefix + suffix.count
            }
        }
        let logIsOK = inSnapshot != nil || (log.lastIndex >= prefix && log.term(at: prefix) == prefixTerm)
        if term == currentTerm && options.mutant == nil {
            // Safety checks, silenced under a mutant like `requireSafe` (the model checker
            // has flagged the state that leads here already). A second leader of this term,
            // or one that disagrees with an entry this node knows is committed, is not a
            // correct peer.
            if role == .leader { return drop(message, .secondLeader) }
            if inSnapshot == nil, prefix == log.compactedIndex, prefixTerm != log.compactedTerm {
                return drop(message, .truncatesCommitted)
            }
            if logIsOK, inSnapshot == nil, let conflict = firstConflict(of: suffix, after: prefix), conflict <= commitIndex {
                return drop(message, .truncatesCommitted)
            }
        }
        if term == currentTerm {
            becomeFollower(leader: leader)
            resetElectionTimer()
        }
        guard term == currentTerm && logIsOK else {
            sendMessage(.logResponse(refusal(of: request)), to: leader)
            return
        }
        if let matched = inSnapshot {
            sendMessage(.logResponse(LogResponse(ack: matched, success: true, conflictHint: 0)), to: leader)
            return
        }
        mergeSuffix(suffix, after: prefix)
        let matched = prefix + suffix.count
        let leaderCommit = min(request.leaderCommit, matched)
        if leaderCommit > commitIndex { advanceCommit(to: leaderCommit) }
        sendMessage(.logResponse(LogResponse(ack: matched, success: true, conflictHint: 0)), to: leader)
    }

    /// The refusal of a log request whose prefix this log does not hold. With pipelining it
    /// names the last index at or below the prefix whose term is at most the prefix's, and
    /// that term: everything between there and the prefix conflicts (or is missing), and the
    /// leader skips back past all of it. Without pipelining (raft-lite, which steps back one
    /// entry per refusal) the hint is the prefix less one.
    private func refusal(of request: LogRequest) -> LogResponse {
        guard options.pipelining else {
            return LogResponse(ack: 0, success: false, conflictHint: max(0, min(request.prefixLength - 1, log.lastIndex)))
        }
        let hint = log.lastIndex(atOrBelow: request.prefixLength, withTermAtMost: request.prefixTerm)
        // Below the dropped entries the term is unknown: `0` sends the leader back as far as
        // its own log allows (to its snapshot, if it must).
        return LogResponse(ack: 0, success: false, conflictHint: hint,
                           conflictTerm: log.holdsTerm(at: hint) ? log.term(at: hint) : 0)
    }

    /// Places `suffix` after the first `prefix` entries: entries that agree stay, the first
    /// conflicting one and everything after it is dropped, the rest is appended.
    private mutating func mergeSuffix(_ suffix: [Entry], after prefix: Int) {
        var offset = 0
        while offset < suffix.count {
            let index = prefix + offset + 1
            if index > log.lastIndex { break }
            if log.term(at: index) != suffix[offset].term {
                if options.mutant == .skipConflictTruncation { offset += 1; continue }
                truncateLog(toLength: index - 1)
                break
            }
            offset += 1
        }
        if offset < suffix.count {
            appendToLog(Array(suffix[offset...]))
        }
    }

    mutating func truncateLog(toLength length: Int) {
        requireSafe(length >= commitIndex,
                    "node \(id) would truncate committed entries (\(length) < commit \(commitIndex))")
        requireSafe(role != .leader, "a leader never truncates its log (Leader Append-Only)")
        log.truncate(toLength: length)
        durableLength = min(durableLength, length)
        if configurationIndex > length { reloadConfiguration() } // its entry is gone
        emit(.persist(.truncate(length: length)))
        trace(.truncated(length: length))
    }

    /// Appends `entries` to the log (durable before anything `.afterWrite` leaves; a leader
    /// counts them as its own acknowledgement once `.persisted` says so).
    mutating func appendToLog(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        let firstIndex = log.lastIndex + 1
        var latestConfiguration: (Configuration, index: Int)? = nil
        for entry in entries {
            requireSafe(entry.term <= currentTerm, "entry of term \(entry.term) beyond current term \(currentTerm)")
            requireSafe(entry.term >= log.lastTerm, "entry terms go down in node \(id)'s log")
            log.append(entry)
            if let configuration = entry.configuration {
                latestConfiguration = (configuration, log.lastIndex)
            }
        }
        emit(.persist(.append(firstIndex: firstIndex, entries: entries)))
        trace(.appended(firstIndex: firstIndex, entries: entries))
        if let (configuration, index) = latestConfiguration { adopt(configuration, index: index) }
        confirmForwards(appendedFrom: firstIndex)
        // A leader's own slot shows its log (explorer, snapshots); towards a majority it counts
        // `durableLength`, what `.persisted` said is on disk.
        if role == .leader { progress[id].ackedLength = log.lastIndex }
    }

    mutating func handleLogResponse(_ message: Message, _ response: LogResponse) {
        let follower = message.from
        guard role == .leader, message.term == currentTerm, configuration.contains(follower) else { return }
        guard !response.success || response.ack <= log.lastIndex else { return drop(message, .ackBeyondLog) }
        if options.checkQuorum { recentlyActive.insert(follower) }
        var state = progress[follower]
        if !options.pipelining {
            // raft-lite: move forward on a fresh ack, step back by one on a refusal.
            if response.success {
                guard response.ack >= state.ackedLength else { return } // stale ack
                state.sentLength = response.ack
                state.ackedLength = response.ack
                progress[follower] = state
                advanceLeaderCommit()
                guard role == .leader else { return } // it removed itself, and that committed
                continueTransfer(after: follower)
            } else if state.sentLength > 0 {
                state.sentLength -= 1
                progress[follower] = state
                replicate(to: follower, isHeartbeat: false)
            }
            return
        }
        if response.success {
            state.ackedLength = max(state.ackedLength, response.ack)
            state.sentLength = max(state.sentLength, response.ack)
            if state.isProbing {
                state.isProbing = false
                state.sentLength = state.ackedLength
            }
            state.probeInFlight = false
            progress[follower] = state
            advanceLeaderCommit()
            guard role == .leader else { return } // it removed itself, and that committed
            continueTransfer(after: follower)
        } else {
            // Refused: back off to the last entry that may agree with the follower's hint (at
            // or below it, of a term at most the hint's) and probe from there. When that does
            // not move back (a stale refusal, or a follower that lost entries it had
            // acknowledged), retry only on the next heartbeat instead of ping-ponging.
            let previous = state.sentLength
            state.isProbing = true
            state.probeInFlight = false
            let agreeing = log.lastIndex(atOrBelow: response.conflictHint, withTermAtMost: response.conflictTerm)
            state.sentLength = max(state.ackedLength, min(state.sentLength, agreeing))
            progress[follower] = state
            guard state.sentLength < previous else { return }
        }
        replicate(to: follower, isHeartbeat: false)
    }

    /// Commits the highest index of the current term that a majority acknowledged, this
    /// leader's own durable log included.
    mutating func advanceLeaderCommit() {
        guard role == .leader else { return }
        var acked = configuration.voters.map { $0 == id ? durableLength : progress[$0].ackedLength }
        acked.sort(by: >)
        let majorityIndex = acked[max(quorum, 1) - 1]
        guard majorityIndex > commitIndex else { return }
        let termIsOK = options.mutant == .commitOlderTermByCounting || log.term(at: majorityIndex) == currentTerm
        if termIsOK { advanceCommit(to: majorityIndex) }
    }

    /// Records the new commit index durably, then delivers the newly committed entries.
    mutating func advanceCommit(to index: Int) {
        requireSafe(index > commitIndex && index <= log.lastIndex, "commit \(commitIndex) -> \(index) of \(log.lastIndex)")
        let previous = commitIndex
        commitIndex = index
        emit(.persist(.commit(index: index)))
        trace(.committed(index: index))
        for delivered in (previous + 1)...index { deliver(delivered) }
        stepDownIfRemoved()
    }
}
