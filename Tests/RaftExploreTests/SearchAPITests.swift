import Foundation
import RaftCheck
import RaftExplore
import TestGate
import Testing

/// `POST /.search`, `GET /.search`, `DELETE /.search`: the background checker.
@Suite(.serialized, .exclusive)
struct SearchAPITests {
    @Test func idleBeforeAnySearch() async throws {
        try await withExplorerServer { _, client in
            let status = try client.get("/.search").json(SearchStatus.self)
            #expect(status.state == "idle" && status.id == 0 && status.discoveries.isEmpty && status.request == nil)
        }
    }

    @Test func searchFindsTheFirstElectionAndNoCounterexample() async throws {
        try await withExplorerServer { _, client in
            let started = try client.post("/.search", json: #"{"depth": 4}"#)
            #expect(started.status == 202)
            let first = try started.json(SearchStatus.self)
            #expect(first.id == 1 && first.request?.depth == 4)
            let status = try await client.finishedSearch(id: first.id)
            #expect(status.state == "done" && status.stopReason == "exhausted")
            #expect(status.progress.unique > 1 && status.progress.depth == 4)
            #expect(!status.discoveries.contains { $0.classification == "counterexample" })
            let election = try #require(status.discoveries.first { $0.property == "Election Liveness" })
            #expect(election.classification == "example" && election.path.count == 3)
            // The discovery opens as a path whose end has a leader.
            let document = try client.state(election.path)
            #expect(document.servers.contains { $0.role == "leader" })
        }
    }

    @Test func mutantCounterexampleOpensAsAFailingPath() async throws {
        try await withExplorerServer(RaftModelConfiguration(mutant: .noStepDownOnHigherTerm)) { _, client in
            let started = try client.post("/.search", json: #"{"depth": 7, "stopAtCounterexample": true}"#).json(SearchStatus.self)
            let status = try await client.finishedSearch(id: started.id)
            #expect(status.stopReason == "counterexampleFound")
            let counterexample = try #require(status.discoveries.first { $0.classification == "counterexample" })
            #expect(counterexample.property == "Election Safety" && counterexample.path.count == 6)
            let document = try client.state(counterexample.path)
            #expect(try !document.holds("Election Safety"))
            #expect(document.servers.filter { $0.role == "leader" }.count == 2)
        }
    }

    @Test func searchFromAPathExtendsIt() async throws {
        try await withExplorerServer { _, client in
            let prefix = ["Timeout(0, election)"]
            let started = try client.post("/.search", json: #"{"depth": 3, "from": ["Timeout(0, election)"]}"#)
                .json(SearchStatus.self)
            #expect(started.request?.from == prefix)
            let status = try await client.finishedSearch(id: started.id)
            let election = try #require(status.discoveries.first { $0.property == "Election Liveness" })
            #expect(election.path.count == 3 && election.path.first == prefix[0])
            #expect(try client.state(election.path).servers[0].role == "leader")
        }
    }

    @Test func badSearchRequestsAre4xx() async throws {
        try await withExplorerServer { _, client in
            for body in [#"{"depth": 0}"#, #"{"depth": \#(SearchSession.depthMax + 1)}"#] {
                let response = try client.post("/.search", json: body)
                #expect(response.status == 400)
                #expect(try response.json(ExplorerError.self).error.contains("depth must be in 1...\(SearchSession.depthMax)"))
            }
            let notJSON = try client.post("/.search", json: "depth=3")
            #expect(notJSON.status == 400 && notJSON.text.contains("not valid JSON"))
            let missing = try client.post("/.search", json: "{}")
            #expect(missing.status == 400 && missing.text.contains("missing \\\"depth\\\""))
            let badFrom = try client.post("/.search", json: #"{"depth": 3, "from": ["Timeout(0, election)", "Crash(9)"]}"#)
            #expect(badFrom.status == 404)
            let error = try badFrom.json(ExplorerError.self)
            #expect(error.stepIndex == 1 && error.step == "Crash(9)" && error.error.hasPrefix("from: step 2"))
            #expect(try client.request("PUT", "/.search").status == 405)
            #expect(try client.get("/.search").json(SearchStatus.self).state == "idle", "no bad request started a search")
        }
    }

    @Test func cancelStopsALongSearchAndANewSearchReplacesIt() async throws {
        try await withExplorerServer { _, client in
            let long = try client.post("/.search", json: #"{"depth": 12}"#).json(SearchStatus.self)
            _ = try await eventually("the long search to make progress") {
                try client.get("/.search").json(SearchStatus.self).progress.states > 1000 ? true : nil
            }
            let cancelling = try client.request("DELETE", "/.search")
            #expect(cancelling.status == 200)
            let cancelled = try await client.finishedSearch(id: long.id)
            #expect(cancelled.state == "cancelled" && cancelled.stopReason == "cancelled")

            let replaced = try client.post("/.search", json: #"{"depth": 12}"#).json(SearchStatus.self)
            let short = try client.post("/.search", json: #"{"depth": 2}"#).json(SearchStatus.self)
            #expect(short.id == replaced.id + 1)
            let status = try await client.finishedSearch(id: short.id)
            #expect(status.state == "done" && status.request?.depth == 2 && status.progress.depth == 2)
        }
    }
}
