import RaftCore
import RaftSim
import TestGate
import Testing

/// Many seeded random schedules — random delivery order, drops, duplicates, crashes and
/// restarts — with every invariant checked after every step. A failure prints its seed.
@Suite("Random schedules", .exclusive)
struct RandomScheduleTests {
    static let seedsPerProfile: UInt64 = 150

    @Test("standard profile: safe under chaos, then converges when calm", arguments: [3, 5])
    func standardProfile(nodeCount: Int) {
        for seed in 1...Self.seedsPerProfile {
            let report = RandomSimulation(
                configuration: .init(nodeCount: nodeCount, options: .standard, steps: 1500),
                seed: seed
            ).run()
            #expect(report.failures.isEmpty, "\(report)")
            if !report.failures.isEmpty { return }
        }
    }

    @Test("membership changes with crashes and snapshots: safe under chaos, then the members converge when calm",
          arguments: [(3, 2), (5, 1)])
    func membershipChanges(founders: Int, spares: Int) {
        var changes = 0
        for seed in 1...Self.seedsPerProfile {
            let report = RandomSimulation(
                configuration: .init(nodeCount: founders, options: .standard, steps: 1500, snapshotWeight: 2,
                                     spareCount: spares, membershipWeight: 3),
                seed: seed
            ).run()
            #expect(report.failures.isEmpty, "\(report)")
            if !report.failures.isEmpty { return }
            changes += report.membershipChanges
        }
        #expect(changes >= Int(Self.seedsPerProfile), "the schedules changed the configuration \(changes) times in all")
    }

    @Test("leadership transfers with crashes, membership changes and snapshots: safe under chaos, converging when calm",
          arguments: [3, 5])
    func leadershipTransfers(nodeCount: Int) {
        var transfers = 0
        for seed in 1...Self.seedsPerProfile {
            let report = RandomSimulation(
                configuration: .init(nodeCount: nodeCount, options: .standard, steps: 1500, snapshotWeight: 1,
                                     spareCount: 1, membershipWeight: 1, transferWeight: 4),
                seed: seed
            ).run()
            #expect(report.failures.isEmpty, "\(report)")
            if !report.failures.isEmpty { return }
            transfers += report.transfers
        }
        #expect(transfers >= Int(Self.seedsPerProfile), "the schedules started \(transfers) transfers in all")
    }

    @Test("lite profile (raft-lite): safe under chaos", arguments: [3, 5])
    func liteProfile(nodeCount: Int) {
        for seed in 1...Self.seedsPerProfile {
            let report = RandomSimulation(
                configuration: .init(nodeCount: nodeCount, options: .lite, steps: 1500,
                                     electionTimeoutWeight: 2, heartbeatTimeoutWeight: 2),
                seed: seed
            ).run()
            #expect(report.failures.isEmpty, "\(report)")
            if !report.failures.isEmpty { return }
        }
    }

    @Test("lossless network without pre-vote or check-quorum still converges")
    func noExtensions() {
        var options = ProtocolOptions.standard
        options.preVote = false
        options.checkQuorum = false
        for seed in 1...Self.seedsPerProfile {
            let report = RandomSimulation(
                configuration: .init(nodeCount: 5, options: options, steps: 1000, dropProbability: 0,
                                     duplicateProbability: 0),
                seed: seed
            ).run()
            #expect(report.failures.isEmpty, "\(report)")
            if !report.failures.isEmpty { return }
        }
    }

    @Test("schedules actually exercise the protocol: leaders, commits, crashes")
    func schedulesAreNotVacuous() {
        var leaders = 0, commits = 0, crashes = 0
        for seed in 1...20 as ClosedRange<UInt64> {
            let report = RandomSimulation(configuration: .init(nodeCount: 5, steps: 1500), seed: seed).run()
            leaders += report.leadersElected
            commits += report.commitIndexes.max() ?? 0
            crashes += report.crashes
        }
        #expect(leaders >= 20)
        #expect(commits >= 200)
        #expect(crashes >= 5)
    }

    @Test("the same seed reproduces the same run")
    func seedReproducesRun() {
        let configuration = RandomSimulation.Configuration(nodeCount: 5, steps: 800)
        let first = RandomSimulation(configuration: configuration, seed: 42).run()
        let second = RandomSimulation(configuration: configuration, seed: 42).run()
        #expect(first.description == second.description)
    }
}
