import NIOCore
import RaftCore
import RaftRuntime
import Testing

/// Options that cannot work are refused when the node starts, with one line naming the
/// option, instead of a node that runs and then stops replicating for good.
@Suite("Option validation")
struct OptionValidationTests {
    static func config(_ options: ProtocolOptions) -> RaftConfig {
        RaftConfig(peers: [0: .unix(path: "/tmp/raftlab-unused.sock")], self: 0,
                   tuning: NodeTuning(options: options), dataDirectory: nil)
    }

    static func options(_ change: (inout ProtocolOptions) -> Void) -> ProtocolOptions {
        var options = ProtocolOptions.standard
        change(&options)
        return options
    }

    @Test("the default options work")
    func defaultsWork() {
        #expect(NodeTuning().problem == nil)
        #expect(NodeTuning(options: .lite).problem == nil)
    }

    @Test("an append payload limit above the 4 MiB frame is refused at start, naming the option")
    func appendPayloadAboveFrameIsRefused() async throws {
        let options = Self.options { $0.appendPayloadBytesMax = 5 << 20 }
        let problem = try #require(NodeTuning(options: options).problem)
        #expect(problem.option == "appendPayloadBytesMax" && problem.value == 5 << 20)
        #expect(problem.description.hasPrefix("ProtocolOptions.appendPayloadBytesMax 5242880 makes a log request of up to"))
        #expect(!problem.description.contains("\n"))
        await #expect(throws: RaftConfigError.unusableOption(problem)) { _ = try await Raft(config: Self.config(options)).run() }
    }

    @Test("a proposal limit above the frame is refused, and so are entries per request the frame cannot hold")
    func otherLimitsAboveFrameAreRefused() {
        #expect(NodeTuning(options: Self.options { $0.proposalPayloadBytesMax = 8 << 20 }).problem?.option == "proposalPayloadBytesMax")
        // 65,536 entries of 20 header bytes each and 1 MiB of payload: 2.3 MiB, fits; with 3 MiB of payload it does not.
        #expect(NodeTuning(options: Self.options { $0.entriesPerAppendMax = RaftLimits.entriesPerMessageMax }).problem == nil)
        let both = Self.options { $0.entriesPerAppendMax = RaftLimits.entriesPerMessageMax; $0.appendPayloadBytesMax = 3 << 20 }
        #expect(NodeTuning(options: both).problem?.option == "appendPayloadBytesMax")
    }

    @Test("bounds below one are refused", arguments: [
        ("entriesPerAppendMax", Self.options { $0.entriesPerAppendMax = 0 }),
        ("entriesPerAppendMax", Self.options { $0.entriesPerAppendMax = RaftLimits.entriesPerMessageMax + 1 }),
        ("appendPayloadBytesMax", Self.options { $0.appendPayloadBytesMax = 0 }),
        ("proposalPayloadBytesMax", Self.options { $0.proposalPayloadBytesMax = -1 }),
        ("bufferedProposalsMax", Self.options { $0.bufferedProposalsMax = -1 }),
        ("entriesInFlightMax", Self.options { $0.entriesInFlightMax = 0 }),
        ("uncommittedEntriesMax", Self.options { $0.uncommittedEntriesMax = 0 }),
    ])
    func boundsBelowOneAreRefused(option: String, options: ProtocolOptions) {
        #expect(options.problem?.option == option)
        #expect(NodeTuning(options: options).problem?.option == option)
    }

    @Test("the largest log request the options allow is exactly what the encoder writes")
    func logRequestBoundIsExact() throws {
        let options = Self.options { $0.entriesPerAppendMax = 3; $0.appendPayloadBytesMax = 100; $0.proposalPayloadBytesMax = 40 }
        let suffix = [Entry(term: 1, request: 1, payload: Array(repeating: 1, count: 40)),
                      Entry(term: 1, request: 2, payload: Array(repeating: 2, count: 40)),
                      Entry(term: 1, request: 3, payload: Array(repeating: 3, count: 20))]
        let request = LogRequest(prefixLength: 7, prefixTerm: 1, leaderCommit: 7, suffix: suffix)
        let frame = WireFrame.raft(Message(from: 0, to: 1, term: 1, body: .logRequest(request)))
        #expect(frame.encodedBytes == WireFrame.logRequestBytesMax(options))
        func forward(_ proposals: [Proposal]) -> WireFrame {
            WireFrame.raft(Message(from: 0, to: 1, term: 1, body: .forward(Forward(proposals: proposals, hops: 1))))
        }
        let full = Proposal(request: 1, payload: Array(repeating: 0, count: 100))
        // What each further (empty) proposal adds, as the encoder writes it.
        let proposalHeader = forward([full, Proposal(request: 2, payload: [])]).encodedBytes - forward([full]).encodedBytes
        let oneProposal = WireFrame.forwardBytesMax(options) - (RaftLimits.entriesPerMessageMax - 1) * proposalHeader
        #expect(forward([full]).encodedBytes == oneProposal)
    }
}
