import Linearizability
import RaftCore
import RaftKV
import Testing

/// Histories from the literature and from Jepsen's reports, judged key by key against a
/// register: linearizable ones pass, the classic anomalies are caught and explained by a short
/// window of operations.
@Suite("Linearizability of key-value histories")
struct KeyValueLinearizabilityTests {
    typealias Operation = KeyValueLinearizability.Operation

    /// An operation of `client` from `start` to `end` (nil: unknown outcome) returning `output`.
    static func op(_ client: Int, _ input: KeyValueOperation, _ start: Int64, _ end: Int64?, _ output: KeyValueResult? = nil) -> Operation {
        if let end {
            let answer = output ?? { if case .get = input { return .value(nil) } else { return .ok } }()
            return Operation(client: client, input: input, invokedAt: start, outcome: .returned(answer, at: end))
        }
        return Operation(client: client, input: input, invokedAt: start, outcome: .unknown)
    }

    static func verdict(_ history: [Operation]) -> LinearizabilityChecker<KeyValueRegister>.Verdict {
        KeyValueLinearizability.check(history).verdict
    }

    @Test("one client, one operation at a time: put, get, cas, delete are linearizable when each sees the last")
    func sequentialHistory() {
        let history = [
            Self.op(0, .put(key: "x", value: "1"), 0, 1),
            Self.op(0, .get(key: "x"), 2, 3, .value("1")),
            Self.op(0, .cas(key: "x", expected: "1", new: "2"), 4, 5, .ok),
            Self.op(0, .cas(key: "x", expected: "1", new: "3"), 6, 7, .casFailed(current: "2")),
            Self.op(0, .get(key: "x"), 8, 9, .value("2")),
            Self.op(0, .delete(key: "x"), 10, 11),
            Self.op(0, .get(key: "x"), 12, 13, .value(nil)),
        ]
        #expect(Self.verdict(history) == .linearizable)
    }

    @Test("a read concurrent with a write may see the old value or the new one")
    func concurrentReadSeesEither() {
        for seen in [nil, "1"] as [String?] {
            let history = [
                Self.op(0, .put(key: "x", value: "1"), 0, 10),
                Self.op(1, .get(key: "x"), 2, 5, .value(seen)),
            ]
            #expect(Self.verdict(history) == .linearizable, "read \(seen ?? "absent")")
        }
        // Two reads inside the write: the later one may not go back to the old value.
        let flicker = [
            Self.op(0, .put(key: "x", value: "1"), 0, 10),
            Self.op(1, .get(key: "x"), 1, 2, .value("1")),
            Self.op(2, .get(key: "x"), 3, 4, .value(nil)),
        ]
        #expect(Self.verdict(flicker) == .notLinearizable)
    }

    @Test("operations that touch (one returns when the next is invoked) count as concurrent")
    func touchingOperationsAreConcurrent() {
        let history = [
            Self.op(0, .put(key: "x", value: "1"), 0, 2),
            Self.op(1, .get(key: "x"), 2, 3, .value(nil)),
        ]
        #expect(Self.verdict(history) == .linearizable)
    }

    @Test("a stale read after a partition (a deposed leader answers from its state) is caught, with the write it missed in the window")
    func staleRead() throws {
        let history = [
            Self.op(0, .put(key: "x", value: "1"), 0, 1),
            Self.op(1, .put(key: "x", value: "2"), 2, 3),
            Self.op(2, .get(key: "x"), 4, 5, .value("1")),
        ]
        let report = KeyValueLinearizability.check(history)
        #expect(report.verdict == .notLinearizable)
        let window = try #require(report.keys.first?.window)
        #expect(window.operations.map(\.input) == [.put(key: "x", value: "2"), .get(key: "x")])
        #expect(!window.fromStart && window.openOutcomes.isEmpty)
    }

