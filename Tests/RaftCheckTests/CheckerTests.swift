import Testing
@testable import RaftCheck

/// The generic checker on models whose state counts are known by hand.
struct CheckerTests {
    @Test("breadth-first counts match stateright's definition", arguments: [1, 2, 5, 9, 30])
    func breadthFirstCounts(depthMax: Int) {
        let model = CounterGrid(limit: 6)
        let result = Checker(model: model, options: CheckerOptions(depthMax: depthMax)).run()
        #expect(result.progress.uniqueCount == model.uniqueCount(depthMax: depthMax))
        #expect(result.progress.stateCount == model.stateCount(depthMax: depthMax))
        #expect(result.progress.depth == min(depthMax, 13))
        #expect(result.stopReason == .exhausted)
    }

    @Test("threads and depth-first search find exactly the same states as one breadth-first thread",
          arguments: [CheckerOptions.Strategy.breadthFirst, .depthFirst], [1, 2, 3])
    func strategiesAgree(strategy: CheckerOptions.Strategy, threads: Int) {
        let model = CounterGrid(limit: 40)
        for depthMax in [7, 25, 60] {
            let options = CheckerOptions(depthMax: depthMax, threadCount: threads, strategy: strategy)
            let result = Checker(model: model, options: options).run()
            #expect(result.progress.uniqueCount == model.uniqueCount(depthMax: depthMax),
                    "\(strategy) on \(threads) thread(s) to depth \(depthMax)")
            if strategy == .breadthFirst {
                #expect(result.progress.stateCount == model.stateCount(depthMax: depthMax))
            }
        }
    }

    @Test("an always-property's counterexample is a shortest path that ends where it fails")
    func alwaysCounterexample() throws {
        let model = CounterGrid(limit: 5, sumMax: 4)
        let result = Checker(model: model, options: CheckerOptions(depthMax: 20)).run()
        let discovery = try #require(result.discovery(named: "sum bounded"))
        #expect(discovery.classification == .counterexample)
        #expect(discovery.actions.count == 4)
        #expect(discovery.states.count == 5)
        let last = try #require(discovery.states.last)
        #expect(last.a + last.b == 4)
        #expect(result.hasCounterexample)
    }

    @Test("a depth bound below the failure hides it; the same bound on it reveals it")
    func depthBoundIsInclusive() {
        let model = CounterGrid(limit: 5, sumMax: 4)
        // Depth 5 means four increments: states with a + b = 4 are generated and checked.
        #expect(Checker(model: model, options: CheckerOptions(depthMax: 5)).run().hasCounterexample)
        #expect(!Checker(model: model, options: CheckerOptions(depthMax: 4)).run().hasCounterexample)
    }

    @Test("a sometimes-property's example ends in a state where it holds")
    func sometimesExample() throws {
        let model = CounterGrid(limit: 5, target: .init(a: 2, b: 3))
        let result = Checker(model: model, options: CheckerOptions(depthMax: 10)).run()
        let discovery = try #require(result.discovery(named: "target reached"))
        #expect(discovery.classification == .example)
        #expect(discovery.states.last == .init(a: 2, b: 3))
        #expect(discovery.actions.count == 5)
        #expect(!result.hasCounterexample)
    }

    @Test("a property of steps fails on the step itself, and the path ends with that step")
    func transitionCounterexample() throws {
        let model = CounterGrid(limit: 4, forbidsIncrementingAWhenBOdd: true)
        let result = Checker(model: model, options: CheckerOptions(depthMax: 10)).run()
        let discovery = try #require(result.discovery(named: "a only moves when b is even"))
        #expect(discovery.classification == .counterexample)
        #expect(discovery.actions.last == .incrementA)
        let beforeLast = discovery.states[discovery.states.count - 2]
        #expect(beforeLast.b % 2 == 1)
        #expect(discovery.actions.count == 2) // b+1, a+1
    }

    @Test("an eventually-property fails on a path that ends without it, not on one cut by the bound")
    func eventually() throws {
        let failing = Checker(model: Fork(), options: CheckerOptions(depthMax: 10)).run()
        let discovery = try #require(failing.discovery(named: "reaches rightEnd"))
        #expect(discovery.classification == .counterexample)
        #expect(discovery.states.last == .leftEnd)

        // A loop never ends a path, and the bound cuts it: no counterexample.
        let looping = Checker(model: Fork(loops: true), options: CheckerOptions(depthMax: 10)).run()
        #expect(looping.discoveries.isEmpty)
    }

    @Test("stopping at the first counterexample ends the search early")
    func stopsAtFirstCounterexample() {
        let model = CounterGrid(limit: 50, sumMax: 3)
        let options = CheckerOptions(depthMax: 60, threadCount: 2, stopsAtFirstCounterexample: true)
        let result = Checker(model: model, options: options).run()
        #expect(result.stopReason == .counterexampleFound)
        #expect(result.progress.uniqueCount < model.uniqueCount(depthMax: 60))
    }

    @Test("the search stops once every property has a discovery")
    func stopsWhenEverythingIsDiscovered() {
        let model = CounterGrid(limit: 50, sumMax: 3, target: .init(a: 1, b: 0), forbidsIncrementingAWhenBOdd: true)
        let result = Checker(model: model, options: CheckerOptions(depthMax: 60)).run()
        #expect(result.stopReason == .everyPropertyDiscovered)
        #expect(result.discoveries.map(\.property.name) == ["a only moves when b is even", "sum bounded", "target reached"])
    }

    @Test("the report format has stateright's shape")
    func reportFormat() throws {
        let model = CounterGrid(limit: 5, sumMax: 2)
        let result = Checker(model: model, options: CheckerOptions(depthMax: 4)).run()
        #expect(CheckReportFormat.doneLine(result.progress).hasPrefix("Done. states=\(model.stateCount(depthMax: 4)), unique=\(model.uniqueCount(depthMax: 4)), depth=4, sec="))
        let discovery = try #require(result.discovery(named: "sum bounded"))
        #expect(CheckReportFormat.discoveryText(discovery, model: model)
                == "Discovered \"sum bounded\" counterexample Path[2]:\n- a+1\n- a+1\n")
        #expect(CheckReportFormat.progressLine(result.progress).hasPrefix("Checking. states="))
    }
}
