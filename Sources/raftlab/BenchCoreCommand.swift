import ArgumentParser
import Foundation
import RaftBench
import RaftCore
import RaftSim

/// `raftlab bench core`: protocol steps per second of the pure core, one thread.
struct BenchCoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Protocol steps per second of RaftCore in an in-memory cluster committing proposals.",
        discussion: """
        Runs N in-memory nodes on one thread with FIFO delivery; the leader always has
        --in-flight proposals outstanding, submitted --batch at a time. Build with -c release.

        Example:
          swift run -c release raftlab bench core --nodes 5 --seconds 5
        """
    )

    @Option(help: "Cluster size.") var nodes = 5
    @Option(help: "Seconds to measure (after a one-second warm-up).") var seconds = 5.0
    @Option(help: "Proposals per propose input.") var batch = 1
    @Option(name: .customLong("in-flight"), help: "Proposals outstanding at the leader.") var inFlight = 64
    @Option(help: "Payload bytes per proposal.") var payload = 16
    @Option(help: "Profile: standard or lite.") var profile: ProfileOption = .standard
    @Flag(help: "Leave trace events out of the outputs.") var noTrace = false

    func validate() throws {
        guard (1...RaftLimits.clusterSizeMax).contains(nodes) else { throw ValidationError("--nodes must be 1...\(RaftLimits.clusterSizeMax)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard batch >= 1, inFlight >= batch else { throw ValidationError("--in-flight must be at least --batch (≥ 1)") }
    }

    func run() throws {
        var options = profile.options
        options.emitsTraceEvents = !noTrace
        var bench = CoreBenchmark(nodeCount: nodes, options: options, batchSize: batch,
                                  proposalsInFlight: inFlight, payloadBytes: payload)
        let clock = ContinuousClock()
        let warmUpEnd = clock.now + .seconds(1)
        while clock.now < warmUpEnd { bench.run(stepsMin: 10_000) }
        let (steps0, commits0, messages0) = (bench.steps, bench.commits, bench.messages)
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        var lastReport = start
        while clock.now < end {
            bench.run(stepsMin: 20_000)
            if clock.now - lastReport >= .seconds(1) {
                lastReport = clock.now
                let elapsed = (clock.now - start).seconds
                FileHandle.standardError.write("… \(Int(Double(bench.steps - steps0) / elapsed)) steps/s\n".data(using: .utf8)!)
            }
        }
        let elapsed = (clock.now - start).seconds
        let steps = bench.steps - steps0
        let commits = bench.commits - commits0
        let messages = bench.messages - messages0
        print("core bench: \(nodes) nodes, profile \(profile.rawValue), batch \(batch), in flight \(inFlight), payload \(payload) B, trace \(noTrace ? "off" : "on")")
        print(String(format: "steps/s     %12.0f", Double(steps) / elapsed))
        print(String(format: "commits/s   %12.0f", Double(commits) / elapsed))
        print(String(format: "messages/s  %12.0f", Double(messages) / elapsed))
        print(String(format: "steps/commit %11.2f", Double(steps) / Double(max(commits, 1))))
    }
}

extension Duration {
    /// This duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
