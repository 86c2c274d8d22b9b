import Foundation
import RaftCheck
import RaftExplore
import TestGate
import Testing

/// Bad input gets a 4xx naming what is wrong, and the server keeps serving.
@Suite(.serialized, .exclusive)
struct BadInputAPITests {
    @Test func stepThatIsNotEnabledIs404NamingIt() async throws {
        try await withExplorerServer { _, client in
            let response = try client.get(ExplorerPath.statesURLPath(["Timeout(0, election)", "Crash(7)", "Crash(1)"]))
            #expect(response.status == 404)
            let error = try response.json(ExplorerError.self)
            #expect(error.status == 404)
            #expect(error.stepIndex == 1)
            #expect(error.step == "Crash(7)")
            #expect(error.error.hasPrefix("step 2 \"Crash(7)\" is not enabled after 1 step(s)"))
            #expect(error.enabled?.contains("Crash(2)") == true)
            #expect(error.enabled?.contains("Timeout(0, election)") == false, "server 0's election timer already fired")
            // Still serving.
            #expect(try client.get("/.model").status == 200)
            #expect(try client.state(["Timeout(0, election)"]).servers[0].role == "candidate")
        }
    }

    @Test func unknownLabelAtTheStartIs404() async throws {
        try await withExplorerServer { _, client in
            let response = try client.get("/.states/nonsense")
            #expect(response.status == 404)
            let error = try response.json(ExplorerError.self)
            #expect(error.stepIndex == 0 && error.step == "nonsense")
            #expect(error.error.contains("step 1 \"nonsense\""))
        }
    }

    @Test func malformedSegmentsAre400NamingTheStep() async throws {
        try await withExplorerServer { _, client in
            let badEscape = try client.get("/.states/Crash(1)/Crash%ZZ")
            #expect(badEscape.status == 400)
            let error = try badEscape.json(ExplorerError.self)
            #expect(error.stepIndex == 1 && error.step == "Crash%ZZ")
            #expect(error.error.contains("step 2"))
            let badUTF8 = try client.get("/.states/%FF%FE")
            #expect(badUTF8.status == 400)
            let empty = try client.get("/.states/Crash(1)//Crash(2)")
            #expect(empty.status == 400)
            #expect(try empty.json(ExplorerError.self).error.contains("step 2 is empty"))
            #expect(try client.get("/.model").status == 200)
        }
    }

    @Test func tooLongPathIs400() async throws {
        try await withExplorerServer { _, client in
            let target = "/.states" + String(repeating: "/x", count: ExplorerPath.stepCountMax + 1)
            let response = try client.get(target)
            #expect(response.status == 400)
            #expect(try response.json(ExplorerError.self).error.contains("at most \(ExplorerPath.stepCountMax)"))
        }
    }

    @Test func unknownRouteWrongMethodAndForeignHost() async throws {
        try await withExplorerServer { server, client in
            let missing = try client.get("/.nothing")
            #expect(missing.status == 404)
            #expect(try missing.json(ExplorerError.self).error.contains("/.nothing"))
            let wrongMethod = try client.request("DELETE", "/.states")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers["allow"] == "GET")
            let postPage = try client.request("POST", "/", body: Data("x".utf8))
            #expect(postPage.status == 405)
            let foreign = try client.request("GET", "/.model", host: "evil.example:\(server.port)")
            #expect(foreign.status == 403)
            #expect(try foreign.json(ExplorerError.self).error.contains("evil.example"))
            #expect(try client.request("GET", "/.model", host: "localhost:\(server.port)").status == 200)
        }
    }

    @Test func malformedHTTPAndOversizedBodiesDoNotStopTheServer() async throws {
        try await withExplorerServer { _, client in
            let garbage = try client.exchange(Data("NOT HTTP AT ALL\r\n\r\n".utf8))
            #expect(String(decoding: garbage, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
            let big = Data(repeating: UInt8(ascii: " "), count: ExplorerRouter.requestBodyBytesMax + 1)
            let tooLarge = try client.request("POST", "/.search", body: big, contentType: "application/json")
            #expect(tooLarge.status == 413)
            #expect(try client.get("/.model").status == 200)
        }
    }
}
