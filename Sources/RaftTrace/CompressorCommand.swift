import Foundation

/// The program a `TraceWriter` hands its lines to when it compresses in a child process
/// (`TraceWriter.Options.compressorProcess`): it reads the trace lines on stdin and writes one
/// gzip member to stdout, which is the trace file opened for appending. The default is the
/// system's `gzip -1 -c`.
public struct CompressorCommand: Hashable, Sendable {
    /// Pipe capacity asked for with `F_SETPIPE_SZ`: what the writer can push ahead of the
    /// compressor before a push blocks. Linux lets any process go up to
    /// `/proc/sys/fs/pipe-max-size` (1 MiB by default); a refusal keeps the default 64 KiB.
    public static let pipeBytesDefault = 1 << 20
    /// Longest wait for an earlier writer's compressor to finish its member: a restarted
    /// node's writer waits that long, and `TraceWriter.waitForCompressor` by default.
    public static let finishWaitMsMax = 10_000

    /// A name looked up in the directories of `PATH` (like a shell does), or a path (it
    /// contains a `/`) used as it is.
    public var executable: String
    /// Arguments after the program's name.
    public var arguments: [String]
    /// Pipe capacity to ask for (see `pipeBytesDefault`).
    public var pipeBytes: Int

    /// A command; by default `gzip -1 -c`: zlib level 1, as the in-process writer.
    public init(executable: String = "gzip", arguments: [String] = ["-1", "-c"], pipeBytes: Int = Self.pipeBytesDefault) {
        precondition(!executable.isEmpty, "compressor executable is empty")
        precondition(pipeBytes > 0, "pipe size \(pipeBytes) is not positive")
        self.executable = executable
        self.arguments = arguments
        self.pipeBytes = pipeBytes
    }

    /// `executable trace-compress`: raftlab's own compressor (`TraceCompressor`, zlib level 1,
    /// about twice as fast as GNU gzip, at a lower priority than the node).
    public static func raftlab(executable: String) -> CompressorCommand {
        CompressorCommand(executable: executable, arguments: ["trace-compress"])
    }

    /// The system's `gzip -1 -c`, found on `PATH`.
    public static let gzip = CompressorCommand()

    /// The file to execute: `executable` itself when it is a path, else the first
    /// executable file of that name in a directory of `PATH`. Throws a one-line
    /// `TraceIOError` naming the program (and `tracePath`, the file it would write) when
    /// there is none.
    func resolvedExecutable(forTrace tracePath: String) throws -> String {
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                let exists = FileManager.default.fileExists(atPath: executable)
                throw TraceIOError(path: tracePath, kind: .compressor,
                                   detail: "\(executable) \(exists ? "is not executable" : "does not exist")")
            }
            return executable
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = searchPath.split(separator: ":").map { "\($0)/\(executable)" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TraceIOError(path: tracePath, kind: .compressor, detail: "\(executable) not found on PATH (\(searchPath))")
        }
        return found
    }
}
