import Foundation

/// A kind of fault `raftlab chaos` injects, as named on the command line (`--nemesis`).
///
/// Faults aimed at "the leader" pick their target when they strike (the node that leads at
/// that moment); every other choice (which node, which sides, which direction) is drawn
/// from the run's seed when the schedule is planned (`ChaosSchedule`).
public enum NemesisKind: String, CaseIterable, Codable, Sendable, Hashable {
    /// `kill -9` the current leader; restart it when the fault ends.
    case killLeader = "kill-leader"
    /// `kill -9` a node chosen by the seed (maybe the leader); restart it when the fault ends.
    case kill
    /// `SIGSTOP` a node chosen by the seed; `SIGCONT` when the fault ends.
    case pause
    /// `SIGSTOP` the current leader; `SIGCONT` when the fault ends.
    case pauseLeader = "pause-leader"
    /// Cut the current leader off from every other node, both ways.
    case partitionLeader = "partition-leader"
    /// Split the cluster into a majority and a minority (sides chosen by the seed).
    case partitionSplit = "partition-split"
    /// One-way loss: the leader's messages to the others are lost, or theirs to it (the
    /// direction chosen by the seed).
    case partitionOneWay = "partition-one-way"
    /// Ask the current leader to hand leadership to another member (chosen by the seed
    /// among the others when it strikes; `raftlab leader transfer`). Nothing to undo: the
    /// fault ends on its own once the new leader leads.
    case transferLeader = "transfer-leader"
    /// Add a new member (`raftlab member add`: a fresh node joins as a learner, catches up and
    /// is promoted); remove it again when the fault ends.
    case addMember = "add-member"
    /// Remove a member chosen by the seed (`raftlab member remove`: handing leadership away
    /// first if it leads); a fresh node joins in its place when the fault ends.
    case removeMember = "remove-member"
    /// `kill -9` a follower chosen by the seed, let the leader compact past its log, and start
    /// it again with a failpoint that kills it inside the install of the leader's snapshot
    /// (the snapshot file durable, the log records not); restart it when the fault ends: it
    /// must finish the install. Needs `--snapshot-every` (skipped otherwise).
    case killDuringInstall = "kill-during-install"

    /// Names `--nemesis` accepts for several kinds at once.
    public static let groups: [String: [NemesisKind]] = [
        "partition": [.partitionLeader, .partitionSplit, .partitionOneWay],
        "all": NemesisKind.allCases,
    ]

    /// What `raftlab chaos` injects when `--nemesis` is not given.
    public static let defaultSelection: [NemesisKind] = [.killLeader, .kill, .pause, .partitionLeader, .partitionSplit, .partitionOneWay]

    /// Parses a comma-separated list such as `kill-leader,kill,pause,partition`; duplicates
    /// collapse, the order of first mention is kept. Throws a one-line `LabError` naming the
    /// unknown word.
    public static func parseList(_ text: String) throws -> [NemesisKind] {
        var kinds: [NemesisKind] = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let expanded: [NemesisKind]
            if let kind = NemesisKind(rawValue: word) {
                expanded = [kind]
            } else if let group = groups[word] {
                expanded = group
            } else {
                let known = (allCases.map(\.rawValue) + groups.keys.sorted()).joined(separator: ", ")
                throw LabError("unknown nemesis '\(word)' (known: \(known))")
            }
            for kind in expanded where !kinds.contains(kind) { kinds.append(kind) }
        }
        precondition(!kinds.isEmpty, "a parsed nemesis list is never empty")
        return kinds
    }

    /// Whether the fault is aimed at whichever node leads when it strikes.
    public var targetsLeader: Bool {
        switch self {
        case .killLeader, .pauseLeader, .partitionLeader, .partitionOneWay, .transferLeader: return true
        case .kill, .pause, .partitionSplit, .addMember, .removeMember, .killDuringInstall: return false
        }
    }
}
