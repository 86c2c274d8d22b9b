import RaftCore
import Testing
@testable import RaftCheck

struct StateEncodingTests {
    /// The stored properties `StateEncoding.node` covers, and those it leaves out on purpose.
    static let encoded: Set<String> = ["currentTerm", "votedFor", "log", "commitIndex", "role", "leaderID",
                                       "votesReceived", "progress", "recentlyActive", "bufferedProposals", "unconfirmedForwards",
                                       "isRunning", "incarnation", "campaign", "durableLength", "snapshot", "incomingSnapshot", "transferTarget"]
    /// `configuration`, `configurationIndex` and `members` follow from the log, the snapshot
    /// and `bootstrap` (a function of the id in a model), all encoded.
    static let constantOrScratch: Set<String> = ["id", "members", "options", "outbox", "electionTimerReset", "pendingRejections",
                                                 "bootstrap", "configuration", "configurationIndex"]

    @Test("the node encoding knows every stored property of RaftNode and of FollowerProgress")
    func coversEveryStoredProperty() {
        let node = RaftNode(id: 0, members: [0, 1, 2], options: .lite)
        let labels = Set(Mirror(reflecting: node).children.compactMap(\.label))
        #expect(labels == Self.encoded.union(Self.constantOrScratch),
                "new or renamed RaftNode properties: \(labels.symmetricDifference(Self.encoded.union(Self.constantOrScratch)))")
        let progress = Set(Mirror(reflecting: FollowerProgress(sentLength: 0)).children.compactMap(\.label))
        #expect(progress == ["sentLength", "ackedLength", "isProbing", "probeInFlight",
                             "snapshotIndex", "snapshotBytesAcked", "snapshotChunkInFlight"])
    }

    @Test("nodes that differ in one field encode differently; equal nodes encode equally")
    func encodingIsExact() {
        var a = RaftNode(id: 0, members: [0, 1, 2], options: .lite)
        _ = a.step(.restart(.initial))
        var b = a
        #expect(StateEncoding.node(a) == StateEncoding.node(b))
        _ = b.step(.propose([Proposal(request: 1, payload: [1])])) // buffered: no leader known
        #expect(StateEncoding.node(a) != StateEncoding.node(b))
        var c = a
        _ = c.step(.electionTimeout) // candidate in term 1
        #expect(StateEncoding.node(a) != StateEncoding.node(c))
        var other = RaftNode(id: 1, members: [0, 1, 2], options: .lite)
        _ = other.step(.restart(.initial))
        #expect(StateEncoding.node(a) != StateEncoding.node(other))
    }

    @Test("payload bytes are packed without ambiguity")
    func payloads() {
        func item(_ bytes: [UInt8]) -> [UInt64] {
            StateEncoding.item(.clientRequest(to: 0, Proposal(request: 1, payload: bytes)))
        }
        #expect(item([]) != item([0]))
        #expect(item([1, 2, 3, 4, 5, 6, 7, 8]) != item([1, 2, 3, 4, 5, 6, 7, 8, 0]))
        #expect(item(Array(0..<20)) == item(Array(0..<20)))
        #expect(Labels.payload([0x30, 0x22, 0x5c, 0x00, 0x7f]) == "\"0\\x22\\x5c\\x00\\x7f\"")
    }
}
