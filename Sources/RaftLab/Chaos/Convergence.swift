import RaftCore
import RaftRuntime

/// After the final heal: wait until the cluster has one leader and every node holds and has
/// committed exactly the leader's log.
enum Convergence {
    /// How a wait ended.
    enum Outcome {
        /// Every node committed up to `commitIndex`, `seconds` after the wait began.
        case converged(seconds: Double, commitIndex: Int)
        /// The timeout passed; `problem` says what was still wrong.
        case timedOut(problem: String)
    }

    /// Time between two looks at the cluster.
    static let pollMilliseconds = 50

    /// Waits until a leader exists and every node answers; returns the leader, or nil after
    /// `seconds`.
    static func waitForLeader(_ injector: FaultInjector, seconds: Double) async -> NodeStatus? {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        repeat {
            let statuses = await injector.statusOfAll()
            if statuses.count == injector.nodes.count, let leader = statuses.leaderOfHighestTerm {
                return leader
            }
            try? await Task.sleep(for: .milliseconds(pollMilliseconds))
        } while clock.now < deadline
        return nil
    }

    /// Waits until every node reports the leader's last index as its own last index and
    /// commit index (with no new writes coming, so the logs stop moving).
    static func waitUntilConverged(_ injector: FaultInjector, seconds: Double) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        var problem = "no node answered"
        repeat {
            let statuses = await injector.statusOfAll()
            if let verdict = check(statuses, nodes: injector.nodes) {
                problem = verdict
            } else {
                let commit = statuses.map(\.commitIndex).max() ?? 0
                return .converged(seconds: (clock.now - start).secondsDouble, commitIndex: commit)
            }
            try? await Task.sleep(for: .milliseconds(pollMilliseconds))
        } while clock.now < deadline
        return .timedOut(problem: problem)
    }

    /// What keeps `statuses` from being converged, or nil when they are.
    static func check(_ statuses: [NodeStatus], nodes: [NodeID]) -> String? {
        let answered = Set(statuses.map(\.id))
        let silent = nodes.filter { !answered.contains($0) }
        guard silent.isEmpty else { return "node \(NodeGroups.list(silent)) did not answer" }
        guard let leader = statuses.leaderOfHighestTerm else { return "no leader" }
        let behind = statuses.filter { $0.lastIndex != leader.lastIndex || $0.commitIndex != leader.lastIndex }
        guard behind.isEmpty else {
            return "leader \(leader.id) has log \(leader.lastIndex); not caught up: "
                + behind.map { "node \($0.id) log \($0.lastIndex) commit \($0.commitIndex)" }.joined(separator: ", ")
        }
        return nil
    }
}
