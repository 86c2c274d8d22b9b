import RaftCore

/// A seeded random schedule over a `SimulatedCluster`: random delivery order, drops,
/// duplicates, timer firings, proposals, crashes and restarts, then a calm phase in which a
/// correct protocol (with re-armed timers) must elect a leader and bring every node to the
/// same commit index. The seed alone reproduces the run.
public struct RandomSimulation {
    /// What to simulate.
    public struct Configuration: Sendable {
        public var nodeCount: Int
        public var options: ProtocolOptions
        /// Random steps before the calm phase.
        public var steps: Int
        /// Probability that picking a message drops it instead of delivering it.
        public var dropProbability: Double
        /// Probability that a delivered message is also left in flight to be delivered again.
        public var duplicateProbability: Double
        /// Relative weights of the random actions.
        public var crashWeight: Int
        public var restartWeight: Int
        public var proposeWeight: Int
        public var electionTimeoutWeight: Int
        public var heartbeatTimeoutWeight: Int
        public var deliverWeight: Int
        /// A batch of two of a node's pending inputs, carried out in the runtime's order
        /// (`SimulatedCluster.stepBatch`); half of them crash the node inside the batch, when
        /// a crash is allowed.
        public var batchWeight: Int
        /// A running node's application hands it a snapshot of what it applied (the node then
        /// drops all but `options.entriesKeptAfterSnapshot` of the entries it covers, and a
        /// follower that needs one of them gets the snapshot installed).
        public var snapshotWeight: Int
        /// Servers started outside the cluster (ids after the founders'), to be added.
        public var spareCount: Int
        /// A running leader is asked for a membership change: add a spare as a learner,
        /// promote a learner, or remove a member (the leader refuses what it must).
        public var membershipWeight: Int
        /// A running leader is asked to hand leadership to another voter (`TimeoutNow` once
        /// the target holds its whole log; abandoned if an election timeout passes first).
        public var transferWeight: Int
        /// Whether to run the calm phase and require convergence (only meaningful with
        /// `options.rearmTimers`: raft-lite's one-shot timers promise no progress).
        public var requiresConvergence: Bool
        /// Whether every step checks the invariants.
        public var checksInvariants: Bool

        public init(nodeCount: Int = 5, options: ProtocolOptions = .standard, steps: Int = 2000,
                    dropProbability: Double = 0.05, duplicateProbability: Double = 0.05,
                    crashWeight: Int = 1, restartWeight: Int = 4, proposeWeight: Int = 12,
                    electionTimeoutWeight: Int = 3, heartbeatTimeoutWeight: Int = 10,
                    deliverWeight: Int = 70, batchWeight: Int = 4, snapshotWeight: Int = 0,
                    spareCount: Int = 0, membershipWeight: Int = 0, transferWeight: Int = 0,
                    requiresConvergence: Bool? = nil, checksInvariants: Bool = true) {
            self.nodeCount = nodeCount
            self.options = options
            self.steps = steps
            self.dropProbability = dropProbability
            self.duplicateProbability = duplicateProbability
            self.crashWeight = crashWeight
            self.restartWeight = restartWeight
            self.proposeWeight = proposeWeight
            self.electionTimeoutWeight = electionTimeoutWeight
            self.heartbeatTimeoutWeight = heartbeatTimeoutWeight
            self.deliverWeight = deliverWeight
            self.batchWeight = batchWeight
            self.snapshotWeight = snapshotWeight
            self.spareCount = spareCount
            self.membershipWeight = membershipWeight
            self.transferWeight = transferWeight
            self.requiresConvergence = requiresConvergence ?? options.rearmTimers
            self.checksInvariants = checksInvariants
        }
    }

    /// What happened.
    public struct Report: Sendable, CustomStringConvertible {
        public var seed: UInt64
        public var steps: Int
        public var crashes: Int
        public var restarts: Int
        public var proposals: Int
        /// Snapshots the applications took, and the ones followers installed from a leader.
        public var snapshots: Int
        public var installs: Int
        /// Membership changes the leaders appended.
        public var membershipChanges: Int
        /// Leadership transfers the leaders started.
        public var transfers: Int
        public var leadersElected: Int
        public var highestTerm: Term
        public var commitIndexes: [Int]
        /// Safety violations, and a liveness failure of the calm phase if there was one.
        public var failures: [String]

