import RaftCore
import RaftRuntime

extension NodeProcess {
    /// The body of `raftlab node --repair`: cuts the log of node `id` (its data directory
    /// from the cluster file) at its first bad record, without starting the node, and
    /// returns what the cut lost (`DurableLog.repair(directory:)`).
    public static func repair(clusterFile path: String, id: NodeID) throws -> RepairReport {
        let file = try ClusterFile.read(path: path)
        return try DurableLog.repair(directory: file.node(id).data)
    }
}
