import Foundation
import LoopbackHTTP
import RaftCore
import RaftRuntime

/// `raftlab member add|remove|list`: changes the members of a running `raftlab up` cluster
/// one server at a time (Raft thesis §4.1), through its cluster file and its leader.
///
/// - add: writes the new node into the cluster file (`joined`), waits until the launcher
///   started it and it answers, asks the leader to add it as a learner, waits until it holds
///   the log the leader had committed, then asks the leader to promote it to voter.
/// - remove: hands leadership to another voter first when the node leads, asks the leader
///   to remove it, waits until that commits, then marks it `removed` in the cluster file
///   (the launcher stops it) and waits until it is gone.
/// - list: every node's status and the configuration its leader reports.
///
/// The leader refuses a change while another is uncommitted or before it committed an
/// entry of its term; those refusals are retried until the timeout, others end the command
/// with their reason.
public enum MembershipOperator {
    /// One step taken, for the user.
    public typealias Say = @Sendable (String) -> Void

    /// Adds node `id` (the next free id when nil) to the cluster of run directory `run`; as
    /// a learner only when `learnerOnly`. Returns the id and the configuration the leader
    /// then reports.
    public static func add(run: String, id requested: NodeID?, learnerOnly: Bool, timeout: Duration,
                           say: Say) async throws -> (id: NodeID, configuration: Configuration) {
        let path = clusterFilePath(run)
        var file = try ClusterFile.read(path: path)
        let id = requested ?? ((file.nodes.map(\.id).max() ?? -1) + 1)
        guard id >= 0 && id < RaftLimits.clusterSizeMax else {
            throw LabError("node id \(id) is outside 0..<\(RaftLimits.clusterSizeMax)")
        }
        if let existing = file.nodes.first(where: { $0.id == id }) {
            throw LabError(existing.isActive ? "node \(id) is a member already (raftlab member list --run \(run))"
                                             : "node \(id) was removed; its data is gone with it: add a new id")
        }
        let deadline = ContinuousClock.now + timeout
        let template = file.nodes[0]
        let metrics = template.metrics == nil ? nil : try LoopbackPorts.free(1).first
        let added = ClusterFile.Node(id: id, peer: try sibling(of: template.peer, name: "node-\(id).sock"),
                                     client: try sibling(of: template.client, name: "node-\(id).client.sock"),
                                     data: (run as NSString).appendingPathComponent("data/node-\(id)"), metrics: metrics,
                                     joined: true)
        file.nodes.append(added)
        try file.write(path: path)
        say("node \(id) written to \(path); waiting for the launcher to start it")
        return try await withClient(file) { client in
            _ = try await waitForAnswer(client, id, until: deadline, what: "the launcher of \(run) to start node \(id) (is raftlab up running?)")
            let learnerIndex = try await change(client, .addLearner(id), until: deadline, say: say)
            let caughtUp = try await waitForCatchUp(client, id, from: learnerIndex, until: deadline)
            say("node \(id) holds the log through \(caughtUp) (learner)")
            if !learnerOnly { _ = try await change(client, .promote(id), until: deadline, say: say) }
            let configuration = try await committedConfiguration(client, until: deadline) {
                learnerOnly ? $0.learners.contains(id) : $0.voters.contains(id)
            }
            return (id, configuration)
        }
    }

