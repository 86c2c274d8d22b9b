import Foundation

/// The launcher's status line during chaos, redrawn once a second.
struct StatusTicker {
    let launcher: ClusterLauncher
    let shows: Bool
    private var line = StatusLine()
    private var next = ContinuousClock.now + .seconds(1)
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(launcher: ClusterLauncher, shows: Bool) {
        self.launcher = launcher
        self.shows = shows
    }

    /// Redraws the line when a second has passed since the last time.
    mutating func tickIfDue() async {
        guard shows, ContinuousClock.now >= next else { return }
        next = ContinuousClock.now + .seconds(1)
        let client = launcher.client
        let (statuses, leader, members) = (try? await client.eventLoop.submit { (client.statuses, client.leader, client.memberIDs) }.get())
            ?? ([:], nil, client.nodeIDs)
        line.show(line.render(statuses: statuses, nodeIDs: members, leader: leader, stats: await launcher.workloadStats()))
    }

    /// Wipes the in-place line so a printed line does not run into it.
    func clear() {
        if shows && isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
