import NIOCore
import RaftCore
import RaftRuntime
import Testing

/// Every kind encodes to the documented bytes and decodes back to itself, whole or in pieces.
@Suite struct WireRoundTripTests {
    @Test func everyKindRoundTrips() throws {
        for frame in WireSamples.frames {
            let bytes = try WireBytes.encode(frame)
            #expect(bytes.count == frame.encodedBytes, "\(frame.kind)")
            #expect(try WireBytes.decode(bytes) == frame)
        }
        let kinds = Set(WireSamples.frames.map(\.kind))
        #expect(kinds == Set(FrameKind.allCases), "the samples cover every kind")
    }

    @Test func framesMatchTheDocumentedLayout() throws {
        #expect(try WireBytes.encode(.hello(node: 3, clusterID: 0x0102_0304_0506_0708))
            == [0, 0, 0, 12, 4, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3])
        let voteResponse = Message(from: 1, to: 2, term: 5, body: .voteResponse(VoteResponse(granted: true, preVote: false, campaign: CampaignID(incarnation: 1, round: 0))))
        #expect(try WireBytes.encode(.raft(voteResponse))
            == [0, 0, 0, 33, 4, 2, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 2, 1, 0]
               + [0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 0])
        let append = Message(from: 0, to: 1, term: 2, body: .logRequest(LogRequest(prefixLength: 3, prefixTerm: 1, leaderCommit: 2,
            suffix: [Entry(term: 2, request: 9, payload: [0xAA])])))
        #expect(try WireBytes.encode(.raft(append)) == WireBytes.be(UInt32(2 + 13 + 28 + 21)) + [4, 2]
            + [0, 0, 0, 1] + WireBytes.be(UInt64(2)) + [3]
            + WireBytes.be(UInt64(3)) + WireBytes.be(UInt64(1)) + WireBytes.be(UInt64(2)) + WireBytes.be(UInt32(1))
            + WireBytes.be(UInt64(2)) + WireBytes.be(UInt64(9)) + WireBytes.be(UInt32(1)) + [0xAA])
        #expect(try WireBytes.encode(.statusRequest) == [0, 0, 0, 2, 4, 4])
        #expect(try WireBytes.encode(.redirect(request: 5, leader: nil)) == [0, 0, 0, 11, 4, 7] + WireBytes.be(UInt64(5)) + [0])
        #expect(try WireBytes.encode(.redirect(request: 5, leader: 6)) == [0, 0, 0, 13, 4, 7] + WireBytes.be(UInt64(5)) + [1, 0, 6])
        #expect(try WireBytes.encode(.status(NodeStatus(id: 1, role: .leader, term: 2, leader: 1, commitIndex: 3, lastIndex: 4,
                                                        configuration: Configuration(voters: NodeSet([0, 1, 2]), learners: NodeSet([5])),
                                                        configurationIndex: 3)))
            == [0, 0, 0, 56, 4, 8, 0, 1, 4] + WireBytes.be(UInt64(2)) + [1, 0, 1] + WireBytes.be(UInt64(3)) + WireBytes.be(UInt64(4))
               + WireBytes.be(UInt64(0b111)) + WireBytes.be(UInt64(0b100000)) + WireBytes.be(UInt64(3)))
        #expect(try WireBytes.encode(.changeMembership(.promote(5))) == [0, 0, 0, 5, 4, 11, 2, 0, 5])
        #expect(try WireBytes.encode(.membershipAnswer(.appended(index: 9))) == [0, 0, 0, 11, 4, 12, 1] + WireBytes.be(UInt64(9)))
        #expect(try WireBytes.encode(.membershipAnswer(.refused(reason: "no"))) == [0, 0, 0, 9, 4, 12, 2] + WireBytes.be(UInt32(2)) + Array("no".utf8))
        #expect(try WireBytes.encode(.control(.dropPeers(peers: NodeSet([0, 2]), direction: .both)))
            == [0, 0, 0, 12, 4, 9, 1] + WireBytes.be(UInt64(5)) + [3])
        #expect(try WireBytes.encode(.control(.heal)) == [0, 0, 0, 3, 4, 9, 2])
        #expect(try WireBytes.encode(.rejected(request: 1, reason: .rejected(.tooManyUncommitted)))
            == [0, 0, 0, 19, 4, 6] + WireBytes.be(UInt64(1)) + [5] + WireBytes.be(UInt64(0)))
        #expect(try WireBytes.encode(.rejected(request: 1, reason: .rejected(.duplicate(index: 7))))
            == [0, 0, 0, 19, 4, 6] + WireBytes.be(UInt64(1)) + [6] + WireBytes.be(UInt64(7)))
        #expect(try WireBytes.encode(.rejected(request: 1, reason: .timedOut))
            == [0, 0, 0, 19, 4, 6] + WireBytes.be(UInt64(1)) + [7] + WireBytes.be(UInt64(0)))
        let refusal = Message(from: 0, to: 2, term: 4, body: .forwardRejected(ForwardRejected(rejections: [.init(request: 9, reason: .bufferFull)])))
        #expect(try WireBytes.encode(.raft(refusal)) == [0, 0, 0, 36, 4, 2, 0, 0, 0, 2] + WireBytes.be(UInt64(4)) + [6]
            + WireBytes.be(UInt32(1)) + WireBytes.be(UInt64(9)) + [3] + WireBytes.be(UInt64(0)))
    }

    @Test func aTruncatedFrameWaitsForMoreBytesAtEveryOffset() throws {
        for frame in WireSamples.frames {
            let bytes = try WireBytes.encode(frame)
            for length in 0..<bytes.count {
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                buffer.writeBytes(bytes.prefix(length))
                #expect(try FrameDecoder.decodeFrame(from: &buffer) == nil, "\(frame.kind) cut at \(length)")
                #expect(buffer.readerIndex == 0 && buffer.readableBytes == length, "nothing consumed")
            }
        }
    }

    @Test func aStreamCutIntoRandomPiecesDecodesInOrder() throws {
        let seed: UInt64 = 0x57AE_A417
        var random = SplitMix64(seed: seed)
        var stream: [UInt8] = []
        for frame in WireSamples.frames { stream += try WireBytes.encode(frame) }
        for round in 0..<50 {
            var buffer = ByteBufferAllocator().buffer(capacity: 256)
            var decoded: [WireFrame] = []
            var position = 0
            while position < stream.count {
                let piece = 1 + random.below(round % 2 == 0 ? 7 : 400)
                buffer.writeBytes(stream[position..<min(stream.count, position + piece)])
                position += piece
                while let frame = try FrameDecoder.decodeFrame(from: &buffer) { decoded.append(frame) }
                buffer.discardReadBytes()
            }
            #expect(decoded == WireSamples.frames, "seed \(seed) round \(round)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func everyRejectionCodeRoundTripsAndAnUnknownOneIsRefused() throws {
        let reasons: [RaftError] = [.rejected(.invalidRequestID), .rejected(.payloadTooLarge(bytes: 70_000)), .rejected(.bufferFull),
                                    .rejected(.tooManyHops), .rejected(.tooManyUncommitted), .rejected(.duplicate(index: 12)), .timedOut]
        for reason in reasons {
            #expect(try WireBytes.decode(try WireBytes.encode(.rejected(request: 3, reason: reason))) == .rejected(request: 3, reason: reason))
        }
        var bytes = try WireBytes.encode(.rejected(request: 3, reason: .timedOut))
        bytes[14] = 8
        #expect(throws: WireError.self) { try WireBytes.decode(bytes) }
    }

    @Test func aFrameOfExactlyTheMaximumSizeRoundTripsAndOneByteMoreIsRefused() throws {
        let overhead = WireFrame.headerBytes + 8 + 4
        let largest = WireFrame.propose(request: 1, payload: [UInt8](repeating: 1, count: RuntimeLimits.frameBytesMax - overhead))
        #expect(largest.encodedBytes == RuntimeLimits.frameBytesMax)
        #expect(try WireBytes.decode(try WireBytes.encode(largest)) == largest)
        let tooLarge = WireFrame.propose(request: 1, payload: [UInt8](repeating: 1, count: RuntimeLimits.frameBytesMax - overhead + 1))
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeInteger(UInt8(7))
        let error = #expect(throws: WireError.self) { try tooLarge.encode(into: &buffer) }
        #expect(error == .frameTooLarge(bytes: RuntimeLimits.frameBytesMax + 1, limit: RuntimeLimits.frameBytesMax))
        #expect(buffer.readableBytes == 1, "a refused frame leaves the buffer as it was")
    }
}
