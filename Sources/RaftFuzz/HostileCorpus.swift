import RaftCore
import RaftSim

/// Real messages and node states of a seeded simulated run: what hostile frames are grown
/// from (`FrameMutator`, the fuzz target's seed corpus) and what they are thrown at
/// (`FuzzHarness`).
public enum HostileCorpus {
    /// A run of 3 nodes with the runtime's options: elections, proposals at every node
    /// (forwards), drops, duplicates, crashes inside batches and restarts.
    static func simulate(seed: UInt64, steps: Int, watch: (SimulatedCluster) -> Void) -> SimulatedCluster {
        let configuration = RandomSimulation.Configuration(nodeCount: 3, options: .standard, steps: steps)
        var cluster: SimulatedCluster!
        let report = RandomSimulation(configuration: configuration, seed: seed).run { started in
            cluster = started
            watch(started)
        }
        precondition(report.failures.isEmpty, "the corpus run failed: \(report)")
        return cluster
    }

    /// Distinct messages the nodes of a seeded run sent, in the order first sent (at most
    /// `countMax`): every kind of message, pre-votes and votes, heartbeats and appends with
    /// entries of several terms, refusals and forwards.
    public static func messages(seed: UInt64 = 1, steps: Int = 1500, countMax: Int = 4000) -> [Message] {
        var seen = Set<Message>()
        var messages: [Message] = []
        _ = simulate(seed: seed, steps: steps) { cluster in
            cluster.observer = { event in
                guard case .step(_, _, let outputs) = event, messages.count < countMax else { return }
                for case .send(let message) in outputs where seen.insert(message).inserted {
                    messages.append(message)
                }
            }
        }
        return messages
    }

    /// Nodes in interesting states after a seeded run: the leader (followers' progress,
    /// a log of several terms), a follower, and a pre-candidate (a follower whose election
    /// timer fired).
    public static func nodes(seed: UInt64 = 1, steps: Int = 1500) -> [RaftNode] {
        let cluster = simulate(seed: seed, steps: steps) { _ in }
        guard let leader = cluster.leader else { preconditionFailure("the corpus run ended without a leader") }
        var nodes = [cluster.nodes[leader]]
        let followers = cluster.runningIDs.filter { $0 != leader }
        if let follower = followers.first {
            nodes.append(cluster.nodes[follower])
            var candidate = cluster.nodes[follower]
            _ = candidate.step(.electionTimeout)
            nodes.append(candidate)
        }
        return nodes
    }
}
