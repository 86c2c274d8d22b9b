import RaftCore

/// What the Raft model explores: cluster size, network, crashes, protocol profile, mutant.
///
/// The defaults are raft-lite's stateright model: 3 servers, an unordered network that
/// neither loses nor duplicates, at most (n-1)/2 crash-stop crashes, raft-lite's behaviour.
public struct RaftModelConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// How the network treats envelopes.
    public enum Network: String, Hashable, Sendable, CaseIterable {
        /// A multiset: any envelope may be delivered next, each exactly once.
        case unorderedNonDuplicating = "unordered-nonduplicating"
        /// A set: any envelope may be delivered next, any number of times.
        case unorderedDuplicating = "unordered-duplicating"
        /// One FIFO queue per (sender, receiver): only each queue's head may be delivered.
        case ordered
    }

    /// What a crash does.
    public enum CrashMode: String, Hashable, Sendable, CaseIterable {
        /// The server stops for good (raft-lite's model).
        case stop
        /// The server loses its volatile state and may later restart from what it persisted
        /// (term, vote, log, commit index).
        case restart
    }

    /// Which protocol behaviour the nodes run.
    public enum Profile: String, Hashable, Sendable, CaseIterable {
        /// `ProtocolOptions.lite`: raft-lite's algorithm and timers.
        case lite
        /// `ProtocolOptions.standard`: pre-vote, check-quorum, re-armed timers, pipelining,
        /// a no-op entry per new leader.
        case full
    }

    /// Most servers a model may have (two timer bits and a crash bit per server fit one word).
    public static let serverCountMax = 8
    /// Most servers with symmetry reduction (it hashes a state under all n! renamings).
    public static let symmetryServerCountMax = 5

    /// Number of servers, ids `0..<serverCount`.
    public var serverCount: Int
    /// Network semantics.
    public var network: Network
    /// Crash semantics.
    public var crashMode: CrashMode
    /// Most servers down at the same time; `nil` means `(serverCount - 1) / 2`.
    public var crashCountMax: Int?
    /// Protocol profile.
    public var profile: Profile
    /// A deliberate bug switched on in every node.
    public var mutant: Mutant?
    /// With crash-restart: a crash inside a batch may also keep any prefix of the batch's
    /// records (power loss during the write), not only none or all of the steps' (see
    /// `CrashInBatch`).
    public var tornWrites: Bool
    /// Symmetry reduction: states that differ only in the names of the servers count as one
    /// (stateright's `symmetry()`; see `ServerRenaming`). Counts shrink, paths stay real paths.
    public var symmetry: Bool
    /// Merge states that differ only in no-op items and timers: responses below their
    /// receiver's durable term, heartbeat timers of servers that do not lead (with re-armed
    /// timers). See `CanonicalFingerprints`.
    public var prunesNoOps: Bool
    /// Entries one log request carries at most (`ProtocolOptions.entriesPerAppendMax`); `nil`
    /// keeps the profile's 512. A small bound lets short logs show what only long ones would
    /// at the real bound (a leader whose first acknowledgements stop short of its no-op).
    public var entriesPerAppendMax: Int?
    /// A running server's application may hand it a snapshot through its commit index at any
    /// step (the whole log before it is then dropped: no entry kept behind it), and leaders
    /// send snapshots to followers that need dropped entries. The application's state is the
    /// list of entries it applied (`AppliedEntriesCodec`), so the safety properties read a
    /// compacted entry from the snapshot that holds it.
    public var snapshots: Bool
    /// One more server than `serverCount` (id `serverCount`) starts outside the cluster,
    /// knowing nobody, and leaders may change the configuration one server at a time at any
    /// step: add that server as a learner, promote it, remove any member
    /// (`Input.changeMembership`). The founding voters are `0..<serverCount`.
    public var membership: Bool
    /// A leader may be asked at any step to hand leadership to another voter
    /// (`Input.transferLeadership`): it brings the target's log up to date and sends it
    /// `TimeoutNow`, and the target campaigns at once, past check-quorum's lease.
    public var transfers: Bool

    /// raft-lite's model, unless told otherwise.
    public init(serverCount: Int = 3, network: Network = .unorderedNonDuplicating, crashMode: CrashMode = .stop,
                crashCountMax: Int? = nil, profile: Profile = .lite, mutant: Mutant? = nil, tornWrites: Bool = false,
                symmetry: Bool = false, prunesNoOps: Bool = false, entriesPerAppendMax: Int? = nil, snapshots: Bool = false,
                membership: Bool = false, transfers: Bool = false) {
        self.serverCount = serverCount
        self.network = network
        self.crashMode = crashMode
        self.crashCountMax = crashCountMax
        self.profile = profile
        self.mutant = mutant
        self.tornWrites = tornWrites
        self.symmetry = symmetry
        self.prunesNoOps = prunesNoOps
        self.entriesPerAppendMax = entriesPerAppendMax
        self.snapshots = snapshots
        self.membership = membership
        self.transfers = transfers
    }

    /// The crash bound in force.
    public var effectiveCrashCountMax: Int { crashCountMax ?? (serverCount - 1) / 2 }

    /// Servers the model runs: the founders, and the one that may join with `membership`.
    public var totalServerCount: Int { serverCount + (membership ? 1 : 0) }

    /// The configuration the founding servers start with.
    public var foundingConfiguration: Configuration { Configuration(voters: 0..<serverCount) }

    /// Server `id`'s bootstrap: the founding configuration, or nobody for the joining server.
    public func bootstrap(of id: NodeID) -> Configuration { id < serverCount ? foundingConfiguration : .empty }

    /// The options every node runs with (trace events off: the model does not read them).
    public var nodeOptions: ProtocolOptions {
        var options = profile == .lite ? ProtocolOptions.lite : ProtocolOptions.standard
        options.emitsTraceEvents = false
        if let entriesPerAppendMax { options.entriesPerAppendMax = entriesPerAppendMax }
        if snapshots { options.entriesKeptAfterSnapshot = 0 }
        return options.with(mutant: mutant)
    }

    /// A problem with this configuration, in words naming the setting, or `nil`.
    public var problem: String? {
        if serverCount < 1 || serverCount > Self.serverCountMax {
            return "--servers must be in 1...\(Self.serverCountMax), got \(serverCount)"
        }
        if membership && serverCount + 1 > Self.serverCountMax {
            return "--membership adds a server: --servers must be at most \(Self.serverCountMax - 1), got \(serverCount)"
        }
        if membership && symmetry {
            return "--membership with --symmetry: configuration entries name servers and are not renamed; drop one"
        }
        if let crashes = crashCountMax, crashes < 0 || crashes > serverCount {
            return "--max-crashes must be in 0...\(serverCount) for \(serverCount) servers, got \(crashes)"
        }
        if symmetry && serverCount > Self.symmetryServerCountMax {
            return "--symmetry tries every renaming of the servers: at most \(Self.symmetryServerCountMax) servers, got \(serverCount)"
        }
        if let entries = entriesPerAppendMax, entries < 1 {
            return "--entries-per-append must be at least 1, got \(entries)"
        }
        if snapshots && symmetry {
            return "--snapshots with --symmetry: snapshot bytes name servers' requests and are not renamed; drop one"
        }
        if tornWrites && crashMode != .restart {
            return "--torn-writes needs --crash restart (a stopped server never reads its disk again)"
        }
        return nil
    }

    /// One line naming every setting (printed before a check and understood by `--replay`'s user).
    public var description: String {
        "servers=\(serverCount), network=\(network.rawValue), crash=\(crashMode.rawValue), "
            + "max-crashes=\(effectiveCrashCountMax), profile=\(profile.rawValue), mutant=\(mutant?.rawValue ?? "none")"
            + (tornWrites ? ", torn-writes" : "") + (symmetry ? ", symmetry" : "") + (prunesNoOps ? ", prune-no-ops" : "")
            + (entriesPerAppendMax.map { ", entries-per-append=\($0)" } ?? "") + (snapshots ? ", snapshots" : "")
            + (membership ? ", membership" : "") + (transfers ? ", transfers" : "")
    }
}
