import Testing
@testable import RaftCheck

struct PathFileTests {
    @Test("a printed discovery parses into its action lines with their line numbers")
    func parsesPrintedPath() throws {
        let text = """
        Model: servers=3
        Done. states=10, unique=5, depth=3, sec=0
        Discovered "Election Safety" counterexample Path[2]:
        - Timeout(0, election)
        - Timeout(1, election)
        Discovered "Log Liveness" example Path[1]:
        - client → 1 Propose(#2"1")
        """
        let lines = try PathFile.parse(text)
        #expect(lines == [PathFile.Line(number: 4, label: "Timeout(0, election)"),
                          PathFile.Line(number: 5, label: "Timeout(1, election)")])
    }

    @Test("a bad line, a wrong length and an empty file are errors that name the line",
          arguments: [
              ("- Timeout(0, election)\nhello\n", 2),
              ("Discovered \"X\" counterexample Path[3]:\n- Timeout(0, election)\n", 1),
              ("Discovered \"X\" counterexample Path[x]:\n", 1),
              ("- \n", 1),
              ("\n# only a comment\n", 0),
          ])
    func errors(text: String, line: Int) {
        #expect(throws: PathFile.ParseError.self) { try PathFile.parse(text) }
        do {
            _ = try PathFile.parse(text)
        } catch {
            #expect(error.line == line, "\(error.message)")
        }
    }

    @Test("a counterexample printed by the checker replays to the failing state")
    func printedCounterexampleReplays() throws {
        let configuration = RaftModelConfiguration(mutant: .majorityOffByOne)
        let model = RaftModel(configuration)
        let result = RaftChecker(model: model, options: CheckerOptions(depthMax: 4)).run()
        let discovery = try #require(result.discovery(named: "Election Safety"))
        let text = CheckReportFormat.discoveryText(discovery, model: model)
        let labels = try PathFile.parse(text).map(\.label)
        let fresh = RaftModel(configuration)
        let end = try #require(try fresh.path(following: labels).last)
        #expect(fresh.failingAlwaysProperties(in: end.state, reachedBy: end).contains("Election Safety"))
    }
}
