import ArgumentParser
import RaftBench

/// `raftlab bench linearizability`: the checker's speed on a large key-value history.
struct BenchLinearizabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linearizability",
        abstract: "Check a generated key-value history for linearizability; print the time and the floor.",
        discussion: """
        Generates the history of an ideal key-value store (each operation takes effect at one \
        instant inside its interval, so the history is linearizable and the whole search runs) \
        and checks it key by key on every core, --runs times. The floor is grouping the \
        operations by key and sorting their events, measured on the same history. Build with \
        -c release.

        Example:
          swift run -c release raftlab bench linearizability --operations 100000 --keys 100 --clients 16
        """
    )

    @Option(help: "Operations in the history.") var operations = 100_000
    @Option(help: "Keys they touch.") var keys = 100
    @Option(help: "Clients running them, one operation at a time each.") var clients = 16
    @Option(help: "Times the history is checked.") var runs = 3
    @Option(help: "Seed of the generated history.") var seed: UInt64 = 1

    func validate() throws {
        guard operations >= 1 else { throw ValidationError("--operations must be at least 1, got \(operations)") }
        guard keys >= 1 else { throw ValidationError("--keys must be at least 1, got \(keys)") }
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1, got \(clients)") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be in 1...100, got \(runs)") }
    }

    func run() {
        print(LinearizabilityBenchmark.run(operations: operations, keys: keys, clients: clients, runs: runs, seed: seed) { print($0) })
    }
}
