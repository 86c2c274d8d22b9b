import ArgumentParser
import RaftTrace

/// `raftlab trace-compress`: the compressor process a node's trace writer starts (hidden).
struct TraceCompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace-compress",
        abstract: "Compress trace lines from standard input into one gzip member on standard output (a node starts it).",
        discussion: """
        A node's trace writer starts this process with its standard output on the trace file and
        pushes each batch's events into its standard input; it finishes the gzip member when its
        input ends, also after the node was killed. Not meant to be run by hand.
        """,
        shouldDisplay: false
    )

    func run() throws {
        do {
            try TraceCompressor.run()
        } catch {
            throw ValidationError("trace-compress: \(error)")
        }
    }
}
