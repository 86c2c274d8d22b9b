import Foundation
import RaftAnalyze
import RaftCore
import RaftTrace

/// One `raftlab chaos` run from start to verdict: start the cluster and the workload, strike
/// and heal on the seeded schedule (printing each fault as it lands), heal everything, let
/// the cluster converge, stop it, merge and analyze the traces, and judge.
///
/// Whatever goes wrong, every node process the run started is stopped before it returns or
/// throws.
public enum ChaosRun {
    /// Runs `options`; `say` prints a line for the user; `stop` ends the chaos period early
    /// (Ctrl-C), after which the run still heals, converges and analyzes.
    public static func run(_ options: ChaosOptions, executable: String = NodeProcessSet.currentExecutable(),
                           stop: StopSignal = StopSignal(), say: @escaping @Sendable (String) -> Void) async throws -> ChaosVerdict {
        try options.validate()
        let schedule = options.schedule
        let launcher = try ClusterLauncher(options: options.cluster, executable: executable)
        try ChaosManifest.amend(path: launcher.run.layout.manifestPath, options: options, schedule: schedule)
        say("chaos run \(launcher.run.runID): seed \(options.seed), \(options.cluster.nodes) nodes, nemeses \(options.nemeses.map(\.rawValue).joined(separator: ","))")
        say("a fault every \(ChaosOptions.number(options.intervalSeconds)) s lasting \(ChaosOptions.number(options.resolvedFaultSeconds)) s, "
            + "\(ChaosOptions.number(options.durationSeconds)) s of chaos: \(schedule.steps.count) faults planned; traces in \(launcher.run.layout.directory)")
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster()
            say("leader: node \(leader) after \(Int((ContinuousClock.now - started).secondsDouble * 1000)) ms; workload: \(options.cluster.workloadMode.map(\.description) ?? "none")")
            try await launcher.startObservability(say: say)
            let chaosTrace = try TraceWriter(path: launcher.run.layout.chaosTracePath, node: -1, incarnation: 0)
            let injector = FaultInjector(launcher: launcher, trace: chaosTrace)
            try launcher.startWorkload()
            var period = ChaosPeriod(options: options, schedule: schedule, injector: injector, launcher: launcher, say: say)
            let resources = Task { await reportResources(launcher, every: .seconds(60), say: say) }
            defer { resources.cancel() }
            try await period.run(stop: stop)
            let outcome = await converge(options: options, injector: injector, launcher: launcher, say: say)
            try chaosTrace.close()
            let report = try await launcher.shutdown(startedAt: started)
            return try judge(options: options, schedule: schedule, period: period, outcome: outcome,
                             warnings: injector.warnings, traceNotes: report.mergeWarnings, launcher: launcher)
        } catch {
            say("error: \(error); stopping the nodes (logs in \(launcher.run.logDirectory))")
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
    }

    /// Says every `interval` what each node process holds: resident and private memory and
    /// open file descriptors (a soak shows growth there first).
    private static func reportResources(_ launcher: ClusterLauncher, every interval: Duration, say: @escaping @Sendable (String) -> Void) async {
        let started = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            let processes = launcher.processes
            let nodes = launcher.cluster.nodes.map(\.id).map { id -> String in
                guard let rss = processes.residentMemoryBytes(id) else { return "\(id): down" }
                let anon = processes.privateMemoryBytes(id) ?? 0
                return String(format: "%d: %.0f/%.0f MiB %d fds", id, Double(rss) / 1_048_576, Double(anon) / 1_048_576,
                              processes.openDescriptors(id) ?? 0)
            }
            let minutes = Int((ContinuousClock.now - started).secondsDouble / 60 + 0.5)
            say("resources at \(minutes) min (RSS/private, open fds): " + nodes.joined(separator: ", "))
        }
    }

    /// Waits for a leader, stops the workload, then waits until every node caught up.
    private static func converge(options: ChaosOptions, injector: FaultInjector, launcher: ClusterLauncher,
                                 say: (String) -> Void) async -> Convergence.Outcome {
        say("waiting for the cluster to converge (at most \(ChaosOptions.number(options.convergeTimeoutSeconds)) s)")
        let clock = ContinuousClock()
        let start = clock.now
        let leader = await Convergence.waitForLeader(injector, seconds: options.convergeTimeoutSeconds)
        await launcher.stopWorkload()
        guard leader != nil else {
            say("did NOT converge: no leader that every node answers within \(ChaosOptions.number(options.convergeTimeoutSeconds)) s")
            return .timedOut(problem: "no leader within \(ChaosOptions.number(options.convergeTimeoutSeconds)) s of the final heal")
        }
        let remaining = max(1, options.convergeTimeoutSeconds - (clock.now - start).secondsDouble)
        switch await Convergence.waitUntilConverged(injector, seconds: remaining) {
        case .converged(_, let commitIndex):
            let seconds = (clock.now - start).secondsDouble
            say("converged \(String(format: "%.2f", seconds)) s after the final heal: every node holds and committed \(commitIndex) entries")
            return .converged(seconds: seconds, commitIndex: commitIndex)
        case .timedOut(let problem):
            say("did NOT converge: \(problem)")
            return .timedOut(problem: problem)
        }
    }

    /// Analyzes the merged trace and builds the verdict.
    private static func judge(options: ChaosOptions, schedule: ChaosSchedule, period: ChaosPeriod, outcome: Convergence.Outcome,
                              warnings: [String], traceNotes: [String], launcher: ClusterLauncher) throws -> ChaosVerdict {
        let window = period.startUs...max(period.startUs, period.endUs)
        let observer = ChaosObserver(window: window)
        let analysis = try Analysis.run(try AnalysisInputs(paths: [launcher.run.layout.directory]), observers: [observer])
        var htmlPath: String?
        if options.writesHTMLReport {
            let path = launcher.run.layout.directory + "/report.html"
            if FileManager.default.createFile(atPath: path, contents: Data(HTMLReport.render(analysis).utf8)) { htmlPath = path }
        }
        let statistics = analysis.statistics
        var converged = false
        var convergeSeconds: Double?
        var convergeProblem: String?
        switch outcome {
        case .converged(let seconds, _): (converged, convergeSeconds) = (true, seconds)
        case .timedOut(let problem): convergeProblem = problem
        }
        let throughput = observer.throughput
        let verdict = ChaosVerdict(
            runID: launcher.run.runID, runDirectory: launcher.run.layout.directory, seed: options.seed,
            reproduceCommand: options.reproduceCommand(seed: options.seed),
            faultsInjected: period.injected, faultsSkipped: period.skipped, faultsPlanned: schedule.steps.count,
            chaosSeconds: Double(window.upperBound - window.lowerBound) / 1e6,
            converged: converged, convergeSeconds: convergeSeconds, convergeProblem: convergeProblem,
            safety: analysis.safety, writes: observer.ledger.counts(),
            invoked: statistics.eventsByType["invoke"] ?? 0, failed: statistics.failed, timedOut: statistics.timedOut,
            availability: observer.leadership.availability, failovers: observer.failoverSummaries,
            faultThroughput: throughput.faultRate, calmThroughput: throughput.calmRate,
            faultSeconds: Double(throughput.faultUs) / 1e6, calmSeconds: Double(throughput.calmUs) / 1e6,
            elections: statistics.elections, leaderlessSeconds: statistics.leaderlessSeconds,
            htmlReport: htmlPath, warnings: warnings, traceNotes: traceNotes)
        try verdict.write(path: launcher.run.layout.directory + "/" + ChaosVerdict.fileName)
        return verdict
    }
}
