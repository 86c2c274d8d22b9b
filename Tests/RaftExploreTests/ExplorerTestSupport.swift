import Foundation
import LoopbackHTTP
import RaftCheck
import RaftExplore
import Testing

/// Runs `body` with an explorer server for `configuration` on an ephemeral port, and stops
/// the server (and any search) afterwards, whatever `body` does.
func withExplorerServer<T>(_ configuration: RaftModelConfiguration = RaftModelConfiguration(),
                           _ body: (ExplorerServer, LoopbackHTTPClient) async throws -> T) async throws -> T {
    let server = try await ExplorerServer.start(Explorer(configuration, searchThreadCount: 1), port: 0)
    do {
        let result = try await body(server, LoopbackHTTPClient(port: server.port))
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// Polls `condition` until it returns a value or `timeoutSeconds` pass (then records an issue
/// naming `what` and returns nil).
func eventually<T>(_ what: String, timeoutSeconds: Double = 60, pollMilliseconds: UInt64 = 50,
                   _ condition: () throws -> T?) async throws -> T? {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
        if let value = try condition() { return value }
        if Date() > deadline {
            Issue.record("timed out after \(timeoutSeconds) s waiting for \(what)")
            return nil
        }
        try await Task.sleep(nanoseconds: pollMilliseconds * 1_000_000)
    }
}

extension StateDocument {
    /// The label of the one enabled delivery of `message` from `from` to `to`.
    func deliveryLabel(_ message: String, from: Int?, to: Int) throws -> String {
        let matches = actions.filter { $0.step.kind == "deliver" && $0.step.message == message && $0.step.from == from && $0.step.node == to }
        try #require(matches.count == 1, "expected one enabled \(message) \(from.map(String.init) ?? "client") → \(to), enabled: \(actions.map(\.step.label))")
        return matches[0].step.label
    }

    /// Whether the property called `name` holds here.
    func holds(_ name: String) throws -> Bool {
        try #require(properties.first { $0.name == name }, "no property \(name)").holds
    }
}

extension LoopbackHTTPClient {
    /// The state document at `labels`, requiring a 200.
    func state(_ labels: [String]) throws -> StateDocument {
        let response = try get(ExplorerPath.statesURLPath(labels))
        try #require(response.status == 200, "GET \(labels) answered \(response.status): \(response.text)")
        return try response.json(StateDocument.self)
    }

    /// The labels of raft-lite's first election: server 0 times out, asks server 1, wins its vote.
    func firstElection() throws -> [String] {
        var path = ["Timeout(0, election)"]
        path.append(try state(path).deliveryLabel("VoteRequest", from: 0, to: 1))
        path.append(try state(path).deliveryLabel("VoteResponse", from: 1, to: 0))
        return path
    }

    /// Polls `GET /.search` until the search with `id` is no longer running.
    func finishedSearch(id: Int, timeoutSeconds: Double = 120) async throws -> SearchStatus {
        let status = try await eventually("search \(id) to finish", timeoutSeconds: timeoutSeconds) { () -> SearchStatus? in
            let status = try get("/.search").json(SearchStatus.self)
            return status.id == id && status.state != "running" ? status : nil
        }
        return try #require(status)
    }
}
