import ArgumentParser
import Foundation
import RaftLab

/// `raftlab leader`: leadership of a running cluster.
struct LeaderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leader",
        abstract: "Leadership of a running cluster.",
        subcommands: [Transfer.self]
    )

    /// `raftlab leader transfer --to N`.
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer",
            abstract: "Hand leadership of a running cluster to one member (Raft thesis §3.10).",
            discussion: """
            The leader stops appending proposals (they wait for the new leader), brings the member's \
            log up to date and tells it to campaign at once; the command returns when the member \
            leads, and says how long it took. A leader that cannot hand over within an election \
            timeout leads on, and the command fails after --timeout.

            Example:
              raftlab leader transfer --run traces/<run-id> --to 2
            """
        )

        @Option(help: "The run directory of a running `raftlab up` (its cluster.json).") var run: String
        @Option(help: "The member that should lead.") var to: Int
        @Option(help: "Seconds to wait for it to lead.") var timeout: Double = 5

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            let clusterFile = (run as NSString).appendingPathComponent("cluster.json")
            do {
                let outcome = try await LeaderTransfer.run(clusterFile: clusterFile, to: to, timeout: .milliseconds(Int(timeout * 1000)))
                if outcome.from == outcome.to {
                    print("node \(outcome.to) leads already (term \(outcome.term))")
                } else {
                    print("leader: node \(outcome.from) → node \(outcome.to) (term \(outcome.term)) in \(String(format: "%.1f", outcome.milliseconds)) ms")
                }
            } catch let error as LabError {
                FileHandle.standardError.write(Data("raftlab leader transfer: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
