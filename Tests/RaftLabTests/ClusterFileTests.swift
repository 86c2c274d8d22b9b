import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import Testing

/// The timing of a cluster is parsed once, where it comes in: a flag or a cluster file.
@Suite("Cluster file and timing")
struct ClusterFileTests {
    private func cluster(timing: ElectionTiming) -> ClusterFile {
        ClusterFile(clusterID: 9, nodes: [ClusterFile.Node(id: 0, peer: .unix(path: "/tmp/n0.sock"), client: .unix(path: "/tmp/n0.client.sock"),
                                                           data: "/tmp/data-0", metrics: 9100)],
                    traceDirectory: "/tmp/traces", timing: timing, preVote: true, checkQuorum: false, fsync: true,
                    traceMessages: false, seed: 5)
    }

    private func withFile<T>(_ body: (String) throws -> T) throws -> T {
        let directory = try temporaryTracesRoot("cluster-file")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory + "/cluster.json")
    }

    @Test("a written cluster file reads back the same, timing included")
    func roundTrip() throws {
        let written = cluster(timing: try ElectionTiming(electionTimeoutMs: 400...900, heartbeatIntervalMs: 70))
        let read = try withFile { path in
            try written.write(path: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("\"election_timeout_ms_min\" : 400"))
            #expect(text.contains("\"heartbeat_interval_ms\" : 70"))
            return try ClusterFile.read(path: path)
        }
        #expect(read == written)
        #expect(read.tuning.timing == written.timing)
        #expect(read.tuning.options.checkQuorum == false)
    }

    @Test("a cluster file whose heartbeat is not shorter than the election timeout is refused, naming the file and the field",
          arguments: [("heartbeat_interval_ms\" : 70", "heartbeat_interval_ms\" : 400", "heartbeat_interval_ms"),
                      ("election_timeout_ms_min\" : 400", "election_timeout_ms_min\" : 950", "election_timeout_ms_max"),
                      ("election_timeout_ms_min\" : 400", "election_timeout_ms_min\" : 0", "election_timeout_ms_max")])
    func badTiming(original: String, replacement: String, field: String) throws {
        let message = try withFile { path -> String in
            try cluster(timing: try ElectionTiming(electionTimeoutMs: 400...900, heartbeatIntervalMs: 70)).write(path: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(original))
            try text.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: LabError.self) { try ClusterFile.read(path: path) }
            return error.map { "\($0)" } ?? ""
        }
        #expect(message.contains("cluster.json"), "\(message)")
        #expect(message.contains(field), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
    }

    @Test("the election timeout parses from LOW-HIGH and prints back the same")
    func parsesTheRange() throws {
        let timing = try ElectionTiming(electionTimeout: "150-300", heartbeatIntervalMs: 50)
        #expect(timing == .standard)
        #expect(timing.electionTimeoutText == "150-300")
        #expect(try ElectionTiming(electionTimeout: "200-200", heartbeatIntervalMs: 199).electionTimeoutMs == 200...200)
    }

    @Test("malformed or inverted ranges and heartbeats that are not shorter are refused with the value in the message",
          arguments: [("300-150", 50), ("150", 50), ("-150-300", 50), ("150-", 50), ("0-300", 50), ("a-b", 50),
                      ("150-300", 150), ("150-300", 0), ("150-300", -5)])
    func refusesBadTiming(text: String, heartbeat: Int) throws {
        let error = #expect(throws: ElectionTiming.Problem.self) {
            try ElectionTiming(electionTimeout: text, heartbeatIntervalMs: heartbeat)
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains(text) || message.contains("\(heartbeat) ms"), "\(message)")
    }

    @Test("raftlab up with an inverted --election-timeout exits non-zero naming the flag, and starts nothing")
    func commandLineRefusesBadTiming() async throws {
        let root = try temporaryTracesRoot("bad-timing")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try await runToExit(["up", "--nodes", "3", "--election-timeout", "300-150", "--duration", "1",
                                          "--traces", root], in: root)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--election-timeout 300-150"), "\(result.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: root)
        #expect(runs.isEmpty, "\(runs)")
    }
}
