import ArgumentParser
import RaftCore
import RaftSim

/// `raftlab sim`: an in-memory cluster on a seeded random schedule, narrated.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run an in-memory cluster on a seeded random schedule and print what happened.",
        discussion: """
        Messages are delivered in random order, dropped and duplicated; nodes crash and
        restart; clients propose. Every invariant is checked after every step. Then the
        cluster is healed and must converge. The same seed always gives the same run.

        Example:
          raftlab sim --nodes 5 --seed 7 --steps 3000
        """
    )

    @Option(help: "Cluster size.") var nodes = 5
    @Option(help: "Seed of the schedule.") var seed: UInt64 = 1
    @Option(help: "Random steps before the cluster is healed.") var steps = 2000
    @Option(help: "Profile: standard or lite.") var profile: ProfileOption = .standard
    @Option(help: "Probability that a message is dropped.") var drop = 0.05
    @Option(help: "Probability that a message is duplicated.") var duplicate = 0.05
    @Flag(help: "Print only the summary.") var quiet = false

    func validate() throws {
        guard (1...RaftLimits.clusterSizeMax).contains(nodes) else { throw ValidationError("--nodes must be 1...\(RaftLimits.clusterSizeMax)") }
        guard steps >= 0 else { throw ValidationError("--steps must not be negative") }
        guard (0...1).contains(drop), (0...1).contains(duplicate) else { throw ValidationError("--drop and --duplicate are probabilities in 0...1") }
    }

    func run() throws {
        let simulation = RandomSimulation(
            configuration: .init(nodeCount: nodes, options: profile.options, steps: steps,
                                 dropProbability: drop, duplicateProbability: duplicate),
            seed: seed)
        var lastCommit = 0
        let report = simulation.run { cluster in
            guard !quiet else { return }
            cluster.observer = { event in
                switch event {
                case .crash(let node):
                    print("step \(cluster.stepCount): node \(node) crashed")
                case .step(let node, let input, let outputs):
                    if case .restart = input { print("step \(cluster.stepCount): node \(node) restarted (term \(cluster.nodes[node].currentTerm), log \(cluster.nodes[node].log.lastIndex), commit \(cluster.nodes[node].commitIndex))") }
                    for case .trace(let trace) in outputs {
                        switch trace {
                        case .becameLeader(let lastIndex, _):
                            print("step \(cluster.stepCount): node \(node) leads term \(cluster.nodes[node].currentTerm) (log \(lastIndex))")
                        case .lostQuorum(let heardFrom):
                            print("step \(cluster.stepCount): node \(node) stepped down: heard from \(heardFrom) of \(cluster.nodes.count)")
                        case .snapshotInstalled(let index, _, let bytes):
                            print("step \(cluster.stepCount): node \(node) installed its leader's snapshot through \(index) (\(bytes) bytes)")
                        case .committed(let index) where index >= lastCommit + 25:
                            lastCommit = index
                            print("step \(cluster.stepCount): commit index reached \(index) at node \(node)")
                        default:
                            break
                        }
                    }
                }
            }
        }
        print(report)
        if report.failures.isEmpty {
            print("all invariants held after every step; the healed cluster converged")
        } else {
            throw ExitCode.failure
        }
    }
}
