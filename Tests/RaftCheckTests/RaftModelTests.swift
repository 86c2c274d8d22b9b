import RaftCore
import TestGate
import Testing
@testable import RaftCheck

@Suite(.exclusive)
struct RaftModelTests {
    static let configurations: [RaftModelConfiguration] = [
        RaftModelConfiguration(),
        RaftModelConfiguration(crashMode: .restart),
        RaftModelConfiguration(network: .ordered, crashMode: .restart, profile: .full),
        RaftModelConfiguration(network: .unorderedDuplicating, profile: .full),
        RaftModelConfiguration(serverCount: 4, network: .ordered, crashMode: .stop, crashCountMax: 2),
        RaftModelConfiguration(crashMode: .restart, mutant: .forgetVoteOnRestart),
        RaftModelConfiguration(crashMode: .restart, profile: .full),
        RaftModelConfiguration(crashMode: .restart, mutant: .sendBeforePersist),
        RaftModelConfiguration(crashMode: .restart, profile: .full, transfers: true),
    ]

    @Test("the initial state is raft-lite's: followers in term 0, both timers armed, a proposal of each id")
    func initialState() {
        let model = RaftModel()
        let snapshot = model.snapshot(of: model.initialState)
        #expect(snapshot.servers.count == 3)
        for server in snapshot.servers {
            #expect(server.status == .running)
            #expect(server.node?.role == .follower && server.node?.currentTerm == 0)
            #expect(Set(server.pendingTimers) == [.election, .heartbeat])
        }
        #expect(Set(snapshot.network.map(\.label)) == ["client → 0 Propose(#1\"0\")", "client → 1 Propose(#2\"1\")",
                                                       "client → 2 Propose(#3\"2\")"])
        // 3 deliveries, 6 timers, 3 crashes.
        #expect(model.enabledSteps(from: model.initialState).count == 12)
        #expect(model.initialState == model.initialState)
    }

    @Test("random walks agree step by step with a plain, unmemoized cluster", arguments: configurations)
    func matchesReference(configuration: RaftModelConfiguration) {
        let model = RaftModel(configuration)
        var random = TestRandom(state: 42)
        var mismatches: [String] = []
        for walk in 0..<40 {
            var reference = ReferenceCluster(configuration)
            var state = model.initialState
            var labels: [String] = []
            for _ in 0..<25 {
                let steps = model.enabledSteps(from: state)
                guard !steps.isEmpty else { break }
                let chosen = steps[random.below(steps.count)]
                reference.perform(chosen.action, model: model)
                state = chosen.state
                labels.append(chosen.label)
                if !reference.matches(state, in: model) {
                    mismatches.append("walk \(walk): \(labels)")
                    break
                }
            }
        }
        #expect(mismatches.isEmpty, "\(configuration): \(mismatches.prefix(2))")
    }

    @Test("labels of the enabled steps are distinct and a path of labels replays in a fresh model",
          arguments: configurations)
    func labelsReplay(configuration: RaftModelConfiguration) throws {
        let model = RaftModel(configuration)
        var random = TestRandom(state: 7)
        var state = model.initialState
        var labels: [String] = []
        var states: [ClusterState] = []
        for _ in 0..<30 {
            let steps = model.enabledSteps(from: state)
            guard !steps.isEmpty else { break }
            #expect(Set(steps.map(\.label)).count == steps.count, "duplicate labels in one state")
            let chosen = steps[random.below(steps.count)]
            labels.append(chosen.label)
            states.append(chosen.state)
            state = chosen.state
        }
        let fresh = RaftModel(configuration)
        let replayed = try fresh.path(following: labels)
        #expect(replayed.map { fresh.snapshot(of: $0.state).description } == states.map { model.snapshot(of: $0).description })
        #expect(model.fingerprint(of: state) == model.fingerprint(of: try model.state(after: labels)))
    }

    @Test("a label that is not enabled is refused with the enabled ones listed")
    func replayRefusesUnknownLabel() {
        let model = RaftModel()
        #expect(throws: ReplayError.self) { try model.path(following: ["Timeout(0, election)", "Crash(7)"]) }
        do {
            _ = try model.path(following: ["Timeout(0, election)", "Crash(7)"])
        } catch {
            #expect(error.stepIndex == 1)
            #expect(error.enabledLabels.contains("Crash(0)"))
        }
    }

    @Test("the same state reached in different orders is one state with one fingerprint")
    func canonicalNetwork() throws {
        let model = RaftModel()
        let a = try model.state(after: ["client → 0 Propose(#1\"0\")", "Timeout(1, election)", "Timeout(2, election)"])
        let b = try model.state(after: ["Timeout(2, election)", "client → 0 Propose(#1\"0\")", "Timeout(1, election)"])
        #expect(a == b)
        #expect(model.fingerprint(of: a) == model.fingerprint(of: b))
    }

    @Test("crash flags, timers and message counts are part of the state")
    func fingerprintIsExact() throws {
        let model = RaftModel(RaftModelConfiguration(crashMode: .stop, crashCountMax: 3))
        let initial = model.initialState
        // Only the crash flag differs (the timers are cleared by hand in the other state).
        let crashed = try model.state(after: ["Crash(1)"])
        var timersOnly = initial.words
        timersOnly[0] &= ~StateLayout.timerBits(1)
        #expect(crashed.words.dropFirst() == timersOnly.dropFirst())
        #expect(model.fingerprint(of: crashed) != model.fingerprint(of: ClusterState(words: timersOnly)))
        // Only one timer differs.
        let heartbeatFired = try model.state(after: ["Timeout(0, heartbeat)"])
        #expect(model.snapshot(of: heartbeatFired).servers[0].pendingTimers == [.election])
        #expect(model.fingerprint(of: heartbeatFired) != model.fingerprint(of: initial))
        // The same item twice is not the same as once.
        var doubled = initial.words
        doubled.append(doubled[doubled.count - 1])
        doubled[model.layout.headerCount...].sort()
        #expect(model.fingerprint(of: ClusterState(words: doubled)) != model.fingerprint(of: initial))
    }

    @Test("crash-stop: a crashed server keeps its state, takes nothing, and crashes are bounded")
    func crashStop() throws {
        let model = RaftModel()
        let state = try model.state(after: ["Timeout(0, election)", "Crash(0)"])
        let labels = model.enabledSteps(from: state).map(\.label)
        #expect(!labels.contains { $0.hasPrefix("Timeout(0") || $0.hasPrefix("client → 0") || $0.hasPrefix("Crash") })
        let server = model.snapshot(of: state).servers[0]
        #expect(server.status == .stopped && server.node?.role == .candidate && server.pendingTimers.isEmpty)
        // Messages to the stopped server stay in flight, undeliverable.
        #expect(model.snapshot(of: state).network.contains { $0.item.to == 0 && !$0.isDeliverable })
    }

    @Test("crash-restart: a server comes back from its disk with both timers armed")
    func crashRestart() throws {
        let model = RaftModel(RaftModelConfiguration(crashMode: .restart))
        let down = try model.state(after: ["Timeout(0, election)", "Crash(0)"])
        #expect(model.snapshot(of: down).servers[0].status == .down)
        #expect(model.enabledSteps(from: down).map(\.label).contains("Restart(0)"))
        let back = try model.state(after: ["Timeout(0, election)", "Crash(0)", "Restart(0)"])
        let server = model.snapshot(of: back).servers[0]
        #expect(server.status == .running && server.node?.role == .follower)
        #expect(server.node?.currentTerm == 1 && server.node?.votedFor == 0)
        #expect(Set(server.pendingTimers) == [.election, .heartbeat])
    }

    @Test("a mutant that forgets the vote keeps it on disk but not in memory")
    func durableStateIsTrackedApart() throws {
        let model = RaftModel(RaftModelConfiguration(crashMode: .restart, mutant: .forgetVoteOnRestart))
        let state = try model.state(after: ["Timeout(0, election)", "Crash(0)", "Restart(0)"])
        let server = model.snapshot(of: state).servers[0]
        #expect(server.node?.votedFor == nil)
        #expect(server.durable?.votedFor == 0)
    }

    @Test("an ordered network delivers each queue's head only; a duplicating one delivers again and again")
    func networkSemantics() throws {
        let ordered = RaftModel(RaftModelConfiguration(network: .ordered, profile: .lite))
        // Node 0 leads term 1, then appends its client's proposal: two log requests to 1 in one queue.
        let leading = try ordered.state(after: ["Timeout(0, election)", "0 → 1 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)",
                                                "1 → 0 VoteResponse(term: 1, granted: true)", "client → 0 Propose(#1\"0\")"])
        let toOne = ordered.snapshot(of: leading).network.filter { $0.item.from == 0 && $0.item.to == 1 }
        #expect(toOne.count == 2)
        #expect(toOne.map(\.isDeliverable) == [true, false])
        #expect(toOne[0].label.contains("suffix: []"))

        let duplicating = RaftModel(RaftModelConfiguration(network: .unorderedDuplicating))
        let once = try duplicating.state(after: ["client → 0 Propose(#1\"0\")"])
        #expect(duplicating.enabledSteps(from: once).map(\.label).contains("client → 0 Propose(#1\"0\")"))
        #expect(duplicating.snapshot(of: once).network.count == 3)
    }

    @Test("threads and depth-first search find the same states as one breadth-first thread",
          arguments: [RaftModelConfiguration(), RaftModelConfiguration(network: .ordered, crashMode: .restart, profile: .full)])
    func searchesAgree(configuration: RaftModelConfiguration) {
        let depth = 7
        let reference = RaftChecker(model: RaftModel(configuration), options: CheckerOptions(depthMax: depth)).run()
        #expect(reference.progress.uniqueCount > 1000)
        for (threads, strategy) in [(2, CheckerOptions.Strategy.breadthFirst), (1, .depthFirst), (2, .depthFirst)] {
            let options = CheckerOptions(depthMax: depth, threadCount: threads, strategy: strategy)
            let result = RaftChecker(model: RaftModel(configuration), options: options).run()
            #expect(result.progress.uniqueCount == reference.progress.uniqueCount, "\(strategy) on \(threads) threads")
            if strategy == .breadthFirst { #expect(result.progress.stateCount == reference.progress.stateCount) }
        }
    }

    @Test("raft-lite's model keeps its stateright-comparable counts (docs/MODEL.md)")
    func liteCountsStay() {
        for (depth, states, unique) in [(8, 132_637, 44_439), (10, 1_732_261, 564_431)] {
            let result = RaftChecker(model: RaftModel(), options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
            #expect(result.progress.stateCount == states && result.progress.uniqueCount == unique, "depth \(depth)")
        }
    }

    /// Every state reachable within the depth, explored plainly (exact states, no checker),
    /// falls into as many classes as the reduced search visits: the reductions merge only
    /// states that are alike and lose no class (a server renaming or a campaign number the
    /// core treated differently would show here).
    @Test("symmetry and the campaign abstraction lose no class of states",
          arguments: [RaftModelConfiguration(crashMode: .restart, profile: .full, symmetry: true),
                      RaftModelConfiguration(network: .ordered, crashMode: .restart, symmetry: true, prunesNoOps: true),
                      RaftModelConfiguration(crashMode: .restart, profile: .full, mutant: .sendBeforePersist),
                      RaftModelConfiguration(network: .unorderedDuplicating, profile: .full, symmetry: true, prunesNoOps: true)])
    func reductionsLoseNoClass(configuration: RaftModelConfiguration) {
        let depth = 7
        let model = RaftModel(configuration)
        var seen: Set<ClusterState> = [model.initialState]
        var level = [model.initialState]
        var classes: Set<Fingerprint> = [model.fingerprint(of: model.initialState)]
        for _ in 1..<depth {
            var next: [ClusterState] = []
            for state in level {
                for (_, successor) in model.successors(of: state) where seen.insert(successor).inserted {
                    next.append(successor)
                    classes.insert(model.fingerprint(of: successor))
                }
            }
            level = next
        }
        let reduced = RaftChecker(model: RaftModel(configuration), options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
        #expect(reduced.progress.uniqueCount == classes.count, "\(seen.count) exact states")
        #expect(classes.count < seen.count, "the reductions merge some states")
    }

    @Test("a running search can be cancelled from its progress report")
    func cancel() {
        let checker = RaftChecker(model: RaftModel(), options: CheckerOptions(depthMax: 40, threadCount: 2))
        let result = checker.run(reportEvery: 0.01) { progress in
            if progress.uniqueCount > 0 { checker.cancel() }
        }
        #expect(result.stopReason == .cancelled)
        #expect(checker.progress.uniqueCount == result.progress.uniqueCount)
    }
}

extension RaftModelConfiguration: CustomTestStringConvertible {
    public var testDescription: String { description }
}
