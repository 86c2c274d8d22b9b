import Foundation
import RaftCore
@testable import RaftRuntime
import TestGate
import Testing

/// The live OTLP span export: what a node's events become, and the file a collector reads.
@Suite("Live OTLP spans", .serialized, .exclusive)
struct NodeSpanTests {
    @Test("a pre-vote campaign that wins is one election span from pre-candidate to leader")
    func campaignWon() {
        var recorder = NodeSpanRecorder()
        recorder.observe(.roleChanged(from: .follower, to: .preCandidate), term: 3, nowUs: 1_000)
        recorder.observe(.roleChanged(from: .preCandidate, to: .candidate), term: 4, nowUs: 1_200)
        recorder.observe(.termChanged(from: 3), term: 4, nowUs: 1_200)
        recorder.observe(.roleChanged(from: .candidate, to: .leader), term: 4, nowUs: 1_900)
        recorder.observe(.becameLeader(lastIndex: 0, lastTerm: 0), term: 4, nowUs: 1_900)
        let spans = recorder.drain()
        #expect(spans.count == 1)
        #expect(spans.first?.name == .election && spans.first?.startUs == 1_000 && spans.first?.endUs == 1_900)
        #expect(spans.first?.outcome == "won" && spans.first?.succeeded == true)
        #expect(spans.first?.attributes.first { $0.key == "raft.start_term" }?.value == 3)
        #expect(recorder.drain().isEmpty)
    }

    @Test("a candidate that hears of another leader ends its campaign as lost")
    func campaignLost() {
        var recorder = NodeSpanRecorder()
        recorder.observe(.roleChanged(from: .follower, to: .candidate), term: 2, nowUs: 10)
        recorder.observe(.roleChanged(from: .candidate, to: .follower), term: 2, nowUs: 50)
        let spans = recorder.drain()
        #expect(spans.map(\.outcome) == ["lost"] && spans.map(\.succeeded) == [false])
    }

    @Test("a leader's runs of entries end when the commit index covers them; a step-down ends the rest as failed")
    func replicationSpans() {
        var recorder = NodeSpanRecorder()
        let entry = Entry(term: 5, request: 1, payload: [1])
        recorder.observe(.becameLeader(lastIndex: 0, lastTerm: 0), term: 5, nowUs: 0)
        recorder.observe(.appended(firstIndex: 1, entries: [entry, entry]), term: 5, nowUs: 100)
        recorder.observe(.appended(firstIndex: 3, entries: [entry]), term: 5, nowUs: 150)
        recorder.observe(.appended(firstIndex: 4, entries: [entry]), term: 5, nowUs: 160)
        recorder.observe(.committed(index: 3), term: 5, nowUs: 400)
        var spans = recorder.drain().filter { $0.name == .replicate }
        #expect(spans.map(\.startUs) == [100, 150] && spans.allSatisfy { $0.endUs == 400 && $0.succeeded })
        #expect(spans.first?.attributes.map(\.value) == [5, 1, 2, 2])
        recorder.observe(.roleChanged(from: .leader, to: .follower), term: 6, nowUs: 900)
        spans = recorder.drain()
        #expect(spans.count == 1 && spans.first?.succeeded == false && spans.first?.attributes[1].value == 4)
        // A follower's appends are not replication spans.
        recorder.observe(.appended(firstIndex: 5, entries: [entry]), term: 6, nowUs: 1_000)
        recorder.observe(.committed(index: 5), term: 6, nowUs: 1_100)
        #expect(recorder.drain().isEmpty)
    }

    @Test("three nodes with spans on: every line is an OTLP/JSON export request with valid ids and times")
    func clusterWritesOTLPLines() async throws {
        let directory = try RaftLibraryTests.makeDirectory("spans")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sessions: [RaftSession] = []
        for var config in RaftLibraryTests.configs(size: 3, directory: directory) {
            config.spanDirectory = directory
            sessions.append(try await Raft(config: config).run())
        }
        var leader: RaftSession?
        _ = try await eventually {
            for session in sessions where try await session.status().role == .leader { leader = session }
            return leader != nil
        }
        let leading = try #require(leader)
        for message in 0..<20 { _ = try await leading.propose(Array("m\(message)".utf8)) }
        for session in sessions { await session.shutdown() }

        var names: [Int: Set<String>] = [:]
        for node in 0..<3 {
            let text = try String(contentsOfFile: NodeSpanExport.path(directory: directory, node: node), encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(!lines.isEmpty, "node \(node) wrote no spans")
            for line in lines {
                let request = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let resource = try #require((request["resourceSpans"] as? [[String: Any]])?.first)
                let attributes = try #require((resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
                #expect(attributes.contains { $0["key"] as? String == "service.name" })
                let spans = try #require(((resource["scopeSpans"] as? [[String: Any]])?.first)?["spans"] as? [[String: Any]])
                for span in spans {
                    let traceID = try #require(span["traceId"] as? String)
                    let spanID = try #require(span["spanId"] as? String)
                    #expect(traceID.count == 32 && spanID.count == 16 && traceID.allSatisfy(\.isHexDigit))
                    #expect(traceID != String(repeating: "0", count: 32) && spanID != String(repeating: "0", count: 16))
                    let start = try #require(UInt64(span["startTimeUnixNano"] as? String ?? ""))
                    let end = try #require(UInt64(span["endTimeUnixNano"] as? String ?? ""))
                    #expect(start <= end && start > 1_600_000_000_000_000_000)
                    names[node, default: []].insert(span["name"] as? String ?? "")
                }
            }
        }
        let leaderSpans = names[leading.nodeID] ?? []
        #expect(leaderSpans.isSuperset(of: ["raft.election", "raft.replicate", "raft.fsync"]), "leader wrote \(leaderSpans)")
        #expect(names.values.allSatisfy { $0.contains("raft.fsync") })
    }
}
