import ArgumentParser
import RaftLab
import RaftRuntime

/// `raftlab node`: one cluster member as a process (the launcher starts these).
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one Raft node as a process, as described by a cluster file.",
        discussion: """
        `raftlab up` writes the cluster file and starts one `raftlab node` per member; run one \
        by hand to restart a member of a running cluster. SIGTERM or SIGINT stops it cleanly; \
        on SIGTERM a leader first hands leadership to its most up-to-date follower (waiting at most \
        an election timeout, or a second), so the cluster does not wait out an election.

        A node cuts a torn tail off its log and starts, but refuses to start when a bad record \
        has valid records after it: cutting there could drop a vote or entries it acknowledged. \
        `--repair` makes that cut on purpose: it prints one line per lost record and unreadable \
        range, then a summary, and exits without starting the node.

        Examples:
          raftlab node --cluster traces/<run-id>/cluster.json --id 2
          raftlab node --cluster traces/<run-id>/cluster.json --id 2 --repair
        """
    )

    @Option(help: "The cluster file (written by `raftlab up`).") var cluster: String
    @Option(help: "This node's id in the cluster file.") var id: Int
    @Flag(help: "Exit when standard input closes (the launcher uses this so no node outlives it).")
    var exitWithParent = false
    @Flag(help: "Cut this node's corrupt log at its first bad record, print what is lost, and exit.")
    var repair = false

    func validate() throws {
        if repair && exitWithParent { throw ValidationError("--repair does not start the node: drop --exit-with-parent") }
    }

    func run() async throws {
        do {
            if repair {
                for line in try NodeProcess.repair(clusterFile: cluster, id: id).lines { print(line) }
                return
            }
            try await NodeProcess.run(clusterFile: cluster, id: id, exitWithParent: exitWithParent)
        } catch let error as StorageError {
            throw error // the data directory, not the command line: `Error: <one line>`, no usage
        } catch let error as NodeProcess.NodeFailure {
            throw error // the disk failed while running: `Error: <one line>`, exit status 1
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
