import Testing
@testable import RaftExplore

/// URL path segments ↔ action labels.
struct ExplorerPathTests {
    @Test func labelsRoundTripThroughSegments() throws {
        let labels = ["Timeout(0, election)", "0 → 1 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)",
                      "client → 2 Propose(#3\"2\")", "a/b?c#d%e"]
        let path = ExplorerPath.statesURLPath(labels)
        #expect(path.hasPrefix("/.states/Timeout(0%2C%20election)/0%20%E2%86%92%201%20"))
        #expect(!path.dropFirst("/.states/".count).contains("?") && !path.contains("#"))
        let segments = path.dropFirst("/.states/".count).split(separator: "/", omittingEmptySubsequences: false)
        #expect(try ExplorerPath.labels(fromSegments: segments) == labels)
    }

    @Test func trailingSlashIsIgnoredButEmptyStepsAreNot() throws {
        #expect(try ExplorerPath.labels(fromSegments: ["Crash(1)", ""]) == ["Crash(1)"])
        #expect(try ExplorerPath.labels(fromSegments: []) == [])
        #expect(throws: ExplorerPath.DecodingError.self) { try ExplorerPath.labels(fromSegments: ["Crash(1)", "", "Crash(2)"]) }
    }

    @Test func malformedEscapeNamesTheStep() {
        do {
            _ = try ExplorerPath.labels(fromSegments: ["Crash(1)", "bad%zz"])
            Issue.record("a malformed escape was accepted")
        } catch {
            #expect(error.stepIndex == 1)
            #expect(error.segment == "bad%zz")
            #expect(error.reason.contains("step 2"))
        }
    }

    @Test func tooManyStepsAreRefused() {
        let segments = Array(repeating: Substring("Crash(1)"), count: ExplorerPath.stepCountMax + 1)
        #expect(throws: ExplorerPath.DecodingError.self) { try ExplorerPath.labels(fromSegments: segments) }
    }
}
