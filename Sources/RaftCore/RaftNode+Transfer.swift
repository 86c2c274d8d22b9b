/// Leadership transfer (Raft thesis §3.10, etcd's `MsgTransferLeader` / `MsgTimeoutNow`): a
/// leader brings a chosen follower's log up to date and tells it to campaign at once.
extension RaftNode {
    /// Begins handing leadership to `target`: proposals wait from now on (they go to the new
    /// leader, or back into this log if the transfer is abandoned).
    mutating func startTransfer(to target: NodeID) {
        guard role == .leader, target != id, configuration.voters.contains(target) else { return }
        if transferTarget != target {
            transferTarget = target
            trace(.transferStarted(target: target))
        }
        if progress[target].ackedLength >= log.lastIndex {
            sendMessage(.timeoutNow, to: target)
        } else {
            replicate(to: target, isHeartbeat: false)
        }
    }

    /// `follower` acknowledged entries: if it is the transfer's target and now holds the
    /// whole log, it may campaign.
    mutating func continueTransfer(after follower: NodeID) {
        guard let target = transferTarget, target == follower, progress[target].ackedLength >= log.lastIndex else { return }
        sendMessage(.timeoutNow, to: target)
    }

    /// An election timeout passed and the target has not taken over: this node leads on and
    /// appends what waited.
    mutating func abandonTransfer() {
        guard let target = transferTarget else { return }
        transferTarget = nil
        trace(.transferAborted(target: target))
        let waiting = takeWaitingProposals()
        if !waiting.isEmpty {
            appendProposals(waiting, quietDuplicates: true)
            replicateToAll(isHeartbeat: false)
        }
    }

    /// This node's leader hands leadership to it: campaign now, without a pre-vote, asking
    /// voters to look past the leader lease.
    mutating func handleTimeoutNow(from leader: NodeID, term: Term) {
        guard term == currentTerm, role == .follower, leaderID == leader, isVoter else { return }
        startElection(transfer: true)
    }
}
