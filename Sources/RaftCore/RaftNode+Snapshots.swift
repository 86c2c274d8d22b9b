/// Snapshots: the application's state replaces a prefix of the log, and a leader sends its
/// snapshot to a follower that needs an entry it dropped (Raft §7, etcd's `MsgSnap`).
extension RaftNode {
    /// The application's state through `index`: kept as the snapshot, and the log dropped
    /// up to `index - entriesKeptAfterSnapshot`.
    mutating func takeSnapshot(index requested: Int, data: [UInt8]) {
        let index = options.mutant == .snapshotAheadOfCommit ? log.lastIndex : requested
        guard index > snapshot.index else { return } // no newer than the one held
        if options.mutant == nil {
            precondition(index <= commitIndex, "node \(id): a snapshot through \(index) past the commit index \(commitIndex)")
        }
        let term = log.term(at: index)
        snapshot = Snapshot(index: index, term: term, configuration: configuration(at: index).0, data: data)
        emit(.persist(.snapshot(snapshot)))
        let through = index - options.entriesKeptAfterSnapshot
        if through > log.compactedIndex {
            let throughTerm = log.term(at: through)
            log.compact(through: through, term: throughTerm)
            emit(.persist(.compact(through: through, term: throughTerm)))
        }
        if index > commitIndex {
            // The mutant: what the snapshot holds counts as committed.
            commitIndex = index
            emit(.persist(.commit(index: index)))
        }
        trace(.snapshotTaken(index: index, term: term, bytes: data.count, compactedThrough: log.compactedIndex))
    }


    /// Whether `follower` needs the snapshot: the entry after what it was sent is gone.
    func needsSnapshot(_ follower: FollowerProgress) -> Bool {
        follower.sentLength < log.compactedIndex || follower.snapshotIndex != 0
    }

    /// Sends `peer` the next chunk of this leader's snapshot (starting over when the
    /// snapshot changed since the last chunk). One chunk is in flight at a time; a heartbeat
    /// sends the unanswered one again.
    mutating func sendSnapshotChunk(to peer: NodeID, _ follower: inout FollowerProgress, isHeartbeat: Bool) {
        if follower.snapshotIndex != snapshot.index {
            follower.snapshotIndex = snapshot.index
            follower.snapshotBytesAcked = 0
            follower.snapshotChunkInFlight = false
        }
        guard !follower.snapshotChunkInFlight || isHeartbeat else { return }
        let start = min(follower.snapshotBytesAcked, snapshot.data.count)
        let end = min(snapshot.data.count, start + options.snapshotChunkBytesMax)
        let chunk = SnapshotChunk(index: snapshot.index, snapshotTerm: snapshot.term, configuration: snapshot.configuration,
                                  totalBytes: snapshot.data.count,
                                  offset: start, bytes: Array(snapshot.data[start..<end]))
        sendMessage(.snapshotChunk(chunk), to: peer)
        follower.snapshotChunkInFlight = true
    }

    mutating func handleSnapshotResponse(_ message: Message, _ response: SnapshotResponse) {
        let peer = message.from
        guard role == .leader, message.term == currentTerm, configuration.contains(peer) else { return }
        if options.checkQuorum { recentlyActive.insert(peer) }
        var follower = progress[peer]
        guard follower.snapshotIndex != 0, response.index == follower.snapshotIndex else { return } // stale
        follower.snapshotChunkInFlight = false
        if response.installed {
            guard response.index <= log.lastIndex else { return drop(message, .ackBeyondLog) }
            follower.snapshotIndex = 0
            follower.snapshotBytesAcked = 0
            follower.ackedLength = max(follower.ackedLength, response.index)
            follower.sentLength = max(follower.sentLength, follower.ackedLength)
            follower.isProbing = false
            follower.probeInFlight = false
            progress[peer] = follower
            advanceLeaderCommit()
            guard role == .leader else { return } // it removed itself, and that committed
            continueTransfer(after: peer)
        } else {
            follower.snapshotBytesAcked = response.receivedBytes
            progress[peer] = follower
        }
        replicate(to: peer, isHeartbeat: false)
    }

    mutating func handleSnapshotChunk(_ message: Message, _ chunk: SnapshotChunk) {
        let leader = message.from, term = message.term
        if term == currentTerm && options.mutant == nil {
            if role == .leader { return drop(message, .secondLeader) }
            if chunk.index <= commitIndex, log.holdsTerm(at: chunk.index), log.term(at: chunk.index) != chunk.snapshotTerm {
                return drop(message, .snapshotConflictsCommitted)
            }
        }
        if term == currentTerm {
            becomeFollower(leader: leader)
            resetElectionTimer()
        }
        func answer(_ received: Int, installed: Bool) {
            sendMessage(.snapshotResponse(SnapshotResponse(index: chunk.index, receivedBytes: received, installed: installed)),
                        to: leader)
        }
        guard term == currentTerm else { return answer(0, installed: false) }
        if chunk.index <= commitIndex {
            // Every entry through it is committed here already, so it matches the leader's.
            incomingSnapshot = nil
            return answer(chunk.totalBytes, installed: true)
        }
        var incoming = incomingSnapshot
        if chunk.offset == 0 {
            incoming = IncomingSnapshot(index: chunk.index, term: chunk.snapshotTerm, configuration: chunk.configuration,
                                        totalBytes: chunk.totalBytes, bytes: [])
        }
        guard var current = incoming, current.index == chunk.index, current.term == chunk.snapshotTerm,
              current.configuration == chunk.configuration,
              current.totalBytes == chunk.totalBytes, current.bytes.count == chunk.offset else {
            // Out of order, or another snapshot: say where this node stands.
            let holds = incomingSnapshot.map { $0.index == chunk.index ? $0.bytes.count : 0 } ?? 0
            return answer(holds, installed: false)
        }
        current.bytes.append(contentsOf: chunk.bytes)
        guard current.bytes.count == current.totalBytes else {
            incomingSnapshot = current
            return answer(current.bytes.count, installed: false)
        }
        incomingSnapshot = nil
        installSnapshot(Snapshot(index: current.index, term: current.term, configuration: current.configuration,
                                 data: current.bytes))
        answer(current.totalBytes, installed: true)
    }

    /// Replaces the log through `installed.index` with the snapshot (keeping the entries after
    /// it when the log holds its last entry, Raft figure 13), commits through it, and hands it
    /// to the application.
    private mutating func installSnapshot(_ installed: Snapshot) {
        precondition(installed.index > commitIndex && installed.index >= log.compactedIndex)
        let keepsSuffix = log.holdsTerm(at: installed.index) && log.term(at: installed.index) == installed.term
        snapshot = installed
        emit(.persist(.snapshot(installed)))
        if !keepsSuffix && log.lastIndex > commitIndex {
            // What follows the commit index conflicts with the leader's snapshot: it goes first.
            truncateLog(toLength: commitIndex)
        }
        log.compact(through: installed.index, term: installed.term)
        emit(.persist(.compact(through: installed.index, term: installed.term)))
        if !keepsSuffix { durableLength = min(durableLength, installed.index) }
        commitIndex = installed.index
        emit(.persist(.commit(index: installed.index)))
        reloadConfiguration() // the snapshot's, unless a later entry the log kept says otherwise
        // A proposal this node forwarded may be inside the snapshot, where no append will
        // confirm it: forwarding it again could commit it twice. Its client hears nothing
        // and times out (an unknown outcome, never a duplicate).
        unconfirmedForwards = []
        emit(.restore(installed))
        trace(.snapshotInstalled(index: installed.index, term: installed.term, bytes: installed.data.count))
    }
}
