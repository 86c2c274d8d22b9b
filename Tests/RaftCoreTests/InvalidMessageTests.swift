import RaftCore
import RaftSim
import Testing

/// What a node does with messages no correct peer sends: it drops them whole, says why
/// (`Output.dropMessage`, a trace event), and stays as it was. Before validation, several of
/// these reached a precondition of the core and stopped the node.
@Suite("Invalid messages")
struct InvalidMessageTests {
    /// A 3-node cluster where node 0 led term 1 and committed "a" and "b", then node 1 won
    /// term 2 and committed "c": node 2 holds committed entries of term 1 under a leader of
    /// term 2. (Pre-vote on, the lease off, so node 1 can win while node 0 is down.)
    static func cluster() -> SimulatedCluster {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.preVoteOnly, recordsTrace: true)
        cluster.expectsValidMessages = false
        #expect(cluster.elect(0))
        cluster.propose(at: 0, request: 1, "a")
        cluster.propose(at: 0, request: 2, "b")
        cluster.settle()
        cluster.crash(0)
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 3, "c")
        cluster.settle()
        cluster.restart(0)
        cluster.settle()
        #expect(cluster.leader == 1 && cluster.nodes[1].currentTerm == 2)
        #expect(cluster.nodes.allSatisfy { $0.commitIndex == cluster.nodes[1].log.lastIndex })
        return cluster
    }

    /// One crafted message: who gets it, what it is, and the reason it must be dropped for.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var reason: InvalidMessage
        /// The node that gets the message (its `to`, unless the case is about a wrong `to`).
        var receiver: NodeID? = nil
        var message: @Sendable (SimulatedCluster) -> Message
        var testDescription: String { "\(reason.rawValue): \(name)" }
    }

    static let term: Term = 2
    static func entry(_ term: Term) -> Entry { Entry(term: term, request: 99, payload: Array("x".utf8)) }
    static func logRequest(_ prefix: Int, _ prefixTerm: Term, _ suffix: [Entry], term: Term = term,
                           from: NodeID = 1, to: NodeID = 2) -> Message {
        Message(from: from, to: to, term: term,
                body: .logRequest(LogRequest(prefixLength: prefix, prefixTerm: prefixTerm, leaderCommit: 0, suffix: suffix)))
    }
    static func voteRequest(_ length: Int, _ lastTerm: Term, term: Term = 3) -> Message {
        Message(from: 0, to: 2, term: term,
                body: .voteRequest(VoteRequest(logLength: length, lastLogTerm: lastTerm, preVote: true, campaign: CampaignID(incarnation: 1, round: 1))))
    }
    static func ack(_ ack: Int, hint: Int = 0, hintTerm: Term = 0, success: Bool = true) -> Message {
        Message(from: 2, to: 1, term: term,
                body: .logResponse(LogResponse(ack: ack, success: success, conflictHint: hint, conflictTerm: hintTerm)))
    }
    static func forward(hops: Int, count: Int = 1) -> Message {
        let proposals = (0..<count).map { Proposal(request: RequestID(100 + $0), payload: [], origin: 2) }
        return Message(from: 2, to: 1, term: term, body: .forward(Forward(proposals: proposals, hops: hops)))
    }

    static let cases: [Case] = [
        Case(name: "addressed to another node", reason: .wrongReceiver, receiver: 0) { _ in logRequest(0, 0, []) },
        Case(name: "from an id outside 0..<64", reason: .unknownSender) { _ in logRequest(0, 0, [], from: 64) },
        Case(name: "from the receiver itself", reason: .unknownSender) { _ in logRequest(0, 0, [], from: 2) },
        Case(name: "a term no cluster reaches", reason: .termTooLarge) { _ in logRequest(0, 0, [], term: RaftLimits.termMax + 1) },
        Case(name: "the largest term", reason: .termTooLarge) { _ in logRequest(0, 0, [], term: .max) },
        Case(name: "a negative prefix", reason: .negativeNumber) { _ in logRequest(-1, 0, []) },
        Case(name: "a negative ack", reason: .negativeNumber) { _ in ack(-5) },
        Case(name: "a negative hint", reason: .negativeNumber) { _ in ack(0, hint: -1, success: false) },
        Case(name: "a negative log length", reason: .negativeNumber) { _ in voteRequest(-1, 0) },
        Case(name: "negative hops", reason: .negativeNumber) { _ in forward(hops: -1) },
        Case(name: "a last log term beyond the term", reason: .inconsistentVoteRequest) { _ in voteRequest(9, 4) },
        Case(name: "an empty log with a last term", reason: .inconsistentVoteRequest) { _ in voteRequest(0, 1) },
        Case(name: "a non-empty log without a last term", reason: .inconsistentVoteRequest) { _ in voteRequest(3, 0) },
        Case(name: "a prefix term beyond the term", reason: .prefixTermBeyondTerm) { _ in logRequest(1, 3, []) },
        Case(name: "an empty prefix with a term", reason: .prefixTermBeyondTerm) { _ in logRequest(0, 1, []) },
        Case(name: "an entry beyond the request's term", reason: .entryTermBeyondTerm) { c in
            logRequest(c.nodes[2].log.lastIndex, 2, [entry(3)])
        },
        Case(name: "an entry of term 0", reason: .entryTermBeyondTerm) { c in logRequest(c.nodes[2].log.lastIndex, 2, [entry(0)]) },
        Case(name: "entry terms going down", reason: .entryTermsDecrease) { c in
            logRequest(c.nodes[2].log.lastIndex, 1, [entry(2), entry(1)])
        },
        Case(name: "an entry below the prefix term", reason: .entryTermsDecrease) { c in
            logRequest(c.nodes[2].log.lastIndex, 2, [entry(1)])
        },
        Case(name: "more entries than a message may carry", reason: .tooManyEntries) { c in
            logRequest(c.nodes[2].log.lastIndex, 2, Array(repeating: entry(2), count: RaftLimits.entriesPerMessageMax + 1))
        },
        Case(name: "a log request of the leader's own term", reason: .secondLeader) { c in
            logRequest(c.nodes[1].log.lastIndex, 2, [entry(2)], from: 0, to: 1)
        },
        Case(name: "a suffix that replaces committed entries", reason: .truncatesCommitted) { _ in
            logRequest(0, 0, [entry(2)])
        },
        Case(name: "a refusal naming a term beyond its own", reason: .hintTermBeyondTerm) { _ in ack(0, hint: 1, hintTerm: 3, success: false) },
        Case(name: "an ack beyond the leader's log", reason: .ackBeyondLog) { c in ack(c.nodes[1].log.lastIndex + 1) },
        Case(name: "an ack far beyond the leader's log", reason: .ackBeyondLog) { _ in ack(Int.max) },
        Case(name: "too many hops", reason: .invalidForward) { _ in forward(hops: RaftLimits.forwardHopsMax + 1) },
        Case(name: "too many proposals", reason: .invalidForward) { _ in forward(hops: 1, count: RaftLimits.entriesPerMessageMax + 1) },
        Case(name: "a proposal from an origin outside the id range", reason: .invalidForward) { _ in
            Message(from: 2, to: 1, term: term, body: .forward(Forward(proposals: [Proposal(request: 5, payload: [], origin: 64)], hops: 1)))
        },
        Case(name: "snapshot bytes beyond the snapshot they claim to be part of", reason: .invalidSnapshotChunk) { _ in
            chunk(SnapshotChunk(index: 9, snapshotTerm: 2, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 4, offset: 2, bytes: [1, 2, 3]))
        },
        Case(name: "a snapshot larger than a follower accepts", reason: .invalidSnapshotChunk) { _ in
            chunk(SnapshotChunk(index: 9, snapshotTerm: 2, configuration: Configuration(voters: [0, 1, 2]), totalBytes: RaftLimits.snapshotBytesMax + 1, offset: 0, bytes: [1]))
        },
        Case(name: "a snapshot of a term beyond its message's", reason: .invalidSnapshotChunk) { _ in
            chunk(SnapshotChunk(index: 9, snapshotTerm: 3, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 1, offset: 0, bytes: [1]))
        },
        Case(name: "a snapshot whose last entry contradicts a committed one", reason: .snapshotConflictsCommitted) { _ in
            chunk(SnapshotChunk(index: 2, snapshotTerm: 2, configuration: Configuration(voters: [0, 1, 2]), totalBytes: 1, offset: 0, bytes: [1]))
        },
        Case(name: "a protocol entry that is neither a no-op nor a configuration", reason: .malformedConfiguration) { _ in
            logRequest(0, 0, [Entry(term: 1, request: 0, payload: [0x43, 1, 2])])
        },
        Case(name: "a snapshot whose configuration has no voter", reason: .malformedConfiguration) { _ in
            chunk(SnapshotChunk(index: 9, snapshotTerm: 2, configuration: .empty, totalBytes: 1, offset: 0, bytes: [1]))
        },
        Case(name: "a negative count of snapshot bytes received", reason: .negativeNumber) { _ in
            Message(from: 2, to: 1, term: term, body: .snapshotResponse(SnapshotResponse(index: 3, receivedBytes: -1, installed: false)))
        },
    ]

    static func chunk(_ chunk: SnapshotChunk) -> Message {
        Message(from: 1, to: 2, term: term, body: .snapshotChunk(chunk))
    }

    @Test("a crafted message is dropped with its reason and changes nothing", arguments: cases)
    func craftedMessageIsDropped(_ testCase: Case) {
        let cluster = Self.cluster()
        let message = testCase.message(cluster)
        let receiver = testCase.receiver ?? message.to
        let before = NodeSnapshot(cluster.nodes[receiver])
        let outputs = cluster.step(receiver, .receive(message))
        #expect(outputs == [.dropMessage(from: message.from, reason: testCase.reason),
                            .trace(.messageDropped(from: message.from, reason: testCase.reason))])
        #expect(NodeSnapshot(cluster.nodes[receiver]) == before, "the node is as it was")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("every reason has a crafted message that triggers it")
    func everyReasonIsCovered() {
        #expect(Set(Self.cases.map(\.reason)) == Set(InvalidMessage.allCases))
    }

    @Test("a leader sent an ack beyond its log keeps leading and committing")
    func leaderSurvivesAckBeyondItsLog() {
        let cluster = Self.cluster()
        let lastIndex = cluster.nodes[1].log.lastIndex
        cluster.step(1, .receive(Self.ack(lastIndex + 1_000)))
        #expect(cluster.droppedMessages.map(\.reason) == [.ackBeyondLog])
        cluster.propose(at: 1, request: 4, "d")
        cluster.settle()
        #expect(cluster.leader == 1)
        #expect(cluster.nodes.allSatisfy { $0.commitIndex == lastIndex + 1 })
        #expect(cluster.deliveredTexts(2).suffix(2) == ["c", "d"])
    }

    @Test("a follower sent a term at the limit can still campaign past it without overflow")
    func termAtTheLimitDoesNotOverflow() {
        let cluster = Self.cluster()
        cluster.step(2, .receive(Self.logRequest(0, 0, [], term: RaftLimits.termMax, from: 0)))
        #expect(cluster.nodes[2].currentTerm == RaftLimits.termMax)
        cluster.fireElectionTimeout(2)
        cluster.deliverAll()
        #expect(cluster.nodes.map(\.currentTerm).max()! >= RaftLimits.termMax)
    }

    @Test("a follower that forwards more proposals than a message may carry splits them")
    func forwardsAreSplitToTheMessageBound() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        #expect(cluster.elect(0))
        cluster.settle()
        let count = RaftLimits.entriesPerMessageMax + 10
        cluster.step(1, .propose((0..<count).map { Proposal(request: RequestID(1 + $0), payload: []) }))
        let forwards = cluster.network.compactMap { message -> Int? in
            if case .forward(let forward) = message.body { return forward.proposals.count } else { return nil }
        }
        #expect(forwards == [RaftLimits.entriesPerMessageMax, 10])
        for message in cluster.network { #expect(cluster.nodes[0].problem(with: message) == nil) }
    }
}

/// Everything of a node's state a message could change.
private struct NodeSnapshot: Equatable {
    var term: Term, vote: NodeID?, log: RaftLog, commitIndex: Int, durableLength: Int
    var role: Role, leader: NodeID?, votes: NodeSet, progress: [FollowerProgress], active: NodeSet
    var buffered: [Proposal], forwards: [Proposal], campaign: CampaignID

    init(_ node: RaftNode) {
        term = node.currentTerm; vote = node.votedFor; log = node.log; commitIndex = node.commitIndex
        durableLength = node.durableLength; role = node.role; leader = node.leaderID; votes = node.votesReceived
        progress = node.progress; active = node.recentlyActive; buffered = node.bufferedProposals
        forwards = node.unconfirmedForwards; campaign = node.campaign
    }
}
