import NIOCore
import RaftCore
import RaftRuntime
import Testing

/// Every way a frame can be malformed is refused with its own one-line reason, before any
/// large allocation.
@Suite struct WireRejectionTests {
    private typealias Be = WireBytes

    /// Decodes `bytes` expecting a `WireError`; checks it is one line and returns it.
    private func rejection(_ bytes: [UInt8], _ comment: Comment? = nil) -> WireError? {
        let error = #expect(throws: WireError.self, comment) { try WireBytes.decode(bytes) }
        if let error { #expect(!error.description.contains("\n")) }
        return error
    }

    /// A raft frame body: from, to, term, then `rest`.
    private func raft(_ rest: [UInt8], from: UInt16 = 1, to: UInt16 = 2) -> [UInt8] {
        Be.frame(kind: 2, body: Be.be(from) + Be.be(to) + Be.be(UInt64(3)) + rest)
    }

    @Test func headerErrorsAreReportedBeforeTheBodyArrives() {
        let oversized = Be.be(UInt32(RuntimeLimits.frameBytesMax - 3))
        #expect(rejection(oversized) == .frameTooLarge(bytes: RuntimeLimits.frameBytesMax + 1, limit: RuntimeLimits.frameBytesMax))
        #expect(rejection(Be.be(UInt32.max)) == .frameTooLarge(bytes: 4 + Int(UInt32.max), limit: RuntimeLimits.frameBytesMax))
        #expect(rejection(Be.be(UInt32(0))) == .frameTooShort(length: 0))
        #expect(rejection(Be.be(UInt32(1)) + [1]) == .frameTooShort(length: 1))
        #expect(rejection(Be.be(UInt32(100)) + [1]) == .unsupportedVersion(1)) // before campaign ids
        #expect(rejection(Be.be(UInt32(100)) + [2]) == .unsupportedVersion(2)) // before codes and conflict terms
        #expect(rejection(Be.be(UInt32(100)) + [3]) == .unsupportedVersion(3)) // before configurations in snapshots and status
        #expect(rejection(Be.be(UInt32(100)) + [5]) == .unsupportedVersion(5))
        #expect(rejection(Be.be(UInt32(100)) + [0]) == .unsupportedVersion(0))
        #expect(rejection(Be.be(UInt32(100)) + [4, 0]) == .unknownKind(0))
        let firstUnknown = UInt8(FrameKind.allCases.count + 1)
        #expect(rejection(Be.be(UInt32(100)) + [4, firstUnknown]) == .unknownKind(firstUnknown))
        #expect(rejection(Be.be(UInt32(100)) + [4, 255]) == .unknownKind(255))
        #expect(WireError.unsupportedVersion(1).description == "unsupported wire version 1 (this node speaks version 4)")
        #expect(WireError.unknownKind(14).description == "unknown frame kind 14 (known: 1...13)")
        #expect(WireError.frameTooLarge(bytes: 5, limit: 4).description == "frame of 5 bytes exceeds frameBytesMax 4")
    }

    @Test func malformedBodiesNameTheFieldAndOffset() {
        let cases: [(name: String, bytes: [UInt8], field: String, offset: Int, reason: String)] = [
            ("hello short", Be.frame(kind: 1, body: Be.be(UInt64(1))), "node id", 14, "needs 2 bytes, 0 left"),
            ("hello node", Be.frame(kind: 1, body: Be.be(UInt64(1)) + Be.be(UInt16(64))), "node id", 14, "node id 64 outside 0..<64"),
            ("hello trailing", Be.frame(kind: 1, body: Be.be(UInt64(1)) + Be.be(UInt16(1)) + [0]), "end of body", 16, "1 trailing bytes"),
            ("raft from", raft([1], from: 65535), "from", 6, "node id 65535 outside"),
            ("raft to", raft([1], to: 64), "to", 8, "node id 64 outside"),
            ("raft type", raft([10]), "message type", 18, "message type 10 (expected 1...9)"),
            ("raft type zero", raft([0]), "message type", 18, "message type 0"),
            ("vote flags", raft([1] + Be.be(UInt64(1)) + Be.be(UInt64(1)) + [4]), "vote flags", 35, "flags 4"),
            ("vote response bool", raft([2, 1, 7]), "pre-vote", 20, "boolean byte 7"),
            ("vote campaign short", raft([1] + Be.be(UInt64(1)) + Be.be(UInt64(1)) + [0] + Be.be(UInt64(1))),
             "campaign round", 44, "needs 8 bytes, 0 left"),
            ("vote response campaign short", raft([2, 1, 0, 0, 0]), "campaign incarnation", 21, "needs 8 bytes, 2 left"),
            ("log length", raft([1] + Be.be(UInt64.max) + Be.be(UInt64(1)) + [0]), "log length", 19, "exceeds Int.max"),
            ("huge entry count", raft([3] + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt32.max)),
             "entry count", 43, "exceeds entriesPerMessageMax"),
            ("entry count vs bytes", raft([3] + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt32(1000)) + [0, 0]),
             "entry count", 43, "1000 elements need at least 20000 bytes, 2 left"),
            ("entry payload", raft([3] + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt32(1))
                + Be.be(UInt64(1)) + Be.be(UInt64(1)) + Be.be(UInt32(4_000_000)) + [1, 2, 3]),
             "entry 0 payload length", 63, "4000000 bytes declared, 3 left"),
            ("log response bool", raft([4] + Be.be(UInt64(1)) + [3] + Be.be(UInt64(0))), "success", 27, "boolean byte 3"),
            ("forward hops", raft([5, 4] + Be.be(UInt32(0))), "hops", 19, "4 exceeds forwardHopsMax 3"),
            ("forward count", raft([5, 1] + Be.be(UInt32(70_000))), "proposal count", 20, "exceeds entriesPerMessageMax"),
            ("forward origin", raft([5, 1] + Be.be(UInt32(1)) + Be.be(UInt64(1)) + Be.be(UInt16(64)) + Be.be(UInt32(0))),
             "proposal 0 origin", 32, "node id 64 outside"),
            ("refusal count", raft([6] + Be.be(UInt32(2)) + Be.be(UInt64(1)) + [3] + Be.be(UInt64(0))),
             "rejection count", 19, "2 elements need at least 34 bytes, 17 left"),
            ("refusal code", raft([6] + Be.be(UInt32(1)) + Be.be(UInt64(1)) + [9] + Be.be(UInt64(0))),
             "rejection code", 31, "code 9 with detail 0"),
            ("refusal timed out", raft([6] + Be.be(UInt32(1)) + Be.be(UInt64(1)) + [7] + Be.be(UInt64(0))),
             "rejection 0 code", 40, "a forwarded proposal cannot time out"),
            ("raft trailing", raft([2, 1, 0] + Be.be(UInt64(1)) + Be.be(UInt64(0)) + [9]), "end of body", 37, "1 trailing bytes"),
            ("propose payload", Be.frame(kind: 3, body: Be.be(UInt64(1)) + Be.be(UInt32(10)) + [1]), "payload length", 14,
             "10 bytes declared, 1 left"),
            ("status request trailing", Be.frame(kind: 4, body: [0]), "end of body", 6, "1 trailing bytes"),
            ("committed index", Be.frame(kind: 5, body: Be.be(UInt64(1)) + Be.be(UInt64.max)), "index", 14, "exceeds Int.max"),
            ("rejected code", Be.frame(kind: 6, body: Be.be(UInt64(1)) + [0] + Be.be(UInt64(0))), "rejection code", 14,
             "code 0 with detail 0 (expected 1...6, or 7 timed out with 0)"),
            ("rejected timed out detail", Be.frame(kind: 6, body: Be.be(UInt64(1)) + [7] + Be.be(UInt64(3))), "rejection code", 14,
             "code 7 with detail 3"),
            ("rejected detail", Be.frame(kind: 6, body: Be.be(UInt64(1)) + [6] + Be.be(UInt64.max)), "rejection detail", 15,
             "exceeds Int.max"),
            ("redirect tag", Be.frame(kind: 7, body: Be.be(UInt64(1)) + [2, 0, 1]), "leader tag", 14, "tag 2 (expected 0 none or 1 some)"),
            ("redirect trailing", Be.frame(kind: 7, body: Be.be(UInt64(1)) + [0, 0, 1]), "end of body", 15, "2 trailing bytes"),
            ("status role", Be.frame(kind: 8, body: Be.be(UInt16(1)) + [5]), "role", 8, "role tag 5"),
            ("status leader", Be.frame(kind: 8, body: Be.be(UInt16(1)) + [1] + Be.be(UInt64(1)) + [1] + Be.be(UInt16(99))),
             "leader", 18, "node id 99 outside"),
            ("control tag", Be.frame(kind: 9, body: [3]), "command", 6, "command tag 3"),
            ("control direction", Be.frame(kind: 9, body: [1] + Be.be(UInt64(1)) + [0]), "direction", 15, "direction tag 0"),
            ("heal trailing", Be.frame(kind: 9, body: [2, 0]), "end of body", 7, "1 trailing bytes"),
        ]
        for (name, bytes, field, offset, reason) in cases {
            guard let error = rejection(bytes, "\(name)") else { continue }
            guard case .malformed(_, let actualField, let actualOffset, let actualReason) = error else {
                Issue.record("\(name): expected malformed, got \(error)")
                continue
            }
            #expect(actualField == field, "\(name): \(error)")
            #expect(actualOffset == offset, "\(name): \(error)")
            #expect(actualReason.contains(reason), "\(name): \(error)")
        }
    }

    @Test func aHugeDeclaredCountDoesNotAllocateAhead() throws {
        // 65,536 entries claimed in a 60-byte frame: refused by the byte check, not by running out of memory.
        let bytes = raft([3] + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt64(0)) + Be.be(UInt32(WireLimits.entriesPerMessageMax)))
        let error = rejection(bytes)
        #expect(error?.description.contains("elements need at least") == true)
    }

    @Test func anEndOfStreamInsideAFrameIsItsOwnError() {
        #expect(WireError.endedMidFrame(bytesBuffered: 3).description == "connection ended 3 bytes into a frame")
    }
}
