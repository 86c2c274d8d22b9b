import Foundation
import LoopbackHTTP
import RaftCore
@testable import RaftRuntime
import TestGate
import Testing

/// Each node's Prometheus endpoint, read as Prometheus reads it, and the pieces behind it.
@Suite("Node metrics", .serialized, .exclusive)
struct NodeMetricsTests {
    /// The samples of a text exposition: `name{labels}` -> value, plus the HELP and TYPE lines.
    struct Exposition {
        var samples: [String: Double] = [:]
        var help: Set<String> = []
        var types: [String: String] = [:]

        init(_ text: String) {
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", maxSplits: 3)
                if line.hasPrefix("# HELP "), words.count >= 4 { help.insert(String(words[2])) }
                else if line.hasPrefix("# TYPE "), words.count >= 4 { types[String(words[2])] = String(words[3]) }
                else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
                    samples[String(line[..<space])] = Double(line[line.index(after: space)...])
                }
            }
        }

        subscript(_ series: String) -> Double? { samples[series] }
    }

    static func scrape(_ session: RaftSession) throws -> Exposition {
        let server = try #require(session.metricsServer)
        let response = try LoopbackHTTPClient(port: server.port).get("/metrics")
        #expect(response.status == 200)
        return Exposition(response.text)
    }

    @Test("a three-node cluster: the leader's endpoint counts its commits, appends and round trips; followers know their leader")
    func leaderAndFollowersReport() async throws {
        let directory = try RaftLibraryTests.makeDirectory("metrics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sessions: [RaftSession] = []
        for var config in RaftLibraryTests.configs(size: 3, directory: directory) {
            config.metricsPort = 0
            sessions.append(try await Raft(config: config).run())
        }
        do {
            try await checkLeaderAndFollowers(sessions)
        } catch {
            for session in sessions { await session.shutdown() }
            throw error
        }
        for session in sessions { await session.shutdown() }
    }

    private func checkLeaderAndFollowers(_ sessions: [RaftSession]) async throws {
        #expect(try await eventually { try await sessions.asyncContains { try await $0.status().role == .leader } })
        var leader: RaftSession?
        for session in sessions where try await session.status().role == .leader { leader = session }
        let leading = try #require(leader)
        for message in 0..<10 { _ = try await leading.propose(Array("m\(message)".utf8)) }

        let metrics = try Self.scrape(leading)
        #expect(metrics["raft_is_leader"] == 1)
        #expect(metrics["raft_has_leader"] == 1)
        #expect(metrics["raft_proposals_committed_total"] == 10)
        #expect(metrics["raft_commit_latency_seconds_count"] == 10)
        #expect(metrics["raft_proposals_pending"] == 0)
        #expect(metrics["raft_proposals_failed_total"] == 0)
        #expect((metrics["raft_commit_index"] ?? 0) >= 11) // ten proposals and the leader's no-op
        #expect(metrics["raft_applied_index"] == metrics["raft_commit_index"])
        #expect(metrics["raft_log_entries"] == metrics["raft_commit_index"])
        #expect((metrics["raft_elections_started_total"] ?? 0) >= 1)
        #expect((metrics["raft_fsync_duration_seconds_count"] ?? 0) >= 1)
        #expect((metrics["raft_append_batch_entries_count"] ?? 0) >= 1)
        #expect((metrics["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((metrics["process_open_fds"] ?? 0) > 3)
        let leaderID = leading.nodeID
        for peer in 0..<3 where peer != leaderID {
            #expect((metrics[#"raft_messages_sent_total{type="append",peer="\#(peer)"}"#] ?? 0) >= 1)
            #expect((metrics[#"raft_peer_round_trip_seconds_count{peer="\#(peer)"}"#] ?? 0) >= 1)
        }
        #expect((metrics[#"raft_messages_received_total{type="append_response"}"#] ?? 0) >= 1)
        // Every family is described, as `promtool check metrics` demands.
        #expect(Set(metrics.types.keys) == metrics.help, "families without HELP: \(Set(metrics.types.keys).subtracting(metrics.help))")
        #expect(metrics.types["raft_commit_latency_seconds"] == "histogram")
        #expect(metrics.types["raft_proposals_committed_total"] == "counter")

        for follower in sessions where follower.nodeID != leaderID {
            #expect(try await eventually { (try Self.scrape(follower)["raft_commit_index"] ?? 0) >= metrics["raft_commit_index"]! })
            let seen = try Self.scrape(follower)
            #expect(seen["raft_is_leader"] == 0)
            #expect(seen["raft_has_leader"] == 1)
            #expect(seen["raft_leader_changes_seen_total"] == 1)
            #expect(seen["raft_proposals_committed_total"] == 10)
            #expect(seen["raft_votes_granted_total"] ?? 0 <= 1)
            #expect((seen[#"raft_messages_received_total{type="append"}"#] ?? 0) >= 1)
        }
    }

    @Test("the endpoint answers only GET and HEAD on /metrics, 404 elsewhere, and stops with the node")
    func endpointRefusesOtherRequests() async throws {
        let directory = try RaftLibraryTests.makeDirectory("metrics-http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = RaftLibraryTests.configs(size: 1, directory: directory)[0]
        config.metricsPort = 0
        let session = try await Raft(config: config).run()
        let port = try #require(session.metricsServer).port
        let client = LoopbackHTTPClient(port: port)
        #expect(try client.get("/nothing").status == 404)
        #expect(try client.post("/metrics", json: "{}").status == 405)
        let head = try client.request("HEAD", "/metrics")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try client.get("/metrics?name=raft_term").text.contains("# TYPE raft_term gauge"))
        await session.shutdown()
        #expect(throws: LoopbackHTTPClient.ClientError.self) { try client.get("/metrics") }
    }

    @Test("a metrics port already taken fails the start with the port named")
    func takenPortIsNamed() async throws {
        let directory = try RaftLibraryTests.makeDirectory("metrics-taken")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var first = RaftLibraryTests.configs(size: 1, directory: directory + "/a")[0]
        first.metricsPort = 0
        let running = try await Raft(config: first).run()
        let port = try #require(running.metricsServer).port
        var second = RaftLibraryTests.configs(size: 1, directory: directory + "/b")[0]
        second.metricsPort = port
        do {
            let session = try await Raft(config: second).run()
            await session.shutdown()
            Issue.record("a second node bound metrics port \(port)")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port)"))
        }
        await running.shutdown()
    }

    @Test("round-trip samples: one in flight per follower, ended by the acknowledgement that covers the request")
    func roundTripSamples() {
        var trips = PeerRoundTrips()
        let append = LogRequest(prefixLength: 10, prefixTerm: 1, leaderCommit: 10, suffix: Array(repeating: Entry(term: 1, request: 0, payload: []), count: 5))
        trips.sent(append, to: 1, nowNs: 1_000)
        // A second request while one is sampled does not restart the sample.
        trips.sent(LogRequest(prefixLength: 15, prefixTerm: 1, leaderCommit: 10, suffix: []), to: 1, nowNs: 2_000)
        // An older acknowledgement (ack 12 < 15) does not end it; the covering one does.
        #expect(trips.answered(LogResponse(ack: 12, success: true, conflictHint: 0), from: 1, nowNs: 3_000) == nil)
        #expect(trips.answered(LogResponse(ack: 15, success: true, conflictHint: 0), from: 1, nowNs: 4_500) == 3_500)
        #expect(trips.answered(LogResponse(ack: 15, success: true, conflictHint: 0), from: 1, nowNs: 5_000) == nil)
        // Other followers are sampled apart; a refusal ends a sample without a figure.
        trips.sent(append, to: 2, nowNs: 10_000)
        #expect(trips.answered(LogResponse(ack: 0, success: false, conflictHint: 3), from: 2, nowNs: 11_000) == nil)
        #expect(trips.answered(LogResponse(ack: 15, success: true, conflictHint: 0), from: 2, nowNs: 12_000) == nil)
        // A follower that was away longer than the abandon time yields no huge figure.
        trips.sent(append, to: 2, nowNs: 20_000)
        let late = 20_000 + PeerRoundTrips.abandonAfterNs + 1
        #expect(trips.answered(LogResponse(ack: 15, success: true, conflictHint: 0), from: 2, nowNs: late) == nil)
        // Stepping down forgets samples.
        trips.sent(append, to: 1, nowNs: 30_000)
        trips.reset()
        #expect(trips.answered(LogResponse(ack: 15, success: true, conflictHint: 0), from: 1, nowNs: 31_000) == nil)
    }

    @Test("/proc/self/stat is parsed from the last parenthesis, so odd command names do not shift fields")
    func processStatParsing() throws {
        // Fields 3... of proc(5): state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime(14) stime(15) cutime cstime priority nice threads itreal starttime(22)
        // vsize(23) rss(24) ...
        let stat = "4242 (raft (lab) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 123456789 2048 18446744073709551615"
        let parsed = try #require(ProcessStatistics.parse(stat: stat, bootTimeSeconds: 1_700_000_000, ticksPerSecond: 100,
                                                          pageBytes: 4096, openFileDescriptors: 9, fileDescriptorsMax: 1024))
        #expect(parsed.cpuSeconds == 3.0)
        #expect(parsed.startTimeSeconds == 1_700_000_010)
        #expect(parsed.virtualBytes == 123_456_789)
        #expect(parsed.residentBytes == 2048 * 4096)
        #expect(ProcessStatistics.parse(stat: "4242 (cut", bootTimeSeconds: 0, ticksPerSecond: 100, pageBytes: 4096,
                                        openFileDescriptors: 0, fileDescriptorsMax: 0) == nil)
        #expect(ProcessStatistics.bootTimeSeconds("cpu 1 2 3\nbtime 1700000000\nprocesses 5\n") == 1_700_000_000)
        let now = try #require(ProcessStatistics.current())
        #expect(now.residentBytes > 0 && now.openFileDescriptors > 0 && now.startTimeSeconds > 1_600_000_000)
    }

    @Test("message types: pre-votes apart from votes, heartbeats apart from appends, one label each")
    func messageTypes() {
        let labels = MessageMetricType.allCases.map(\.label)
        #expect(Set(labels).count == labels.count)
        #expect(MessageMetricType(.voteRequest(VoteRequest(logLength: 0, lastLogTerm: 0, preVote: true, campaign: CampaignID(incarnation: 1, round: 0)))) == .preVoteRequest)
        #expect(MessageMetricType(.voteResponse(VoteResponse(granted: true, preVote: false, campaign: CampaignID(incarnation: 1, round: 0)))) == .voteResponse)
        #expect(MessageMetricType(.logRequest(LogRequest(prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: []))) == .heartbeat)
    }
}

extension Array {
    /// Whether some element satisfies the asynchronous `predicate`.
    func asyncContains(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await predicate(element) { return true }
        return false
    }
}
