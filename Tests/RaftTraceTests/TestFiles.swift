import CZlib
import Foundation
@testable import RaftTrace

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rafttrace-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Writes `text` as one complete gzip member appended to `path` (for hand-made lines).
func appendGzipMember(_ text: String, to path: String) throws {
    let member = try GzipMemberWriter(path: path, level: 6)
    var bytes = Array(text.utf8)
    try bytes.withUnsafeMutableBytes { try member.compress(UnsafeRawBufferPointer($0), flush: Z_FINISH) }
    try member.finish()
}

func fileBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeBytes(_ bytes: [UInt8], to path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// Every record of `path`, with the reader (for its warnings and counters).
func readAll(_ path: String, options: TraceReader.Options = TraceReader.Options()) throws -> ([TraceRecord], TraceReader) {
    let reader = try TraceReader(path: path, options: options)
    var records: [TraceRecord] = []
    while let record = try reader.next() { records.append(record) }
    return (records, reader)
}

/// One example of every event type, with awkward values (zero, large, negative node,
/// strings needing escapes).
let sampleBodies: [TraceBody] = [
    .start(logLength: 12, commitIndex: 9, votedFor: nil),
    .start(logLength: 0, commitIndex: 0, votedFor: 3),
    .term(from: 6),
    .role(.candidate, previous: .preCandidate),
    .role(.leader, previous: nil),
    .vote(candidate: 2, granted: true, preVote: false),
    .vote(candidate: 4, granted: false, preVote: true),
    .leader(lastIndex: 41, lastTerm: 7),
    .propose(request: UInt64.max, index: 42),
    .append(index: 43, entryTerms: [7, 7, 8], digests: [0, 0xdead_beef, UInt64.max]),
    .append(index: 1, entryTerms: [], digests: []),
    .append(index: 44, entryTerms: [8, 8, 8], digests: [1, 2, 3], requests: [0, 1_000, UInt64.max >> 1]),
    .truncate(length: 40),
    .commit(index: 42),
    .deliver(index: 42, entryTerm: 7, digest: 0x0123_4567_89ab_cdef, request: 99),
    .deliverRun(index: 43, entryTerms: [7, 8], digests: [0xdead_beef, UInt64.max], requests: [0, UInt64.max >> 1]),
    .deliverRun(index: 45, entryTerms: [8], digests: [5], requests: [6]),
    .persist(index: 43, durationUs: 180),
    .send(to: 1, message: .logRequest, messageID: 77),
    .recv(from: 3, message: TraceMessageKind(rawValue: "snapshot_chunk"), messageID: 1 << 40),
    .stop,
    .forward(count: 3, to: 0),
    .buffered(count: 5),
    .proposalRejected(request: 8, reason: "duplicate", index: 17),
    .proposalRejected(request: 9, reason: "said \"no\"\n\tand \\ left é", index: nil),
    .voteIgnoredInLease(candidate: 1),
    .invalidMessage(from: 2, reason: "ack_beyond_log"),
    .lostQuorum(heardFrom: 2),
    .snapshot(index: 40, entryTerm: 7, bytes: 5_120, compacted: 30),
    .install(index: 48, entryTerm: 8, bytes: 0),
    .transfer(to: 4, aborted: false),
    .transfer(to: 0, aborted: true),
    .member(index: 49, voters: [0, 1, 2], learners: [5]),
    .member(index: 0, voters: [3], learners: []),
    .invoke(client: 3, request: 1000),
    .ok(client: 3, request: 1000, index: 57),
    .ok(client: 0, request: 1001, index: nil),
    .fail(client: 1, request: 1002, reason: "no leader"),
    .fail(client: 1, request: 1003, reason: nil),
    .timeout(client: 2, request: 1004),
    .nemesis(action: .partition, targets: [0, 1], detail: "{0,1} | {2,3,4}"),
    .nemesis(action: NemesisAction(rawValue: "clock_skew"), targets: [], detail: nil),
]

func sampleRecord(_ body: TraceBody, sequence: UInt64 = 0) -> TraceRecord {
    let node: Int
    switch body.type.source {
    case .node: node = 2
    case .client: node = 4
    case .nemesis: node = -1
    }
    return TraceRecord(timestampUs: 1_790_000_000_000_000 + Int64(sequence), node: node, incarnation: 3,
                       sequence: sequence, term: body.type.source == .node ? 8 : 0, body: body)
}
