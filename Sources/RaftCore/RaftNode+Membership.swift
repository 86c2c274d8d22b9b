/// Membership change: single-server changes appended by the leader (Raft thesis §4.1), in
/// force on each node from the moment its log holds them, with learners as etcd has them.
extension RaftNode {
    /// The leader appends `change` to its configuration when it may: it leads and is not
    /// handing over, it committed an entry of its own term (else an earlier leader's
    /// uncommitted change could still win over this one, the bug Ongaro described in 2015),
    /// and no other change waits to commit (two at once could give two disjoint majorities).
    mutating func changeMembership(_ change: MembershipChange) {
        guard role == .leader else { return refuse(change, .notLeader(leader: leaderID)) }
        guard transferTarget == nil else { return refuse(change, .transferInProgress) }
        if log.term(at: commitIndex) != currentTerm {
            return refuse(change, .leaderNotReady)
        }
        if options.mutant != .twoChangesAtOnce, configurationIndex > commitIndex {
            return refuse(change, .changeInProgress(index: configurationIndex))
        }
        switch change.applied(to: configuration) {
        case .failure(let refusal):
            refuse(change, refusal)
        case .success(let next):
            appendToLog([Entry.configuration(term: currentTerm, next)])
            emit(.membershipChanged(change, index: log.lastIndex))
            replicateToAll(isHeartbeat: false)
        }
    }

    private mutating func refuse(_ change: MembershipChange, _ refusal: MembershipRefusal) {
        emit(.membershipChangeRefused(change, refusal))
    }

    /// The configuration in force at `index` (at least `log.compactedIndex`): the latest
    /// configuration entry at or below it, else the snapshot's (the configuration through
    /// the snapshot's index: no entry between the compacted ones and it changed it, or the
    /// scan would have found that entry), else the bootstrap.
    func configuration(at index: Int) -> (Configuration, index: Int) {
        var position = min(index, log.lastIndex)
        while position > log.compactedIndex {
            let entry = log[position]
            if let configuration = entry.configuration {
                return (configuration, position)
            }
            position -= 1
        }
        return snapshot.index > 0 ? (snapshot.configuration, 0) : (bootstrap, 0)
    }

    /// Reads the configuration in force from the log again (after the log lost the entry
    /// that set it, or at a restart).
    mutating func reloadConfiguration() {
        let (found, index) = configuration(at: log.lastIndex)
        adopt(found, index: index)
    }

    /// Makes `next` (set by the entry at `index`, `0`: by the snapshot or the bootstrap) the
    /// configuration in force: a leader starts replicating to new members from the end of
    /// its log and forgets those that left.
    mutating func adopt(_ next: Configuration, index: Int, traced: Bool = true) {
        configurationIndex = index
        guard next != configuration else { return }
        let previous = configuration
        configuration = next
        members = next.members
        if let highest = members.last, highest >= progress.count {
            progress += Array(repeating: FollowerProgress(sentLength: 0), count: highest + 1 - progress.count)
        }
        for member in next.members where !previous.contains(member) && member != id {
            progress[member] = FollowerProgress(sentLength: role == .leader ? log.lastIndex : 0)
        }
        for member in previous.members where !next.contains(member) && member != id {
            progress[member] = FollowerProgress(sentLength: 0)
        }
        if traced { trace(.configurationChanged(index: index, configuration: next)) }
    }

    /// A leader that the committed configuration no longer counts as a voter steps down
    /// (Raft thesis §4.2.2): it led the change through, and a voter takes over.
    mutating func stepDownIfRemoved() {
        guard role == .leader, !configuration.voters.contains(id), configurationIndex <= commitIndex else { return }
        becomeFollower(leader: nil)
    }

    /// Whether this node is a voter of its configuration.
    var isVoter: Bool { configuration.voters.contains(id) }

    /// Whether this node, though its latest configuration removed it, still campaigns: that
    /// configuration is not committed, and the one before counts it as a voter. It may hold
    /// the only up-to-date log the old majority needs (a leader that removed itself and went
    /// down before the change committed): without it no one could win (Raft thesis §4.2.2).
    /// It asks the voters of its latest configuration and does not count its own vote.
    var mayStillBeNeeded: Bool {
        guard configurationIndex > commitIndex else { return false }
        return configuration(at: configurationIndex - 1).0.voters.contains(id)
    }
}
