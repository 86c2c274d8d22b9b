import NIOPosix
import RaftCore
import RaftRuntime

/// `raftlab leader transfer`: asks a running cluster's leader to hand leadership to a chosen
/// member, and waits until that member leads.
public enum LeaderTransfer {
    /// What happened.
    public struct Outcome: Sendable {
        /// The leader that handed over, and the one that took over.
        public var from: NodeID
        public var to: NodeID
        /// From the request to the first status in which `to` leads.
        public var milliseconds: Double
        /// The term `to` leads.
        public var term: Term
    }

    /// Moves leadership of the cluster described by `clusterFile` to `target`; throws a
    /// one-line `LabError` when `target` is not a member, no leader answers, or `target` does
    /// not lead within `timeout`.
    public static func run(clusterFile: String, to target: NodeID, timeout: Duration) async throws -> Outcome {
        var cluster = try ClusterFile.read(path: clusterFile)
        cluster.nodes = cluster.activeNodes // removed members neither answer nor lead
        guard cluster.nodes.contains(where: { $0.id == target }) else {
            throw LabError("node \(target) is not a member of \(clusterFile) (members: \(cluster.nodes.map(\.id)))")
        }
        return try await ClusterClient.with(cluster) { client in try await transfer(through: client, to: target, timeout: timeout) }
    }

    private static func transfer(through client: ClusterClient, to target: NodeID, timeout: Duration) async throws -> Outcome {
        let leader = try await client.waitForLeader(timeout: min(timeout, .seconds(10)))
        let clock = ContinuousClock()
        let started = clock.now
        if leader != target {
            _ = try await client.transferLeaderAsync(at: leader, to: target)
        }
        while clock.now - started < timeout {
            if let status = try? await client.statusAsync(target, timeout: .seconds(1)), status.role == .leader {
                return Outcome(from: leader, to: target, milliseconds: (clock.now - started).secondsDouble * 1000, term: status.term)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw LabError("node \(target) did not take over from node \(leader) within \(timeout)")
    }
}
