import ArgumentParser
import Foundation
import RaftCore
import RaftLab

/// `raftlab member`: the members of a running cluster.
struct MemberCommand: AsyncParsableCommand {
    /// Runs one change, printing its steps and how long it took; a `LabError` is one line on
    /// stderr and exit status 1.
    static func perform(_ name: String, _ change: @Sendable (@escaping MembershipOperator.Say) async throws -> Configuration) async throws {
        let started = ContinuousClock.now
        do {
            let configuration = try await change({ print($0) })
            print("done in \(String(format: "%.2f", (ContinuousClock.now - started).secondsDouble)) s: \(configuration)")
        } catch let error as LabError {
            FileHandle.standardError.write(Data("raftlab member \(name): \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Add, remove and list the members of a running cluster (one server at a time).",
        discussion: """
        Works on a running `raftlab up` (its run directory): `add` writes the new node into the \
        cluster file, the launcher starts it, the leader adds it as a learner, and once it holds \
        the committed log it is promoted to voter. `remove` hands leadership away first when the \
        node leads, waits until its removal commits, then the launcher stops it. Changes go one \
        at a time (Raft thesis §4.1); a change asked while another is uncommitted waits for it.

        Examples:
          raftlab member list --run traces/<run-id>
          raftlab member add --run traces/<run-id>
          raftlab member add --run traces/<run-id> --id 7 --learner
          raftlab member remove --run traces/<run-id> --id 0
        """,
        subcommands: [Add.self, Remove.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a node: started by the launcher, caught up as a learner, then promoted to voter.")
        @Option(help: "The run directory of a running `raftlab up` (its cluster.json).") var run: String
        @Option(help: "The new node's id (default: one more than the highest in the cluster file).") var id: Int?
        @Flag(help: "Keep the node a learner (it receives the log, neither votes nor counts).") var learner = false
        @Option(help: "Seconds to wait for the whole change.") var timeout: Double = 30

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            let (run, id, learner, timeout) = (run, id, learner, Duration.milliseconds(Int(timeout * 1000)))
            try await MemberCommand.perform("add") { say in
                try await MembershipOperator.add(run: run, id: id, learnerOnly: learner, timeout: timeout, say: say).configuration
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a node: its removal commits, then the launcher stops it.")
        @Option(help: "The run directory of a running `raftlab up` (its cluster.json).") var run: String
        @Option(help: "The node to remove.") var id: Int
        @Option(help: "Seconds to wait for the whole change.") var timeout: Double = 30

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            let (run, id, timeout) = (run, id, Duration.milliseconds(Int(timeout * 1000)))
            try await MemberCommand.perform("remove") { say in
                try await MembershipOperator.remove(run: run, id: id, timeout: timeout, say: say)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every node's status and the configuration the leader reports.")
        @Option(help: "The run directory of a running `raftlab up` (its cluster.json).") var run: String

        func run() async throws {
            do {
                for line in try await MembershipOperator.list(run: run) { print(line) }
            } catch let error as LabError {
                FileHandle.standardError.write(Data("raftlab member list: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
