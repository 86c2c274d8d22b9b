import Foundation
import RaftCheck
import RaftExplore
import TestGate
import Testing

/// End to end: the explorer's page in headless Chromium, clicked through like a user would.
///
/// Needs Chromium (Debian: `apt-get install chromium`; another binary via `RAFTLAB_CHROMIUM`).
/// Without it the test fails, saying so; it is skipped only when `RAFTLAB_SKIP_BROWSER_TESTS=1`.
/// Screenshots go to `.build/test-output/RaftExploreTests/` (or `$RAFTLAB_TEST_OUTPUT_DIR`);
/// with `RAFTLAB_UPDATE_DOCS_SCREENSHOT=1` the last one also replaces docs/explorer.png.
@Suite(.serialized, .exclusive)
struct ExplorerBrowserTests {
    static let skipVariable = "RAFTLAB_SKIP_BROWSER_TESTS"
    static let updateDocsVariable = "RAFTLAB_UPDATE_DOCS_SCREENSHOT"
    static var skipRequested: Bool { ProcessInfo.processInfo.environment[skipVariable] == "1" }

    static let width = 1280, height = 1000

    @Test(.enabled(if: !skipRequested, "skipped because RAFTLAB_SKIP_BROWSER_TESTS=1 (the headless Chromium test)"),
          .exclusive(timeLimit: .seconds(300)))
    func clickThroughAFirstElection() async throws {
        guard let binary = ChromiumProcess.findBinary() else {
            Issue.record("""
                this test drives the explorer with headless Chromium, and none was found ($\(ChromiumProcess.binaryVariable), \
                then chromium, chromium-browser, google-chrome on the PATH). Install it (Debian: apt-get install chromium) \
                or set \(Self.skipVariable)=1 to skip this test on purpose.
                """)
            return
        }
        let output = try TestOutput.directory("RaftExploreTests")
        try await withExplorerServer { server, _ in
            let browser = try ChromiumProcess(binary: binary, windowWidth: Self.width, windowHeight: Self.height)
            defer { browser.shutdown() }
            do {
                try drive(BrowserPage(browser: browser, width: Self.width, height: Self.height), server: server, output: output)
            } catch {
                Issue.record("\(error)\n--- last lines of Chromium's output ---\n\(browser.logTail())")
            }
        }
    }

