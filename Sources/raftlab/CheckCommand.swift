import ArgumentParser
import Foundation
import RaftCheck
import RaftCore

/// `raftlab check`: exhaustive model checking of `RaftCore` to a depth bound.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Explore every interleaving of a small cluster to a depth and check Raft's safety properties.",
        discussion: """
        The default model is raft-lite's stateright model: 3 servers, each starting with both timers armed and a client proposal of its own id; an unordered network that neither loses nor duplicates; at most (n-1)/2 crash-stop crashes. Every delivery, timer firing and crash is an action; with --crash restart a server may also crash inside a batch, between the stages of the runtime's order. Output has stateright's shape: progress every second on stderr, then "Done. states=…, unique=…, depth=…, sec=…" and one "Discovered" block per property. Exit status 1 when an always-property has a counterexample. docs/MODEL.md describes the model.

        Examples:
          raftlab check --depth 10
          raftlab check --depth 12 --crash restart
          raftlab check --profile full --crash restart --symmetry --depth 14
          raftlab check --mutant forget-vote-on-restart --crash restart --depth 9 --stop-at-counterexample
          raftlab check --mutant send-before-persist --crash restart --symmetry --depth 12 --stop-at-counterexample
          raftlab check --list-mutants
          raftlab check --replay docs/model/figure8-commit-older-term.txt --mutant commit-older-term
        """
    )

    @OptionGroup var model: ModelOptions
    @Option(help: "Depth bound: states on a path, the initial state included (as stateright's target_max_depth).")
    var depth = 10
    @Option(help: "Worker threads (default: every core).")
    var threads: Int?
    @Flag(help: "Depth-first search instead of breadth-first (less memory; paths may be longer).")
    var dfs = false
    @Flag(name: .customLong("list-mutants"), help: "Print the mutant names, one per line, and exit.")
    var listMutants = false
    @Flag(name: .customLong("stop-at-counterexample"), help: "Stop at the first counterexample to an always-property.")
    var stopAtCounterexample = false
    @Option(help: "Replay a path file (as printed by a check) and print every state along it.")
    var replay: String?
    @Option(help: "Start from the end of this path file instead of the initial state (for --replay too).")
    var from: String?

    func validate() throws {
        guard (1...VisitedSet.depthMax).contains(depth) else {
            throw ValidationError("--depth must be in 1...\(VisitedSet.depthMax), got \(depth)")
        }
        if let threads, !(1...CheckerOptions.threadCountMax).contains(threads) {
            throw ValidationError("--threads must be in 1...\(CheckerOptions.threadCountMax), got \(threads)")
        }
    }

    private var modelConfiguration: RaftModelConfiguration { model.configuration }

    func run() throws {
        if listMutants {
            for mutant in Mutant.allCases { print(mutant.rawValue) }
            return
        }
        let model = try makeModel()
        if let replay {
            try replayPath(at: replay, model: model)
            return
        }
        let options = CheckerOptions(depthMax: depth, threadCount: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                     strategy: dfs ? .depthFirst : .breadthFirst,
                                     stopsAtFirstCounterexample: stopAtCounterexample)
        let start = from.map { "; starting after \(model.startPath.count) step(s) of \($0)" } ?? ""
        print("Model: \(model.configuration)\(start); search: \(options.strategy.rawValue) to depth \(depth) on \(options.threadCount) thread(s)")
        let result = RaftChecker(model: model, options: options).run(reportEvery: 1) { progress in
            FileHandle.standardError.write(Data((CheckReportFormat.progressLine(progress) + "\n").utf8))
        }
        print(CheckReportFormat.doneLine(result.progress))
        for discovery in result.discoveries {
            print(CheckReportFormat.discoveryText(discovery, model: model), terminator: "")
        }
        if result.stopReason != .exhausted && result.stopReason != .everyPropertyDiscovered {
            print("Stopped early: \(result.stopReason.rawValue)")
        }
        print(CheckReportFormat.performanceLine(result.progress, peakResidentBytes: ProcessMemory.peakResidentBytes()))
        print("Tables: \(model.statistics), visited set MB=\(result.visitedSetBytes >> 20)")
        if result.hasCounterexample { throw ExitCode(1) }
    }

    /// The model, starting at the end of `--from`'s path when given.
    private func makeModel() throws -> RaftModel {
        guard let from else { return RaftModel(modelConfiguration) }
        let lines = try readPath(from)
        do {
            return try RaftModel.starting(after: lines.map(\.label), modelConfiguration)
        } catch {
            throw fail("\(from):\(lines[error.stepIndex].number): \(error)")
        }
    }

    /// The action lines of the path file at `file`, or a one-line error naming the file and line.
    private func readPath(_ file: String) throws -> [PathFile.Line] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw fail("\(file): cannot read: \(error.localizedDescription)")
        }
        do {
            return try PathFile.parse(text)
        } catch {
            throw fail(error.line > 0 ? "\(file):\(error.line): \(error.message)" : "\(file): \(error.message)")
        }
    }

    /// Prints the initial state and the state after every action of the path in `file`.
    private func replayPath(at file: String, model: RaftModel) throws {
        let lines = try readPath(file)
        let steps: [LabeledStep]
        do {
            steps = try model.path(following: lines.map(\.label))
        } catch {
            throw fail("\(file):\(lines[error.stepIndex].number): \(error)")
        }
        print("Model: \(model.configuration)")
        print("State 0 (initial):\n\(model.snapshot(of: model.initialState))\n")
        var failed: Set<String> = []
        for (index, step) in steps.enumerated() {
            print("Step \(index + 1) (line \(lines[index].number)): \(step.label)")
            print(model.snapshot(of: step.state))
            let failing = model.failingAlwaysProperties(in: step.state, reachedBy: step)
            for violation in model.violations(in: step.state) { print("  ✗ \(violation)") }
            if failing.contains(RaftInvariants.Property.leaderAppendOnly.rawValue) {
                print("  ✗ Leader Append-Only violated by this step")
            }
            failed.formUnion(failing)
            print("")
        }
        if !failed.isEmpty {
            print("Always-properties that fail along this path: \(failed.sorted().joined(separator: ", "))")
            throw ExitCode(1)
        }
        print("Every always-property holds along this path.")
    }

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode(2)
    }
}

extension RaftModelConfiguration.Network: ExpressibleByArgument {}
extension RaftModelConfiguration.CrashMode: ExpressibleByArgument {}
extension RaftModelConfiguration.Profile: ExpressibleByArgument {}