    @Test("a lost update (two compare-and-sets from one value both succeed) is caught")
    func lostUpdate() {
        let history = [
            Self.op(0, .put(key: "x", value: "0"), 0, 1),
            Self.op(1, .cas(key: "x", expected: "0", new: "1"), 2, 6, .ok),
            Self.op(2, .cas(key: "x", expected: "0", new: "2"), 3, 7, .ok),
        ]
        #expect(Self.verdict(history) == .notLinearizable)
        // One of them failing is fine, whichever.
        for failed in [1, 2] {
            var fixed = history
            fixed[failed].outcome = .returned(.casFailed(current: failed == 1 ? "2" : "1"), at: fixed[failed].returnedAt!)
            #expect(Self.verdict(fixed) == .linearizable)
        }
    }

    @Test("a read of a value nobody wrote (a write that failed, an uncommitted entry) is caught from the key's start")
    func readOfUnwrittenValue() throws {
        // The failed write is not in the history: it definitely did not happen.
        let history = [Self.op(1, .get(key: "x"), 4, 5, .value("1"))]
        let report = KeyValueLinearizability.check(history)
        #expect(report.verdict == .notLinearizable)
        let window = try #require(report.keys.first?.window)
        #expect(window.fromStart && window.operations.count == 1)
    }

    @Test("a write with an unknown outcome may take effect late or never, but not be undone once seen")
    func indeterminateWrites() {
        let late = [
            Self.op(0, .put(key: "x", value: "1"), 0, nil),
            Self.op(1, .get(key: "x"), 5, 6, .value(nil)),
            Self.op(1, .get(key: "x"), 100, 101, .value("1")),
        ]
        #expect(Self.verdict(late) == .linearizable)
        let never = [
            Self.op(0, .put(key: "x", value: "1"), 0, nil),
            Self.op(1, .get(key: "x"), 100, 101, .value(nil)),
        ]
        #expect(Self.verdict(never) == .linearizable)
        let undone = late + [Self.op(2, .get(key: "x"), 200, 201, .value(nil))]
        #expect(Self.verdict(undone) == .notLinearizable)
    }

    @Test("keys are judged apart: a violation names its key only")
    func keysAreIndependent() {
        let history = [
            Self.op(0, .put(key: "a", value: "1"), 0, 1),
            Self.op(1, .get(key: "a"), 2, 3, .value("1")),
            Self.op(0, .put(key: "b", value: "1"), 4, 5),
            Self.op(1, .get(key: "b"), 6, 7, .value(nil)),
        ]
        let report = KeyValueLinearizability.check(history)
        #expect(report.verdict == .notLinearizable)
        #expect(report.keys.map(\.key) == ["a", "b"])
        #expect(report.keys.map(\.verdict) == [.linearizable, .notLinearizable])
    }

    @Test("a search that runs out of steps says unknown, not a verdict")
    func budget() {
        var history: [Operation] = []
        for client in 0..<8 { history.append(Self.op(client, .put(key: "x", value: "\(client)"), 0, 100)) }
        history.append(Self.op(9, .get(key: "x"), 200, 201, .value("nobody")))
        #expect(KeyValueLinearizability.check(history, stepsMax: 10).verdict == .unknown)
        #expect(KeyValueLinearizability.check(history).verdict == .notLinearizable)
    }

    @Test("random histories of a real register are linearizable, and one corrupted read makes them not (seeded)",
          arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomRegisterHistories(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let history = AtomicStoreHistory.generate(clients: 6, operations: 400, keys: 3, using: &random)
        #expect(Self.verdict(history) == .linearizable, "seed \(seed)")

        // A read answered from the value before the latest completed write it must see.
        let (index, stale) = try #require(RegisterHistory.staleRead(in: history))
        var corrupted = history
        corrupted[index].outcome = .returned(.value(stale), at: corrupted[index].returnedAt!)
        #expect(Self.verdict(corrupted) == .notLinearizable, "seed \(seed), read \(index) answered \(stale ?? "absent")")
    }
}
