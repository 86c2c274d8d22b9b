import RaftCore
import RaftLab
import RaftRuntime

extension ClusterLauncher {
    /// When a restarted node first answered and when its status first met the condition,
    /// in milliseconds from its process start.
    struct RestartTiming {
        var answeredMs: Double
        var readyMs: Double
    }

    /// Starts node `id` (down already) and polls its status every 2 ms until `isReady` holds;
    /// throws `failure` after `timeout`. The node answers only once it loaded its durable
    /// state (`Raft.run`), so "answered" is its restart time.
    func startTimed(_ id: NodeID, timeout: Duration, failure: String,
                    until isReady: (NodeStatus) -> Bool) async throws -> RestartTiming {
        let clock = ContinuousClock()
        let processStart = clock.now
        try processes.start(id)
        var answered: ContinuousClock.Instant?
        var ready: ContinuousClock.Instant?
        while ready == nil && clock.now - processStart < timeout {
            if let status = try? await client.statusAsync(id, timeout: .seconds(1)) {
                let now = clock.now
                if answered == nil { answered = now }
                if isReady(status) { ready = now }
            } else {
                client.forget(id)
            }
            if ready == nil { try await Task.sleep(for: .milliseconds(2)) }
        }
        guard let answered, let ready else { throw LabError(failure) }
        return RestartTiming(answeredMs: (answered - processStart).secondsDouble * 1000,
                             readyMs: (ready - processStart).secondsDouble * 1000)
    }
}
