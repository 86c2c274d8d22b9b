import ArgumentParser

/// The `raftlab` command: a Raft implementation you can run, break, check and watch.
@main
struct RaftLab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftlab",
        abstract: "A Raft consensus lab: run a local cluster, break it, check it, watch it.",
        discussion: """
        Examples:
          raftlab up --nodes 5 --clients 8 --duration 10   a real cluster of node processes with a workload
          raftlab analyze traces/<run-id>                  safety checks, latency, throughput of a run
          raftlab chaos --duration 60 --interval 3         kill, pause, partition under load; a safety verdict
          raftlab leader transfer --run traces/<run-id> --to 2   hand leadership to node 2
          raftlab sim --nodes 5 --seed 7        an in-memory cluster on a seeded random schedule
          raftlab bench core                    protocol steps per second of the pure core
          raftlab explore                       the model, step by step, in a browser
        """,
        subcommands: [
            // One file per subcommand; keep this list in the order of `raftlab --help`.
            UpCommand.self,
            NodeCommand.self,
            LeaderCommand.self, MemberCommand.self,
            SimCommand.self,
            BenchCommand.self,
            CheckCommand.self,
            ExploreCommand.self,
            AnalyzeCommand.self,
            ChaosCommand.self,
            TraceCompressCommand.self,
        ]
    )
}
