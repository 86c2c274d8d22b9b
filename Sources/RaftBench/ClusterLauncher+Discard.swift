import Foundation
import RaftLab

extension ClusterLauncher {
    /// Stops a benchmark's cluster and removes its run directory (a benchmark keeps figures,
    /// not traces).
    func discard(startedAt started: ContinuousClock.Instant) async {
        _ = await stopCluster(startedAt: started)
        try? FileManager.default.removeItem(atPath: run.layout.directory)
    }
}
