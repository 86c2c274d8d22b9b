import RaftTrace

/// Commits and leadership: the committed sequence grows from each node's log as its
/// commit index advances; leaders must hold everything committed before their term.
extension LogChecker {
    func commit(_ id: Int, index: Int, _ record: TraceRecord, _ location: EventLocation) {
        if index < nodes[id].commitIndex {
            violations.report(.commitMonotonicity, "node \(id) (incarnation \(record.incarnation)) moved its commit index back from \(nodes[id].commitIndex) to \(index)", [(record, location)])
            return
        }
        guard plausible(index, at: id, .stateMachineSafety) else { return }
        nodes[id].commitIndex = index
        if index > nodes[id].shadow.length {
            violations.note(.logMatching, "some commits went past the log their node's events describe (append events lost?); those entries were not compared")
            nodes[id].shadow.restart(durableLength: index)
        }
        guard committed.extend(to: index) else {
            let place = Evidence.text(location, files: violations.files)
            violations.note(.stateMachineSafety, "commit index \(index) at \(place) is implausibly far ahead; ignored")
            return
        }
        var verified = nodes[id].verifiedCommit
        while verified < index {
            verified += 1
            let entry = nodes[id].shadow.entry(verified, committed: committed)
            if entry.term == CommittedLog.unknownTerm {
                if committed.isKnown(verified) {
                    nodes[id].shadow.fillUnknown(verified, term: committed.term(verified), digest: committed.digest(verified))
                }
            } else if committed.isKnown(verified) {
                if committed.term(verified) != entry.term || committed.digest(verified) != entry.digest {
                    violations.report(.stateMachineSafety,
                                      "node \(id) committed index \(verified) as term \(entry.term) digest \(TraceDigest.hex(entry.digest)), "
                                      + "but node \(committed.node(verified)) committed term \(committed.term(verified)) digest \(TraceDigest.hex(committed.digest(verified)))",
                                      earlier: committed.location(verified), record, location)
                }
            } else {
                committed.set(verified, term: entry.term, digest: entry.digest, node: id, location: location)
            }
        }
        nodes[id].verifiedCommit = index
        nodes[id].shadow.fold(upTo: index, committed: committed)

        if index > (commitsByTerm[record.term]?.index ?? 0) {
            commitsByTerm[record.term] = (index, location, id)
        }
        // A commit in an earlier term than a sitting leader's: that leader must hold it.
        for leader in nodes.indices where nodes[leader].isLeader && nodes[leader].leaderTerm > record.term {
            requireLeaderHolds(leader, upTo: index, committedAt: location, committedBy: id, inTerm: record.term, record, location)
        }
    }

    /// Node `id` installed its leader's snapshot through `index` (entry term `term`): its
    /// entries through `index` are the committed ones (the snapshot holds nothing else), its
    /// commit index is `index`, and its deliveries go on after it. A snapshot whose last entry
    /// is not the committed one there breaks State Machine Safety.
    func install(_ id: Int, index: Int, term: UInt64, _ record: TraceRecord, _ location: EventLocation) {
        guard index >= 1, plausible(index, at: id, .stateMachineSafety), committed.extend(to: index) else {
            violations.note(.stateMachineSafety, "a snapshot install at an implausible index was ignored")
            return
        }
        if committed.isKnown(index) && committed.term(index) != term {
            violations.report(.stateMachineSafety,
                              "node \(id) installed a snapshot through index \(index) of term \(term), but node \(committed.node(index)) committed term \(committed.term(index)) there",
                              earlier: committed.location(index), record, location)
            return
        }
        var node = nodes[id]
        if index < node.commitIndex {
            violations.report(.commitMonotonicity, "node \(id) installed a snapshot through \(index) below its commit index \(node.commitIndex)", [(record, location)])
            return
        }
        // A suffix survives only when the log held the snapshot's last entry; otherwise the
        // node cut what followed its commit index, and the log now ends at `index`.
        let held = index <= node.shadow.length ? node.shadow.entry(index, committed: committed).term : nil
        if held != term { node.shadow.truncate(to: min(node.shadow.length, node.commitIndex)) }
        node.shadow.restart(durableLength: max(node.shadow.length, index))
        node.shadow.fold(upTo: index, committed: committed)
        node.commitIndex = index
        node.verifiedCommit = index
        node.lastDelivered = index
        node.maxDelivered = max(node.maxDelivered, index)
        nodes[id] = node
    }

