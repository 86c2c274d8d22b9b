import Foundation
import RaftCore
import RaftRuntime

/// The launcher's live line: leader, term, each node's commit index, commits per second and
/// the workload's counts. Rewritten in place on a terminal, printed every few seconds otherwise.
struct StatusLine {
    private var lastCommit = 0
    private var lastTime = ContinuousClock.now
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var printsSinceNewline = 0

    /// Seconds between lines when stderr is not a terminal.
    static let plainIntervalTicks = 5

    mutating func render(statuses: [NodeID: NodeStatus], nodeIDs: [NodeID], leader: NodeID?, stats: Workload.Stats?) -> String {
        let now = ContinuousClock.now
        let commit = statuses.values.map(\.commitIndex).max() ?? lastCommit
        let seconds = Double((now - lastTime).components.attoseconds) / 1e18 + Double((now - lastTime).components.seconds)
        let rate = seconds > 0 ? Double(commit - lastCommit) / seconds : 0
        lastCommit = commit
        lastTime = now
        let term = leader.flatMap { statuses[$0]?.term } ?? statuses.values.map(\.term).max() ?? 0
        let commits = nodeIDs.map { statuses[$0].map { String($0.commitIndex) } ?? "down" }.joined(separator: " ")
        var line = "leader \(leader.map(String.init) ?? "none") term \(term) | commit \(commits) | \(Int(rate)) commits/s"
        if let stats { line += " | ok \(stats.ok) fail \(stats.failed) timeout \(stats.timedOut)" }
        return line
    }

    /// Writes `line` to stderr the way the terminal (or log) wants it.
    mutating func show(_ line: String) {
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            printsSinceNewline += 1
            if printsSinceNewline >= Self.plainIntervalTicks {
                printsSinceNewline = 0
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Ends the in-place line before other output.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
