import ArgumentParser

/// `raftlab bench …`: benchmarks that print figures (never pass/fail tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure raftlab's speed and print the figures.",
        subcommands: [BenchCoreCommand.self, BenchClusterCommand.self, BenchStorageCommand.self, BenchWireCommand.self, BenchTraceCommand.self, BenchAnalyzeCommand.self, BenchFuzzCommand.self, BenchRecoveryCommand.self, BenchStallCommand.self, BenchCompactionCommand.self, BenchTransferCommand.self, BenchCatchUpCommand.self, BenchSoakCommand.self, BenchLinearizabilityCommand.self]
    )
}