    func becameLeader(_ id: Int, lastIndex: Int, lastTerm: UInt64, _ record: TraceRecord, _ location: EventLocation) {
        nodes[id].isLeader = true
        nodes[id].leaderTerm = record.term
        nodes[id].electedLastIndex = lastIndex
        nodes[id].electedLastTerm = lastTerm
        if lastIndex != nodes[id].shadow.length {
            violations.note(.leaderCompleteness, "a leader's last_index differed from the log its events describe (events lost?)")
        }
        var required: (index: Int, location: EventLocation, node: Int, term: UInt64)?
        for (term, commit) in commitsByTerm where term < record.term && commit.index > (required?.index ?? 0) {
            required = (commit.index, commit.location, commit.node, term)
        }
        if let required {
            if lastIndex < required.index && lastIndex < nodes[id].shadow.length {
                // The leader's own word on its log at election: too short, whatever its
                // append events say.
                violations.report(.leaderCompleteness,
                                  "leader \(id) of term \(record.term) reports last_index \(lastIndex), but node \(required.node) committed up to index \(required.index) in term \(required.term)",
                                  earlier: required.location, record, location)
                return
            }
            requireLeaderHolds(id, upTo: required.index, committedAt: required.location, committedBy: required.node,
                               inTerm: required.term, record, location)
        }
    }

    /// Leader Completeness: leader `id` holds the committed entries `1...index`.
    ///
    /// Its unknown entries (events lost in a crash) may be the committed ones and are not
    /// compared; but its `leader` event bounds them: terms never go down along a log, so its
    /// entries up to `electedLastIndex` have terms of at most `electedLastTerm`, and one
    /// where a higher-term entry was committed cannot be that entry.
    private func requireLeaderHolds(_ id: Int, upTo index: Int, committedAt: EventLocation, committedBy: Int, inTerm: UInt64,
                                    _ record: TraceRecord, _ location: EventLocation) {
        let shadow = nodes[id].shadow
        let leaderTerm = nodes[id].leaderTerm
        if shadow.length < index {
            violations.report(.leaderCompleteness,
                              "leader \(id) of term \(leaderTerm) holds \(shadow.length) entries, but node \(committedBy) committed up to index \(index) in term \(inTerm)",
                              earlier: committedAt, record, location)
            return
        }
        guard index > shadow.matched else { return }
        var unknownAboveElectedTerm: Int?
        for position in (shadow.matched + 1)...index where committed.isKnown(position) {
            let entry = shadow.entry(position, committed: committed)
            guard entry.term != CommittedLog.unknownTerm else {
                if unknownAboveElectedTerm == nil && position <= nodes[id].electedLastIndex
                    && committed.term(position) > nodes[id].electedLastTerm {
                    unknownAboveElectedTerm = position
                }
                continue
            }
            if entry.term != committed.term(position) || entry.digest != committed.digest(position) {
                violations.report(.leaderCompleteness,
                                  "leader \(id) of term \(leaderTerm) has term \(entry.term) at index \(position) where the committed entry has term \(committed.term(position)) (committed up to \(index) by node \(committedBy) in term \(inTerm))",
                                  earlier: committedAt, record, location)
                return
            }
        }
        if let position = unknownAboveElectedTerm {
            violations.report(.leaderCompleteness,
                              "leader \(id) of term \(leaderTerm) won with last_term \(nodes[id].electedLastTerm) at last_index \(nodes[id].electedLastIndex), so its entry \(position) has a term of at most \(nodes[id].electedLastTerm), but the committed entry there has term \(committed.term(position)) (committed up to \(index) by node \(committedBy) in term \(inTerm))",
                              earlier: committedAt, record, location)
        }
    }
}