    /// Removes node `id` from the cluster of run directory `run` and stops it. Returns the
    /// configuration the leader then reports.
    public static func remove(run: String, id: NodeID, timeout: Duration, say: Say) async throws -> Configuration {
        let path = clusterFilePath(run)
        var file = try ClusterFile.read(path: path)
        guard file.nodes.contains(where: { $0.id == id && $0.isActive }) else {
            throw LabError("node \(id) is not a member of \(path) (members: \(file.activeNodes.map(\.id)))")
        }
        let deadline = ContinuousClock.now + timeout
        let configuration = try await withClient(file) { client in
            let leader = try await currentLeader(client, until: deadline)
            if leader.id == id {
                let successor = try await handOver(client, from: leader, until: deadline)
                say("node \(id) led: leadership handed to node \(successor) first")
            }
            _ = try await change(client, .remove(id), until: deadline, say: say)
            return try await committedConfiguration(client, until: deadline, where: { !$0.contains(id) })
        }
        file = try ClusterFile.read(path: path) // again: another member may have been added meanwhile
        guard let position = file.nodes.firstIndex(where: { $0.id == id }) else { throw LabError("node \(id) vanished from \(path)") }
        file.nodes[position].removed = true
        try file.write(path: path)
        say("node \(id) marked removed in \(path); waiting for the launcher to stop it")
        try await withClient(file, including: id) { client in
            while ContinuousClock.now < deadline {
                if (try? await client.statusAsync(id, timeout: .milliseconds(300))) == nil { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw LabError("node \(id) left the configuration but still answers: is raftlab up running?")
        }
        return configuration
    }

    /// One line per node of run directory `run` (role, term, commit, log, the configuration it
    /// sees), then the configuration of the leader of the highest term.
    public static func list(run: String) async throws -> [String] {
        let file = try ClusterFile.read(path: clusterFilePath(run))
        return try await withClient(file) { client in
            var lines: [String] = []
            var statuses: [NodeStatus] = []
            for node in file.nodes {
                guard node.isActive else {
                    lines.append("node \(node.id): removed")
                    continue
                }
                if let status = try? await client.statusAsync(node.id, timeout: .seconds(1)) {
                    statuses.append(status)
                    lines.append("node \(node.id): \(status.role.rawValue), term \(status.term), commit \(status.commitIndex), log \(status.lastIndex); "
                                 + "sees \(status.configuration) at \(status.configurationIndex)\(status.configurationIsCommitted ? "" : " (uncommitted)")"
                                 + (node.isFounder ? "" : " [joined]"))
                } else {
                    lines.append("node \(node.id): no answer")
                }
            }
            if let leader = statuses.leaderOfHighestTerm {
                lines.append("configuration (leader node \(leader.id), term \(leader.term)): \(leader.configuration) at index \(leader.configurationIndex), "
                             + (leader.configurationIsCommitted ? "committed" : "not committed yet"))
            } else {
                lines.append("configuration: no leader answers")
            }
            return lines
        }
    }

    // MARK: Steps

    private static func clusterFilePath(_ run: String) -> String { (run as NSString).appendingPathComponent("cluster.json") }

    /// A socket named `name` next to `address`'s (the run's socket directory).
    private static func sibling(of address: PeerAddress, name: String) throws -> PeerAddress {
        guard case .unix(let path) = address else { throw LabError("this cluster's nodes listen on \(address): member add knows UNIX sockets only") }
        return .unix(path: ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name))
    }

    private static func withClient<T: Sendable>(_ file: ClusterFile, including extra: NodeID? = nil,
                                                _ body: @Sendable (ClusterClient) async throws -> T) async throws -> T {
        var reachable = file
        reachable.nodes = file.nodes.filter { $0.isActive || $0.id == extra }
        return try await ClusterClient.with(reachable, body)
    }

    private static func waitForAnswer(_ client: ClusterClient, _ id: NodeID, until deadline: ContinuousClock.Instant,
                                      what: String) async throws -> NodeStatus {
        while ContinuousClock.now < deadline {
            if let status = try? await client.statusAsync(id, timeout: .milliseconds(500)) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LabError("timed out waiting for \(what)")
    }

    private static func currentLeader(_ client: ClusterClient, until deadline: ContinuousClock.Instant) async throws -> NodeStatus {
        while ContinuousClock.now < deadline {
            var answered: [NodeStatus] = []
            for id in client.nodeIDs { if let status = try? await client.statusAsync(id, timeout: .milliseconds(500)) { answered.append(status) } }
            if let leader = answered.leaderOfHighestTerm { return leader }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LabError("no leader answered")
    }

    /// Asks the leader for `change` until it is appended; returns the index of its entry.
    /// Refusals that pass (another change in progress, a leader not ready, a new leader) are
    /// retried; the others are the answer.
    private static func change(_ client: ClusterClient, _ change: MembershipChange, until deadline: ContinuousClock.Instant,
                               say: Say) async throws -> Int {
        var lastRefusal = "no leader answered"
        while ContinuousClock.now < deadline {
            let leader = try await currentLeader(client, until: deadline)
            switch try? await client.changeMembershipAsync(at: leader.id, change, timeout: .seconds(5)) {
            case .appended(let index)?:
                say("\(change): appended at index \(index) by leader node \(leader.id)")
                return index
            case .refused(let reason)?:
                lastRefusal = reason
                let passing = ["not the leader", "not committed yet", "has not committed", "handing leadership", "stopped before"]
                guard passing.contains(where: reason.contains) else { throw LabError("\(change) refused by node \(leader.id): \(reason)") }
            case nil:
                lastRefusal = "node \(leader.id) did not answer"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LabError("\(change) not appended before the timeout (last answer: \(lastRefusal))")
    }

    /// Waits until node `id` committed through `index` (the change that added it) and the
    /// log the leader had committed when it did; returns that commit index.
    private static func waitForCatchUp(_ client: ClusterClient, _ id: NodeID, from index: Int,
                                       until deadline: ContinuousClock.Instant) async throws -> Int {
        var target = index
        var leaderRead = false
        while ContinuousClock.now < deadline {
            if !leaderRead, let leader = try? await currentLeader(client, until: deadline), leader.commitIndex >= index {
                target = max(target, leader.commitIndex)
                leaderRead = true
            }
            if leaderRead, let status = try? await client.statusAsync(id, timeout: .milliseconds(500)), status.commitIndex >= target {
                return status.commitIndex
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LabError("node \(id) did not catch up with the log through \(target) before the timeout")
    }

    /// Waits until the leader reports a committed configuration that satisfies `condition`.
    private static func committedConfiguration(_ client: ClusterClient, until deadline: ContinuousClock.Instant,
                                               where condition: (Configuration) -> Bool) async throws -> Configuration {
        while ContinuousClock.now < deadline {
            if let leader = try? await currentLeader(client, until: deadline), leader.configurationIsCommitted, condition(leader.configuration) {
                return leader.configuration
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LabError("the change did not commit before the timeout")
    }

    /// Hands leadership from `leader` to the most up-to-date other voter; returns it.
    private static func handOver(_ client: ClusterClient, from leader: NodeStatus, until deadline: ContinuousClock.Instant) async throws -> NodeID {
        var candidates: [NodeStatus] = []
        for id in leader.configuration.voters where id != leader.id {
            if let status = try? await client.statusAsync(id, timeout: .milliseconds(500)) { candidates.append(status) }
        }
        guard let target = candidates.max(by: { $0.lastIndex < $1.lastIndex })?.id else {
            throw LabError("node \(leader.id) leads and no other voter answers: nobody to hand leadership to")
        }
        while ContinuousClock.now < deadline {
            _ = try? await client.transferLeaderAsync(at: leader.id, to: target)
            let waitUntil = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < min(deadline, waitUntil) {
                if let status = try? await client.statusAsync(target, timeout: .milliseconds(500)), status.role == .leader { return target }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw LabError("node \(target) did not take over from node \(leader.id) before the timeout")
    }
}
