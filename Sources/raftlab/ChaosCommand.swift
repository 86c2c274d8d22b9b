import ArgumentParser
import Foundation
import RaftLab

/// `raftlab chaos`: kill, pause and partition a real cluster on a seeded schedule, then judge.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Kill, pause and partition a local cluster under load on a seeded schedule, then judge safety and availability.",
        discussion: """
        Starts a cluster as `raftlab up` does, runs a client workload throughout, and every --interval seconds strikes with one fault drawn from --nemesis, undoing it after --fault-duration seconds (default: half the interval). Faults never overlap; each kind comes once per cycle in an order the seed shuffles.

          kill-leader        kill -9 the leader; restart it when the fault ends
          kill               kill -9 a node chosen by the seed; restart it
          pause              SIGSTOP a node chosen by the seed; SIGCONT it
          pause-leader       SIGSTOP the leader; SIGCONT it
          partition-leader   cut the leader off from all others, both ways
          partition-split    cut a minority off the majority (seeded sides)
          partition-one-way  lose the leader's messages out, or those to it
          partition          the three partitions; all: every nemesis

        --seed fixes the schedule and the nodes' election timeouts; it is printed and written to run.json with the planned schedule. Every fault and heal is a `nemesis` event in chaos.jsonl.gz, so the merged trace, `raftlab analyze --timeline` and the HTML report (report.html in the run directory) show them.

        After --duration seconds everything is healed, the workload stops, the cluster converges and the traces are analyzed. The verdict lists each safety check, acknowledged writes lost (must be 0), duplicates, availability (the share of time a leader could commit), failover time from a leader fault to the first commit under the next leader (p50/p99/max) and throughput under faults against calm periods. Exit status 0 only if every run was safe; a failing run prints the command that reproduces it. docs/CHAOS.md has the details.

        Examples:
          raftlab chaos
          raftlab chaos --nemesis kill-leader --interval 1 --duration 60
          raftlab chaos --nemesis kill,pause,partition --interval 3 --seed 7
          raftlab chaos --runs 10 --duration 20 --interval 2
        """
    )

    @Option(help: "Cluster size (at least 3).") var nodes = 5
    @Option(help: ArgumentHelp("Faults to draw from, comma-separated (see above).", valueName: "list"))
    var nemesis = "kill-leader,kill,pause,partition"
    @Option(help: "Seconds from one fault to the next.") var interval = 5.0
    @Option(help: "Seconds of chaos before everything is healed.") var duration = 60.0
    @Option(help: "Seconds each fault lasts (default: half the interval).") var faultDuration: Double?
    @Option(help: "Experiments to run, with seeds S, S+1, ... (a campaign with a summary table).") var runs = 1
    @Option(help: "Closed-loop clients (default 4 when no --load).") var clients: Int?
    @Option(help: "Open-loop requests per second instead of closed-loop clients.") var load: Double?
    @Option(help: "Payload bytes per request.") var payload = 64
    @Option(help: "Milliseconds a client waits for a reply before it records a timeout.") var requestTimeout: Int64 = 1000
    @Option(help: "Seconds the cluster may take to converge after the final heal.") var convergeTimeout = 30.0
    @OptionGroup var node: NodeParameterOptions
    @Option(help: "Directory for run directories.") var traces = "traces"
    @Flag(help: "No live status line.") var quiet = false

    func validate() throws {
        try NodeParameterOptions.validateWorkload(clients: clients, load: load, payload: payload)
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be 1...10000") }
        try node.validate()
        do {
            try chaosOptions().validate()
        } catch let error as LabError {
            throw ValidationError(error.description)
        }
    }

    func chaosOptions() throws -> ChaosOptions {
        var cluster = try node.upOptions()
        cluster.nodes = nodes
        cluster.clients = clients
        cluster.loadPerSecond = load
        cluster.payloadBytes = payload
        cluster.tracesRoot = traces
        cluster.showsStatus = !quiet
        var options = ChaosOptions(cluster: cluster)
        // After the init, which replaces `up`'s default timeout with chaos's: any value given
        // here, 5000 included, is the user's.
        options.cluster.requestTimeoutMs = requestTimeout
        do {
            options.nemeses = try NemesisKind.parseList(nemesis)
        } catch let error as LabError {
            throw ValidationError("--nemesis: \(error.description)")
        }
        options.intervalSeconds = interval
        options.durationSeconds = duration
        options.faultSeconds = faultDuration
        options.convergeTimeoutSeconds = convergeTimeout
        return options
    }

    func run() async throws {
        let options = try chaosOptions()
        let stop = StopSignal()
        let signals = stop.fireOnSignals()
        defer { for source in signals { source.cancel() } }
        // Unbuffered, so faults reach a pipe (a log, `tee`) as they land.
        let say: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        if runs > 1 { say("campaign: \(runs) runs, seeds \(options.seed)...\(options.seed &+ UInt64(runs - 1))") }
        let entries = await ChaosCampaign.run(options, runs: runs, stop: stop, say: say)
        if runs > 1 { say("\n" + ChaosCampaign.summary(entries).dropLast()) }
        if !entries.allSatisfy(\.isSafe) || entries.count < runs && !stop.hasFired { throw ExitCode.failure }
    }
}
