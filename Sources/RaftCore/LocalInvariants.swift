/// Invariants one node can check about itself across one step (asserted in debug builds).
enum LocalInvariants {
    /// What a step must not break, captured before it.
    struct Snapshot {
        let term: Term
        let role: Role
        let commitIndex: Int
        let lastIndex: Int
        let isRunning: Bool

        init(_ node: RaftNode) {
            term = node.currentTerm
            role = node.role
            commitIndex = node.commitIndex
            lastIndex = node.log.lastIndex
            isRunning = node.isRunning
        }
    }

    static func check(before: Snapshot, after node: RaftNode, input: Input) {
        if case .restart = input {
            // A restart may start from anything durable; only the shape below must hold.
        } else {
            precondition(node.currentTerm >= before.term,
                         "node \(node.id): term went back \(before.term) -> \(node.currentTerm) on \(input)")
            precondition(node.commitIndex >= before.commitIndex,
                         "node \(node.id): commit index went back \(before.commitIndex) -> \(node.commitIndex)")
            if before.role == .leader && node.role == .leader && node.currentTerm == before.term {
                precondition(node.log.lastIndex >= before.lastIndex,
                             "node \(node.id): leader's log shrank (Leader Append-Only)")
            }
        }
        precondition(node.durableLength <= node.log.lastIndex,
                     "node \(node.id): durable length \(node.durableLength) past the log (\(node.log.lastIndex))")
        precondition(node.commitIndex <= node.log.lastIndex,
                     "node \(node.id): commit index \(node.commitIndex) past the log (\(node.log.lastIndex))")
        precondition(node.log.compactedIndex <= node.snapshot.index && node.snapshot.index <= node.commitIndex,
                     "node \(node.id): log compacted through \(node.log.compactedIndex), snapshot through \(node.snapshot.index), commit index \(node.commitIndex): dropped entries must be in the snapshot, and the snapshot committed")
        precondition(node.log.lastTerm <= node.currentTerm,
                     "node \(node.id): log holds term \(node.log.lastTerm) beyond current term \(node.currentTerm)")
        precondition(node.transferTarget == nil || node.role == .leader, "node \(node.id): only a leader hands leadership over")
        if node.log.entries.count <= 512 { // the scan is linear in the log: short logs only
            // (An entry compacted into the snapshot keeps its index here; the log no longer knows it.)
            let inLog = node.configuration(at: node.log.lastIndex)
            precondition(node.configuration == inLog.0 && (inLog.index == 0 || node.configurationIndex == inLog.index),
                         "node \(node.id): configuration \(node.configuration) at \(node.configurationIndex), but the log says \(inLog.0) at \(inLog.index)")
        }
        precondition(node.members == node.configuration.members, "node \(node.id): members \(node.members) out of step with \(node.configuration)")
        switch node.role {
        case .leader:
            precondition(node.leaderID == node.id && node.votedFor == node.id,
                         "node \(node.id): a leader leads and voted for itself")
        case .candidate:
            precondition(node.votedFor == node.id && node.leaderID == nil,
                         "node \(node.id): a candidate voted for itself and knows no leader")
        case .preCandidate:
            precondition(node.options.preVote && node.leaderID == nil,
                         "node \(node.id): pre-candidate without pre-vote, or with a leader")
        case .follower:
            precondition(node.leaderID != node.id, "node \(node.id): a follower cannot lead")
        }
    }
}
