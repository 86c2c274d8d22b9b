import ArgumentParser
import Foundation
import RaftCheck
import RaftCore
import RaftExplore

/// `raftlab explore`: step through the Raft model in a browser.
struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Step through the Raft model in a web page: states, actions, a sequence diagram, properties and searches.",
        discussion: """
        Serves a page and a JSON API on 127.0.0.1 only (never on another interface). The page shows every server (role, term, vote, log, commit index, delivered entries, timers, crashed or not) and the network, one button per enabled action, back and forward, the path as a sequence diagram, and which properties hold. The URL holds the path, so a link reopens the same state. "Find" runs the model checker in the background to a chosen depth and lists its discoveries, each opening as a path. The model is the one `raftlab check` explores (docs/MODEL.md); the API is described in docs/EXPLORER.md.

        Examples:
          raftlab explore                         # then open http://127.0.0.1:3000/
          raftlab explore --port 8080 --servers 5 --profile full
          raftlab explore --mutant no-step-down   # Find at depth 7: two leaders
          raftlab explore --crash restart --mutant forget-vote-on-restart
          curl -s 'http://127.0.0.1:3000/.states/Timeout(0%2C%20election)'
        """
    )

    @Option(help: "TCP port on 127.0.0.1 (0: any free port).")
    var port = 3000
    @OptionGroup var model: ModelOptions
    @Option(name: .customLong("search-threads"), help: "Threads for Find (default: every core but one).")
    var searchThreads: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
        if let searchThreads, !(1...CheckerOptions.threadCountMax).contains(searchThreads) {
            throw ValidationError("--search-threads must be in 1...\(CheckerOptions.threadCountMax), got \(searchThreads)")
        }
    }

    private var modelConfiguration: RaftModelConfiguration { model.configuration }

    func run() async throws {
        let explorer = Explorer(modelConfiguration, searchThreadCount: searchThreads)
        let server: ExplorerServer
        do {
            server = try await ExplorerServer.start(explorer, port: port)
        } catch {
            FileHandle.standardError.write(Data("error: cannot listen on \(ExplorerServer.host):\(port): \(error)\n".utf8))
            throw ExitCode(2)
        }
        // Written unbuffered, so that a log or a test reading a pipe sees the URL at once.
        FileHandle.standardOutput.write(Data("""
            Model: \(explorer.model.configuration)
            raftlab explore: \(server.url)  (Ctrl-C to stop)

            """.utf8))
        try await server.waitUntilClosed()
    }
}
