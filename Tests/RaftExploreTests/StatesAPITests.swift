import Foundation
import RaftCheck
import RaftCore
import RaftExplore
import TestGate
import Testing

/// `GET /.model` and `GET /.states/…` over HTTP.
@Suite(.serialized, .exclusive)
struct StatesAPITests {
    @Test func modelDescribesTheConfigurationAndProperties() async throws {
        try await withExplorerServer(RaftModelConfiguration(serverCount: 5, crashMode: .restart, profile: .full,
                                                            mutant: .noStepDownOnHigherTerm)) { _, client in
            let response = try client.get("/.model")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let model = try response.json(ModelDocument.self)
            #expect(model.servers == 5)
            #expect(model.crash == "restart")
            #expect(model.maxCrashes == 2)
            #expect(model.profile == "full")
            #expect(model.mutant == "no-step-down")
            #expect(model.network == "unordered-nonduplicating")
            #expect(model.properties.map(\.name) == RaftProperties.all.map(\.name))
            #expect(model.properties.first { $0.name == "Leader Append-Only" }?.scope == "transition")
            #expect(model.searchDepthMax == SearchSession.depthMax)
        }
    }

    @Test func initialStateHasFollowersProposalsAndTimers() async throws {
        try await withExplorerServer { _, client in
            for target in ["/.states", "/.states/", "/.states?ignored=1"] {
                let document = try client.get(target).json(StateDocument.self)
                #expect(document.path.isEmpty)
                #expect(document.servers.map(\.role) == ["follower", "follower", "follower"])
                #expect(document.servers.allSatisfy { $0.term == 0 && $0.status == "running" && $0.log.isEmpty })
                #expect(document.servers.allSatisfy { $0.timers == ["election", "heartbeat"] })
                #expect(Set(document.network.map(\.label))
                        == ["client → 0 Propose(#1\"0\")", "client → 1 Propose(#2\"1\")", "client → 2 Propose(#3\"2\")"])
                #expect(document.network.allSatisfy { $0.from == nil && $0.message == "Propose" && $0.deliverable })
                let labels = Set(document.actions.map(\.step.label))
                #expect(labels.isSuperset(of: ["Timeout(0, election)", "Timeout(2, heartbeat)", "Crash(1)", "client → 1 Propose(#2\"1\")"]))
                #expect(try document.holds("Election Safety"))
                #expect(try !document.holds("Election Liveness"))
                #expect(document.violations.isEmpty)
            }
        }
    }

    @Test func firstElectionMakesALeaderAndDescribesThePath() async throws {
        try await withExplorerServer { _, client in
            let path = try client.firstElection()
            let document = try client.state(path)
            #expect(document.servers[0].role == "leader")
            #expect(document.servers[0].term == 1)
            #expect(document.servers[1].votedFor == 0)
            #expect(try document.holds("Election Liveness"))
            #expect(try document.holds("Election Safety"))
            #expect(document.path.map(\.step.label) == path)
            let (timeout, request, response) = (document.path[0], document.path[1], document.path[2])
            #expect(timeout.step.kind == "timeout" && timeout.step.timer == "election" && timeout.step.node == 0)
            #expect(timeout.changedRoleOrTerm && timeout.roleAfter == "candidate" && timeout.termAfter == 1)
            #expect(request.step.kind == "deliver" && request.step.from == 0 && request.step.node == 1)
            #expect(request.sentAtStep == 1, "the vote request was sent by the timeout, step 1")
            #expect(request.step.summary == "VoteRequest t1 len 0")
            #expect(response.sentAtStep == 2 && response.step.summary == "VoteResponse t1 ✓")
            #expect(response.changedRoleOrTerm && response.roleAfter == "leader")
            #expect(document.path.allSatisfy { $0.failing.isEmpty })
            // Server 0's vote request to server 2 is still in flight.
            #expect(document.network.contains { $0.from == 0 && $0.to == 2 && $0.message == "VoteRequest" })
        }
    }

    @Test func deliveredEntriesAndCommitIndexFollowReplication() async throws {
        try await withExplorerServer { _, client in
            var path = try client.firstElection()
            path.append("client → 0 Propose(#1\"0\")")
            // The leader replicates to server 1 and counts its acknowledgement.
            var document = try client.state(path)
            #expect(document.servers[0].log.map(\.payload) == ["0"])
            let replicate = try #require(document.actions.first {
                $0.step.message == "LogRequest" && $0.step.from == 0 && $0.step.node == 1 && $0.step.summary.contains("+1")
            }?.step.label, "no log request carrying the entry: \(document.actions.map(\.step.label))")
            path.append(replicate)
            document = try client.state(path)
            path.append(try document.deliveryLabel("LogResponse", from: 1, to: 0))
            document = try client.state(path)
            #expect(document.servers[0].commitIndex == 1)
            #expect(document.servers[0].log.map(\.committed) == [true])
            #expect(document.servers[0].delivered == ["0"])
            #expect(document.servers[1].delivered.isEmpty, "server 1 has not heard of the commit yet")
            #expect(try document.holds("Log Liveness"))
        }
    }

    @Test func mutantPathShowsTheViolation() async throws {
        try await withExplorerServer(RaftModelConfiguration(mutant: .majorityOffByOne)) { _, client in
            let path = ["Timeout(0, election)", "Timeout(1, election)"]
            let before = try client.state(Array(path.prefix(1)))
            #expect(before.actions.first { $0.step.label == path[1] }?.breaks == ["Election Safety"],
                    "the action that makes a second leader is flagged before it is taken")
            let document = try client.state(path)
            #expect(document.servers.map(\.role) == ["leader", "leader", "follower"])
            #expect(try !document.holds("Election Safety"))
            #expect(document.violations.count == 1 && document.violations[0].contains("both lead term 1"))
            #expect(document.path[1].failing == ["Election Safety"])
            #expect(!document.actions.isEmpty && document.actions.allSatisfy { !$0.breaks.contains("Election Safety") },
                    "an action does not break what is already broken")
        }
    }

    @Test func crashRestartShowsTheDiskAndTheRestart() async throws {
        try await withExplorerServer(RaftModelConfiguration(crashMode: .restart)) { _, client in
            let path = ["Timeout(2, election)", "Crash(2)"]
            var document = try client.state(path)
            let down = document.servers[2]
            #expect(down.status == "down" && down.role == nil && down.term == 1 && down.votedFor == 2)
            #expect(down.disk?.term == 1 && down.timers.isEmpty)
            #expect(document.actions.contains { $0.step.label == "Restart(2)" && $0.step.kind == "restart" })
            #expect(!document.actions.contains { $0.step.label == "Crash(0)" }, "at most one server down at a time")
            document = try client.state(path + ["Restart(2)"])
            #expect(document.servers[2].status == "running" && document.servers[2].role == "follower")
            let restart = try #require(document.path.last)
            #expect(restart.step.kind == "restart" && restart.changedRoleOrTerm && restart.termAfter == 1)
        }
    }

    @Test func orderedNetworkOffersOnlyTheHeadOfEachQueue() async throws {
        try await withExplorerServer(RaftModelConfiguration(network: .ordered)) { _, client in
            let document = try client.state(try client.firstElection())
            // Queue 0 → 2 holds the vote request, then the new leader's first log request.
            let queue = document.network.filter { $0.from == 0 && $0.to == 2 }
            #expect(queue.map(\.message) == ["VoteRequest", "LogRequest"])
            #expect(queue.map(\.deliverable) == [true, false])
            #expect(!document.actions.contains { $0.step.label == queue[1].label })
            #expect(document.actions.contains { $0.step.label == queue[0].label })
        }
    }

    @Test func duplicatingNetworkDrawsRepeatedDeliveriesFromTheOneSend() async throws {
        try await withExplorerServer(RaftModelConfiguration(network: .unorderedDuplicating)) { _, client in
            var path = ["Timeout(0, election)"]
            let request = try client.state(path).deliveryLabel("VoteRequest", from: 0, to: 1)
            path += [request, request]
            let document = try client.state(path)
            #expect(document.path.map(\.sentAtStep) == [nil, 1, 1])
            #expect(document.network.contains { $0.label == request && $0.count == 1 })
        }
    }
}
