import ArgumentParser
import RaftLab

/// `raftlab node`: one cluster member as a process (the launcher starts these).
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one Raft node as a process, as described by a cluster file.",
        discussion: """
        `raftlab up` writes the cluster file and starts one `raftlab node` per member; run one
        by hand to restart a member of a running cluster. SIGTERM or SIGINT stops it cleanly.

        Example:
          raftlab node --cluster traces/<run-id>/cluster.json --id 2
        """
    )

    @Option(help: "The cluster file (written by `raftlab up`).") var cluster: String
    @Option(help: "This node's id in the cluster file.") var id: Int
    @Flag(help: "Exit when standard input closes (the launcher uses this so no node outlives it).")
    var exitWithParent = false

    func run() async throws {
        do {
            try await NodeProcess.run(clusterFile: cluster, id: id, exitWithParent: exitWithParent)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
