import ArgumentParser
import RaftCheck
import RaftCore

/// The model options `raftlab check` and `raftlab explore` share: cluster size, network,
/// crash mode, profile and a deliberate bug.
struct ModelOptions: ParsableArguments {
    @Option(help: "Number of servers (1...\(RaftModelConfiguration.serverCountMax)).")
    var servers = 3
    @Option(help: "Network: unordered-nonduplicating, unordered-duplicating or ordered.")
    var network: RaftModelConfiguration.Network = .unorderedNonDuplicating
    @Option(help: "Crashes: stop (for good) or restart (from the persisted term, vote, log and commit index; a server may also crash inside a batch, between the stages of the runtime's order).")
    var crash: RaftModelConfiguration.CrashMode = .stop
    @Flag(name: .customLong("torn-writes"), help: "With --crash restart: a crash inside a batch may keep any prefix of its records (power loss during the write).")
    var tornWrites = false
    @Flag(help: "Symmetry reduction: count states that differ only in server names once (as stateright's symmetry()).")
    var symmetry = false
    @Flag(name: .customLong("prune-no-ops"), help: "Count states that differ only in no-op items and timers once: responses below their receiver's durable term, heartbeat timers of servers that do not lead.")
    var pruneNoOps = false
    @Option(name: .customLong("entries-per-append"), help: "Entries one log request carries at most (default: the profile's 512).")
    var entriesPerAppend: Int?
    @Flag(help: "A running server's application may hand it a snapshot through its commit index at any step (the log before it is dropped); leaders send snapshots to followers that need dropped entries.")
    var snapshots = false

    @Flag(help: "One more server starts outside the cluster; leaders may add it as a learner, promote it, or remove any member, one change at a time, at any step.")
    var membership = false
    @Flag(help: "Leaders may be asked at any step to hand leadership to another voter (TimeoutNow once its log is up to date).")
    var transfers = false
    @Option(name: .customLong("max-crashes"), help: "Most servers down at once (default (servers-1)/2).")
    var maxCrashes: Int?
    @Option(help: "Protocol profile: lite (raft-lite's behaviour) or full (pre-vote, check-quorum, re-armed timers).")
    var profile: RaftModelConfiguration.Profile = .lite
    @Option(help: "Switch on a deliberate bug in every node (see `raftlab check --list-mutants`).")
    var mutant: String?

    func validate() throws {
        if let mutant, Mutant(rawValue: mutant) == nil {
            throw ValidationError("--mutant \(mutant) is not a mutant; choose one of: "
                                  + Mutant.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let problem = configuration.problem { throw ValidationError(problem) }
    }

    /// The model these options describe.
    var configuration: RaftModelConfiguration {
        RaftModelConfiguration(serverCount: servers, network: network, crashMode: crash, crashCountMax: maxCrashes,
                               profile: profile, mutant: mutant.flatMap(Mutant.init(rawValue:)), tornWrites: tornWrites, symmetry: symmetry, prunesNoOps: pruneNoOps,
                               entriesPerAppendMax: entriesPerAppend, snapshots: snapshots, membership: membership,
                               transfers: transfers)
    }
}
