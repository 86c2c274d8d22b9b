import ArgumentParser

/// The `raftlab` command: a Raft implementation you can run, break, check and watch.
@main
struct RaftLab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftlab",
        abstract: "A Raft consensus lab: run a local cluster, break it, check it, watch it.",
        discussion: """
        Examples:
          raftlab sim --nodes 5 --seed 7        an in-memory cluster on a seeded random schedule
          raftlab bench core                    protocol steps per second of the pure core
        """,
        subcommands: [
            // One file per subcommand; keep this list in the order of `raftlab --help`.
            SimCommand.self,
            BenchCommand.self,
            CheckCommand.self,
            AnalyzeCommand.self,
        ]
    )
}
