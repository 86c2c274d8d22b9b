import RaftCore
import RaftSim
import Testing

/// Snapshots: the application's state replaces a prefix of the log, a leader sends it to a
/// follower that needs a dropped entry, the follower installs it and its application restores.
@Suite("Snapshots and log compaction")
struct SnapshotScenarioTests {
    /// `Profiles.plain` keeping `kept` entries behind a snapshot, in chunks of `chunk` bytes.
    static func options(kept: Int = 2, chunk: Int = 1 << 20, pipelining: Bool = true) -> ProtocolOptions {
        var options = pipelining ? Profiles.plain : Profiles.plainWithoutPipelining
        options.entriesKeptAfterSnapshot = kept
        options.snapshotChunkBytesMax = chunk
        return options
    }

    /// A 3-node cluster led by node 0 in which node 2 missed `count` entries (cut off), and
    /// the leader compacted them away.
    private func clusterWithCompactedLeader(count: Int = 20, options: ProtocolOptions) -> SimulatedCluster {
        let cluster = SimulatedCluster(nodeCount: 3, options: options, recordsTrace: true)
        #expect(cluster.elect(0))
        cluster.isolate(2)
        for request in 1...RequestID(count) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.nodes[0].commitIndex >= count)
        #expect(cluster.takeSnapshot(at: 0))
        #expect(cluster.takeSnapshot(at: 1))
        return cluster
    }

    @Test("a follower that missed entries the leader compacted away is brought up by snapshot; its application restores it",
          arguments: [true, false])
    func farBehindFollowerInstalls(pipelining: Bool) {
        let cluster = clusterWithCompactedLeader(options: Self.options(pipelining: pipelining))
        let leader = cluster.nodes[0]
        #expect(leader.snapshot.index == leader.commitIndex)
        #expect(leader.log.compactedIndex == leader.snapshot.index - 2, "all but two entries dropped")
        cluster.heal()
        for _ in 0..<4 {
            cluster.fireHeartbeatTimeout(0)
            cluster.deliverAll()
        }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        #expect(cluster.snapshotsInstalled == 1)
        let follower = cluster.nodes[2]
        #expect(follower.snapshot.index == leader.snapshot.index)
        #expect(follower.commitIndex == leader.commitIndex && follower.log.lastIndex == leader.log.lastIndex)
        #expect(cluster.deliveredTexts(2) == cluster.deliveredTexts(0))
        #expect(cluster.traces(of: 2).contains { if case .snapshotInstalled = $0 { true } else { false } })
        // The follower goes on by entries after the snapshot.
        cluster.propose(at: 0, request: 99, "after")
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.deliveredTexts(2).last == "after")
    }

    @Test("a snapshot larger than one chunk arrives chunk by chunk; lost chunks are sent again on the next heartbeat")
    func chunksAndLoss() {
        let cluster = clusterWithCompactedLeader(options: Self.options(chunk: 16))
        let size = cluster.nodes[0].snapshot.data.count
        #expect(size > 64, "the snapshot spans several chunks")
        cluster.heal()
        var lost = 0
        var chunks = 0
        for _ in 0..<(size * 4) {
            if cluster.snapshotsInstalled == 1 && cluster.nodes[2].commitIndex == cluster.nodes[0].commitIndex { break }
            guard !cluster.network.isEmpty else {
                cluster.fireHeartbeatTimeout(0)
                continue
            }
            // Every third chunk is lost on the way; the rest of the traffic arrives in order.
            if case .snapshotChunk = cluster.network[0].body {
                chunks += 1
                if chunks % 3 == 0 {
                    _ = cluster.takeMessage(at: 0)
                    lost += 1
                    continue
                }
            }
            cluster.deliver(messageAt: 0)
        }
        #expect(lost > 0)
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        #expect(cluster.snapshotsInstalled == 1)
        #expect(cluster.deliveredTexts(2) == cluster.deliveredTexts(0))
    }

    @Test("a follower whose log conflicts after its commit index drops that suffix before it installs")
    func conflictingSuffixIsCut() {
        let options = Self.options()
        let cluster = SimulatedCluster(nodeCount: 3, options: options, recordsTrace: true)
        #expect(cluster.elect(2))
        // Node 2 leads term 1 alone with entries nobody else gets, then is cut off.
        cluster.isolate(2)
        for request in 1...RequestID(3) { cluster.propose(at: 2, request: request, "lost\(request)") }
        #expect(cluster.nodes[2].log.lastIndex == 3 && cluster.nodes[2].commitIndex == 0)
        cluster.heal()
        cluster.partition([[0, 1], [2]])
        #expect(cluster.elect(0))
        for request in 10...RequestID(30) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.takeSnapshot(at: 0))
        cluster.heal()
        for _ in 0..<4 {
            cluster.fireHeartbeatTimeout(0)
            cluster.deliverAll()
        }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        #expect(!cluster.logTexts(2).contains { $0.hasPrefix("lost") })
        #expect(cluster.deliveredTexts(2) == cluster.deliveredTexts(0))
        #expect(cluster.traces(of: 2).contains { if case .truncated = $0 { true } else { false } })
    }

    @Test("a follower killed inside its install (snapshot written, compaction not) finishes the install at its restart",
          arguments: [1, 2, 3])
    func crashInsideTheInstall(writesKept: Int) {
        let cluster = clusterWithCompactedLeader(options: Self.options())
        cluster.heal()
        cluster.fireHeartbeatTimeout(0)
        // Deliver everything but the chunk to node 2, which we step as a batch that crashes.
        _ = cluster.deliverAll { if case .snapshotChunk = $0.body { false } else { true } }
        guard let position = cluster.network.firstIndex(where: { if case .snapshotChunk = $0.body { $0.to == 2 } else { false } }) else {
            Issue.record("no snapshot chunk for node 2")
            return
        }
        let chunk = cluster.takeMessage(at: position)
        cluster.stepBatch(2, [.receive(chunk)], crashAfterWrites: writesKept)
        #expect(cluster.isCrashed[2])
        cluster.restart(2)
        let follower = cluster.nodes[2]
        #expect(follower.snapshot.index == cluster.nodes[0].snapshot.index)
        #expect(follower.commitIndex >= follower.snapshot.index)
        for _ in 0..<4 {
            cluster.fireHeartbeatTimeout(0)
            cluster.deliverAll()
        }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        #expect(cluster.deliveredTexts(2) == cluster.deliveredTexts(0))
        #expect(cluster.nodes[2].log.lastIndex == cluster.nodes[0].log.lastIndex)
    }

    @Test("a node restarted from a compacted disk whose application kept nothing restores the snapshot, then gets the rest")
    func restartRestoresThenDelivers() {
        let options = Self.options(kept: 3)
        var node = RaftNode(id: 0, members: [0], options: options)
        _ = node.stepAsBatch(.restart(.initial))
        _ = node.stepAsBatch(.electionTimeout)
        #expect(node.role == .leader)
        for request in 1...RequestID(10) { _ = node.stepAsBatch(.propose([Proposal(request: request, payload: [UInt8(request)])])) }
        #expect(node.commitIndex == 10)
        let data: [UInt8] = [42, 42]
        _ = node.stepAsBatch(.snapshot(index: 8, data: data))
        #expect(node.log.compactedIndex == 5 && node.snapshot.index == 8)
        var restarted = RaftNode(id: 0, members: [0], options: options)
        var state = node.persistentState.nextIncarnation
        state.appliedIndex = 0
        let outputs = restarted.step(.restart(state))
        let applied = outputs.compactMap { output -> String? in
            switch output {
            case .restore(let snapshot): "restore \(snapshot.index) \(snapshot.data)"
            case .deliver(let index, _): "deliver \(index)"
            default: nil
            }
        }
        #expect(applied == ["restore 8 [42, 42]", "deliver 9", "deliver 10"])
        // An application that applied through 9 itself gets only 10.
        state.appliedIndex = 9
        var again = RaftNode(id: 0, members: [0], options: options)
        let later = again.step(.restart(state)).compactMap { if case .deliver(let index, _) = $0 { index } else { nil } }
        #expect(later == [10])
    }

    @Test("a snapshot no newer than the node's is ignored; the log keeps entriesKeptAfterSnapshot entries behind it")
    func staleSnapshotsAndRetention() {
        var node = RaftNode(id: 0, members: [0], options: Self.options(kept: 4))
        _ = node.stepAsBatch(.restart(.initial))
        _ = node.stepAsBatch(.electionTimeout)
        for request in 1...RequestID(12) { _ = node.stepAsBatch(.propose([Proposal(request: request, payload: [1])])) }
        _ = node.stepAsBatch(.snapshot(index: 10, data: [1]))
        #expect(node.snapshot.index == 10 && node.log.compactedIndex == 6)
        #expect(node.log.index(of: 7) == 7 && node.log.index(of: 6) == nil, "request ids of kept entries stay known")
        let outputs = node.stepAsBatch(.snapshot(index: 9, data: [2]))
        #expect(outputs.isEmpty && node.snapshot.data == [1])
    }

    @Test("chunks no correct leader sends are dropped, and the follower goes on")
    func hostileChunks() {
        let cluster = SimulatedCluster(nodeCount: 3, options: Self.options())
        cluster.expectsValidMessages = false
        #expect(cluster.elect(0))
        for request in 1...RequestID(5) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.elect(1))
        cluster.fireHeartbeatTimeout(1)
        cluster.deliverAll()
        let term = cluster.nodes[1].currentTerm
        #expect(term == 2 && cluster.nodes[2].currentTerm == term && cluster.nodes[2].commitIndex == 5)
        func chunk(_ body: SnapshotChunk) -> Message { Message(from: 1, to: 2, term: term, body: .snapshotChunk(body)) }
        // Bytes beyond the snapshot they claim to be part of.
        cluster.step(2, .receive(chunk(SnapshotChunk(index: 9, snapshotTerm: term, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 4, offset: 2, bytes: [1, 2, 3]))))
        // A snapshot whose last entry (index 3, term 2) contradicts the committed entry there (term 1).
        cluster.step(2, .receive(chunk(SnapshotChunk(index: 3, snapshotTerm: term, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 1, offset: 0, bytes: [1]))))
        #expect(cluster.droppedMessages.map(\.reason) == [.invalidSnapshotChunk, .snapshotConflictsCommitted])
        #expect(cluster.nodes[2].snapshot == .none && cluster.nodes[2].commitIndex == 5)
        cluster.propose(at: 1, request: 50, "still")
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(1)
        cluster.deliverAll()
        #expect(cluster.deliveredTexts(2).last == "still")
    }

    @Test("randomized schedules with snapshots, crashes inside batches and message loss stay safe and converge",
          arguments: [3, 5])
    func randomSchedulesWithSnapshots(nodes: Int) {
        var installs = 0
        var snapshots = 0
        for seed in 1...UInt64(12) {
            var options = ProtocolOptions.standard
            options.entriesKeptAfterSnapshot = Int(seed % 3)
            options.snapshotChunkBytesMax = seed % 2 == 0 ? 24 : 1 << 20
            let report = RandomSimulation(configuration: .init(nodeCount: nodes, options: options, steps: 1500, snapshotWeight: 3),
                                          seed: seed).run()
            #expect(report.failures.isEmpty, "\(report)")
            installs += report.installs
            snapshots += report.snapshots
        }
        #expect(snapshots > 0 && installs > 0, "the schedules took \(snapshots) snapshots and installed \(installs)")
    }

    @Test("a follower whose forwarded proposal came back inside an installed snapshot does not forward it again: it would commit twice")
    func installConfirmsNothingAndForgetsForwards() {
        var options = ProtocolOptions.standard
        options.checkQuorum = false
        options.entriesKeptAfterSnapshot = 0
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        #expect(cluster.elect(0))
        cluster.settle()
        cluster.propose(at: 2, request: 5, "forwarded")
        cluster.deliverAll(where: { $0.from == 2 }) // the forward reaches the leader, nothing comes back
        cluster.isolate(2)
        #expect(cluster.nodes[2].unconfirmedForwards.map(\.request) == [5])
        for request in 6...RequestID(8) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.settle()
        #expect(cluster.takeSnapshot(at: 0) && cluster.takeSnapshot(at: 1), "both hold request 5 only in their snapshots now")
        cluster.heal()
        cluster.settle()
        #expect(cluster.snapshotsInstalled >= 1)
        #expect(cluster.nodes[2].unconfirmedForwards.isEmpty, "request 5 may be inside the snapshot: it is not forwarded again")
        cluster.crash(0)
        #expect(cluster.elect(1))
        cluster.settle()
        let copies = cluster.delivered[1].filter { $0.request == 5 }.count
        #expect(copies <= 1, "request 5 committed \(copies) times")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a forward that waited for its leader across the leader's restart is not passed on: its leader compacted the request away and would commit it twice")
    func staleForwardIsNotRelayed() throws {
        var options = ProtocolOptions.standard
        options.checkQuorum = false
        options.entriesKeptAfterSnapshot = 0
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        #expect(cluster.elect(2))
        cluster.settle()
        cluster.propose(at: 0, request: 5, "forwarded")
        // The forward waits in node 0's queue for node 2, which is killed before it arrives.
        let position = try #require(cluster.network.firstIndex { $0.from == 0 && $0.to == 2 })
        let stale = cluster.takeMessage(at: position)
        cluster.crash(2)
        #expect(cluster.elect(1)) // node 0 hears of the new leader and forwards request 5 again
        cluster.settle()
        #expect(cluster.delivered[1].filter { $0.request == 5 }.count == 1)
        for request in 6...RequestID(8) { cluster.propose(at: 1, request: request, "v\(request)") }
        cluster.settle()
        #expect(cluster.takeSnapshot(at: 0) && cluster.takeSnapshot(at: 1), "request 5 is only in their snapshots now")
        // Node 2 comes back in its old term, knowing no leader, and the queued forward reaches it.
        cluster.restart(2)
        _ = cluster.step(2, .receive(stale))
        cluster.settle()
        let copies = cluster.delivered[1].filter { $0.request == 5 }.count
        #expect(copies == 1, "request 5 committed \(copies) times")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }
}