    private func drive(_ page: BrowserPage, server: ExplorerServer, output: URL) throws {
        try page.navigate(server.url)
        try page.waitUntil("the initial state", "document.body.dataset.steps === '0' && document.querySelectorAll('[data-node]').length === 3")
        #expect(try page.evaluate("document.querySelector('[data-role=\"leader\"]') === null") as? Bool == true)
        #expect(try page.evaluate("document.getElementById('model').textContent") as? String == server.explorer.model.configuration.description)

        // The first election, clicked action by action.
        try page.clickAction("Timeout(0, election)", matching: "(label) => label === 'Timeout(0, election)'")
        try page.waitUntil("server 0 to campaign", "document.body.dataset.steps === '1' && document.querySelector('[data-node=\"0\"]').dataset.role === 'candidate'")
        try page.clickAction("0 → 1 VoteRequest", matching: "(label) => label.startsWith('0 → 1 VoteRequest(')")
        try page.waitUntil("the vote request to arrive", "document.body.dataset.steps === '2'")
        try page.clickAction("1 → 0 granted VoteResponse", matching: "(label) => label.startsWith('1 → 0 VoteResponse(') && label.includes('granted: true')")
        let leaderShown = "document.querySelector('[data-node=\"0\"][data-role=\"leader\"] .badge.role')?.textContent === 'leader'"
        try page.waitUntil("a leader in the page", "document.body.dataset.steps === '3' && \(leaderShown)")

        #expect(try page.evaluate("document.querySelector('[data-property=\"Election Liveness\"]').dataset.holds") as? String == "true")
        #expect(try page.evaluate("document.querySelector('[data-property=\"Election Safety\"]').dataset.holds") as? String == "true")
        #expect(try page.evaluate("document.querySelectorAll('#diagram svg line.msg').length") as? Int == 2, "two deliveries drawn")
        #expect(try page.evaluate("document.querySelectorAll('#diagram svg [data-kind=\"timeout\"]').length") as? Int == 1)
        #expect(try page.evaluate("document.querySelector('#diagram svg').textContent.includes('leader, term 1')") as? Bool == true)
        #expect(try page.evaluate("document.querySelectorAll('#path li').length") as? Int == 4)
        let hash = try page.evaluate("decodeURIComponent(location.hash)") as? String
        #expect(hash?.hasPrefix("#/Timeout(0, election)/0 → 1 VoteRequest(") == true)
        #expect(hash?.hasSuffix("/1 → 0 VoteResponse(term: 1, granted: true)") == true)
        try page.screenshot().write(to: output.appendingPathComponent("first-election.png"))

        // Back and forward, then a reload: the URL alone brings the leader back.
        try page.click("the Back button", element: "document.getElementById('back')")
        try page.waitUntil("the step before the election", "document.body.dataset.steps === '2' && document.querySelector('[data-node=\"0\"]').dataset.role === 'candidate'")
        try page.click("the Forward button", element: "document.getElementById('forward')")
        try page.waitUntil("the leader again", "document.body.dataset.steps === '3' && \(leaderShown)")
        try page.evaluate("window.raftlabBeforeReload = true")
        try page.reload()
        try page.waitUntil("the leader after a reload",
                           "window.raftlabBeforeReload === undefined && document.body.dataset.steps === '3' && \(leaderShown)")

        // Find, to depth 5: the search runs in the server while the page polls it.
        try page.evaluate("document.getElementById('find-depth').value = '5'")
        try page.click("the Find button", element: "document.getElementById('find')")
        try page.waitUntil("the search to finish with an election example",
                           "document.body.dataset.search === 'done' && document.querySelector('#discoveries button[data-property=\"Election Liveness\"]')")

        // Replicate and commit server 0's own proposal.
        try page.clickAction("client → 0 Propose", matching: "(label) => label.startsWith('client → 0 Propose(')")
        try page.waitUntil("the proposal in the leader's log", "document.body.dataset.steps === '4' && document.querySelectorAll('[data-node=\"0\"] .entry').length === 1")
        try page.clickAction("0 → 1 LogRequest with the entry", matching: "(label) => label.startsWith('0 → 1 LogRequest(') && label.includes('suffix: [t1')")
        try page.waitUntil("the entry at server 1", "document.body.dataset.steps === '5'")
        try page.clickAction("1 → 0 LogResponse", matching: "(label) => label.startsWith('1 → 0 LogResponse(') && label.includes('success: true')")
        try page.waitUntil("the entry committed and delivered at the leader",
                           "document.body.dataset.steps === '6' && document.querySelector('[data-node=\"0\"] .entry.committed') && document.querySelector('[data-property=\"Log Liveness\"]').dataset.holds === 'true'")
        let screenshot = try page.screenshot()
        try screenshot.write(to: output.appendingPathComponent("replicated.png"))
        print("explorer screenshots: \(output.path)/first-election.png, replicated.png")
        if ProcessInfo.processInfo.environment[Self.updateDocsVariable] == "1" {
            try screenshot.write(to: TestOutput.packageRoot.appendingPathComponent("docs/explorer.png"))
        }

        // A discovery opens as a path.
        try page.click("the Election Liveness discovery", element: "document.querySelector('#discoveries button[data-property=\"Election Liveness\"]')")
        try page.waitUntil("the discovered election", "document.body.dataset.steps === '3' && document.querySelector('[data-role=\"leader\"]')")

        // A bad step in the URL: the page names it and offers the valid prefix; the server goes on.
        try page.navigate(server.url + "#/Timeout(0%2C%20election)/no-such-step")
        try page.waitUntil("the error naming the bad step",
                           "document.body.dataset.error === 'true' && document.getElementById('error').textContent.includes('\"no-such-step\" is not enabled')")
        try page.click("the way back to the valid prefix", element: "document.querySelector('#error button')")
        try page.waitUntil("the state before the bad step", "document.body.dataset.error === undefined && document.body.dataset.steps === '1'")
    }
}