        public var description: String {
            "seed=\(seed) steps=\(steps) crashes=\(crashes) restarts=\(restarts) proposals=\(proposals) "
                + (snapshots + installs > 0 ? "snapshots=\(snapshots) installs=\(installs) " : "")
                + (membershipChanges > 0 ? "membership-changes=\(membershipChanges) " : "")
                + (transfers > 0 ? "transfers=\(transfers) " : "")
                + "leaders=\(leadersElected) term=\(highestTerm) commit=\(commitIndexes)"
                + (failures.isEmpty ? "" : "\nFAILED (reproduce with seed \(seed)):\n  " + failures.joined(separator: "\n  "))
        }
    }

    /// Calm-phase rounds allowed before convergence counts as failed.
    public static let calmRoundsMax = 200

    public let configuration: Configuration
    public let seed: UInt64

    public init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        self.seed = seed
    }

    /// Runs the schedule on a fresh cluster and reports. `watch` sees the cluster before the
    /// first random step (to install an observer, say).
    public func run(watch: (SimulatedCluster) -> Void = { _ in }) -> Report {
        var random = SplitMix64(seed: seed)
        let config = configuration
        let cluster = SimulatedCluster(founders: config.nodeCount, spares: config.spareCount, options: config.options,
                                       checksInvariants: config.checksInvariants)
        watch(cluster)
        var report = Report(seed: seed, steps: 0, crashes: 0, restarts: 0, proposals: 0, snapshots: 0, installs: 0,
                            membershipChanges: 0, transfers: 0, leadersElected: 0, highestTerm: 0, commitIndexes: [], failures: [])
        var nextRequest: RequestID = 1
        let crashesMax = (config.nodeCount - 1) / 2
        let weights = [config.deliverWeight, config.proposeWeight, config.heartbeatTimeoutWeight,
                       config.electionTimeoutWeight, config.crashWeight, config.restartWeight, config.batchWeight,
                       config.snapshotWeight, config.membershipWeight, config.transferWeight]
        let weightTotal = weights.reduce(0, +)

        for _ in 0..<config.steps where cluster.violations.isEmpty {
            var pick = Int(random.next() % UInt64(weightTotal))
            var action = 0
            while pick >= weights[action] { pick -= weights[action]; action += 1 }
            let running = cluster.runningIDs
            switch action {
            case 0 where !cluster.network.isEmpty:
                let position = Int(random.next() % UInt64(cluster.network.count))
                if random.chance(config.dropProbability) {
                    let message = cluster.network[position]
                    cluster.drop { $0 == message }
                } else if random.chance(config.duplicateProbability) {
                    cluster.duplicate(messageAt: position)
                } else {
                    cluster.deliver(messageAt: position)
                }
            case 1:
                let node = running[Int(random.next() % UInt64(running.count))]
                cluster.propose(at: node, request: nextRequest, payload: Array("v\(nextRequest)".utf8))
                nextRequest += 1
                report.proposals += 1
            case 2:
                let candidates = running.filter { cluster.armedTimers[$0].contains(.heartbeat) }
                if let node = candidates.randomElement(using: &random) { cluster.fireHeartbeatTimeout(node) }
            case 3:
                let candidates = running.filter { cluster.armedTimers[$0].contains(.election) }
                if let node = candidates.randomElement(using: &random) { cluster.fireElectionTimeout(node) }
            case 4 where cluster.ids.count - running.count < crashesMax:
                cluster.crash(running[Int(random.next() % UInt64(running.count))])
                report.crashes += 1
            case 5:
                let crashed = cluster.ids.filter { cluster.isCrashed[$0] }
                if let node = crashed.randomElement(using: &random) {
                    cluster.restart(node)
                    report.restarts += 1
                }
            case 6:
                let node = running[Int(random.next() % UInt64(running.count))]
                var inputs: [Input] = []
                var timers = cluster.armedTimers[node].sorted { $0.rawValue < $1.rawValue }
                for _ in 0..<2 {
                    let pending = cluster.network.indices.filter { cluster.network[$0].to == node }
                    let choices = pending.count + timers.count
                    guard choices > 0 else { break }
                    let pick = Int(random.next() % UInt64(choices))
                    if pick < pending.count {
                        inputs.append(.receive(cluster.takeMessage(at: pending[pick])))
                    } else {
                        let timer = timers.remove(at: pick - pending.count)
                        inputs.append(timer == .election ? .electionTimeout : .heartbeatTimeout)
                    }
                }
                guard !inputs.isEmpty else { break }
                let crashes = cluster.ids.count - running.count < crashesMax && random.chance(0.5)
                // A crash keeps none of the batch's writes, or a random prefix of them.
                let written = crashes ? Int(random.next() % 3) : nil
                cluster.stepBatch(node, inputs, crashAfterWrites: written)
                if crashes { report.crashes += 1 }
            case 7:
                let node = running[Int(random.next() % UInt64(running.count))]
                if cluster.takeSnapshot(at: node) { report.snapshots += 1 }
            case 8:
                guard let leader = running.filter({ cluster.nodes[$0].role == .leader }).randomElement(using: &random) else { break }
                let configuration = cluster.nodes[leader].configuration
                var changes: [MembershipChange] = cluster.ids.filter { !configuration.contains($0) }.map { .addLearner($0) }
                changes += configuration.learners.map { .promote($0) }
                changes += configuration.members.filter { configuration.voters != NodeSet([$0]) }.map { .remove($0) }
                if let change = changes.randomElement(using: &random) {
                    let outputs = cluster.step(leader, .changeMembership(change))
                    if outputs.contains(where: { if case .membershipChanged = $0 { return true } else { return false } }) {
                        report.membershipChanges += 1
                    }
                }
            case 9:
                guard let leader = running.filter({ cluster.nodes[$0].role == .leader }).randomElement(using: &random) else { break }
                let targets = cluster.nodes[leader].configuration.voters.filter { $0 != leader }
                if let target = targets.randomElement(using: &random) {
                    _ = cluster.step(leader, .transferLeadership(to: target))
                    if cluster.nodes[leader].transferTarget == target { report.transfers += 1 }
                }
            default:
                break
            }
        }

        if config.requiresConvergence && cluster.violations.isEmpty {
            if let failure = calmDown(cluster, random: &random) { report.failures.append(failure) }
        }
        report.failures.insert(contentsOf: cluster.violations, at: 0)
        report.steps = cluster.stepCount
        report.leadersElected = cluster.leaderOfTerm.count
        report.highestTerm = cluster.nodes.map(\.currentTerm).max() ?? 0
        report.commitIndexes = cluster.nodes.map(\.commitIndex)
        report.installs = cluster.snapshotsInstalled
        return report
    }

    /// Heals the cluster (every node up, no loss) and lets time pass: election timers fire
    /// with one node first each round, leaders heartbeat, everything is delivered. A correct
    /// protocol elects a leader and brings every node to the leader's whole log, committed.
    private func calmDown(_ cluster: SimulatedCluster, random: inout SplitMix64) -> String? {
        for id in cluster.ids where cluster.isCrashed[id] { cluster.restart(id) }
        cluster.deliverAll()
        var calmRequest: RequestID = 1 << 62
        for _ in 0..<Self.calmRoundsMax {
            if let leader = cluster.leader, cluster.leaders.count == 1 {
                let log = cluster.nodes[leader].log
                // The members of the leader's configuration converge; a removed server is left behind.
                let converged = cluster.nodes[leader].members.allSatisfy {
                    cluster.nodes[$0].commitIndex == log.lastIndex && cluster.nodes[$0].log.lastIndex == log.lastIndex
                }
                if converged { return nil }
                if log.lastTerm != cluster.nodes[leader].currentTerm {
                    // Entries of earlier terms commit only under one of the leader's own.
                    cluster.propose(at: leader, request: calmRequest, "calm")
                    calmRequest += 1
                }
                cluster.fireHeartbeatTimeout(leader)
            } else {
                // No single leader: everyone's timer fires (leases expire) but one node's
                // campaign wins the race, as randomized timeouts make likely.
                let first = cluster.ids.randomElement(using: &random)!
                for id in cluster.ids where id != first {
                    cluster.fireElectionTimeout(id)
                    cluster.drop { $0.from == id }
                }
                cluster.fireElectionTimeout(first)
                cluster.deliverAll()
                if cluster.nodes[first].role != .leader {
                    cluster.fireElectionTimeout(first) // a term above the others' campaigns
                }
            }
            cluster.deliverAll()
            if !cluster.violations.isEmpty { return nil }
        }
        return "liveness: no convergence after \(Self.calmRoundsMax) calm rounds; "
            + "roles \(cluster.nodes.map(\.role.rawValue)), terms \(cluster.nodes.map(\.currentTerm)), "
            + "commits \(cluster.nodes.map(\.commitIndex)), logs \(cluster.nodes.map(\.log.lastIndex))"
            + (cluster.nodes.contains { $0.configuration != $0.bootstrap }
                ? ", configurations \(cluster.nodes.map { "\($0.configuration)@\($0.configurationIndex)" })" : "")
    }
}
