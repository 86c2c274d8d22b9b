import ArgumentParser
import Foundation
import RaftBench
import RaftFuzz

/// `raftlab bench fuzz`: the libFuzzer target over the wire decoder and `RaftNode.step`.
struct BenchFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz the wire decoder and RaftNode.step for a set time; print executions and crashes.",
        discussion: """
        Runs the libFuzzer build of raftlab-fuzz (address sanitizer on) from a seed corpus of real
        frames (every message of a simulated 3-node run), prints its progress every 2 s and then
        executions, executions/s, crashes, coverage and corpus size. Exits 1 when it found a
        crash, naming the input to replay. scripts/fuzz.sh builds the target and runs this
        (docs/FUZZING.md).

        Example:
          scripts/fuzz.sh 60
          raftlab bench fuzz --binary .build-fuzz/debug/raftlab-fuzz --seconds 60
        """
    )

    @Option(help: "The fuzz target built with -sanitize=fuzzer (scripts/fuzz.sh builds it).")
    var binary = ".build-fuzz/debug/raftlab-fuzz"
    @Option(help: "Seconds to fuzz.") var seconds = 60
    @Option(help: "Directory for the corpus and crash inputs (kept when a crash is found).")
    var directory = FileManager.default.temporaryDirectory.path + "/raftlab-fuzz-\(UInt32.random(in: 0 ... .max))"

    func validate() throws {
        guard (1...86_400).contains(seconds) else { throw ValidationError("--seconds must be in 1...86400, got \(seconds)") }
    }

    func run() throws {
        let seeds = FuzzHarness.seedInputs()
        print("fuzzing \(binary) for \(seconds) s from \(seeds.count) seed frames (work directory \(directory))")
        let report = try FuzzBenchmark.run(binary: binary, seconds: seconds, seeds: seeds, workDirectory: directory) { progress in
            print(String(format: "  %3.0f s: %@ executions, coverage %@, corpus %@", progress.seconds,
                         progress.executions.formatted(), progress.coverage.formatted(), progress.corpusInputs.formatted()))
        }
        print(report)
        guard report.crashInputs.isEmpty && report.exitStatus == 0 else { throw ExitCode(1) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
