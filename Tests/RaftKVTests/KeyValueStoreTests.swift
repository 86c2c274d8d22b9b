import RaftKV
import Testing

/// The replicated store's state machine, as its replicas run it: operations, client sessions
/// that make a retry harmless, and snapshots that carry both.
@Suite("Key-value store")
struct KeyValueStoreTests {
    /// Applies `operations` of one client in order from `sequence` 1, at indexes after the store's.
    static func run(_ store: inout KeyValueStore, client: UInt64, _ operations: [KeyValueOperation], from sequence: UInt64 = 1)
        -> [KeyValueResult] {
        operations.enumerated().map { offset, operation in
            store.apply(KeyValueCommand(client: client, sequence: sequence + UInt64(offset), operation: operation), at: store.appliedIndex + 1)
        }
    }

    @Test("put, get, compare-and-set and delete do what a single copy would")
    func operations() {
        var store = KeyValueStore()
        let results = Self.run(&store, client: 1, [
            .get(key: "x"), .put(key: "x", value: "1"), .get(key: "x"),
            .cas(key: "x", expected: "2", new: "3"), .cas(key: "x", expected: "1", new: "2"), .get(key: "x"),
            .delete(key: "x"), .get(key: "x"), .cas(key: "x", expected: "2", new: "4"),
        ])
        #expect(results == [.value(nil), .ok, .value("1"), .casFailed(current: "1"), .ok, .value("2"), .ok, .value(nil),
                            .casFailed(current: nil)])
        #expect(store.values.isEmpty && store.appliedIndex == 9)
    }

    @Test("a retried request that already committed returns its first answer and runs no second time")
    func retryReturnsTheOriginalResult() {
        var store = KeyValueStore()
        _ = Self.run(&store, client: 1, [.put(key: "x", value: "a")])
        let first = store.apply(KeyValueCommand(client: 2, sequence: 1, operation: .cas(key: "x", expected: "a", new: "b")), at: 2)
        _ = store.apply(KeyValueCommand(client: 1, sequence: 2, operation: .put(key: "x", value: "a")), at: 3)
        // Client 2 never heard its answer and retries: the log holds the cas twice.
        let retry = store.apply(KeyValueCommand(client: 2, sequence: 1, operation: .cas(key: "x", expected: "a", new: "b")), at: 4)
        #expect(first == .ok && retry == .ok)
        #expect(store.read("x") == "a", "the retry did not swap again")
    }

    @Test("an older request of a session is stale; a later request of an unknown session is refused as expired")
    func sessionRules() {
        var store = KeyValueStore()
        _ = Self.run(&store, client: 1, [.put(key: "x", value: "1"), .put(key: "x", value: "2")])
        #expect(store.apply(KeyValueCommand(client: 1, sequence: 1, operation: .put(key: "x", value: "1")), at: 3) == .staleRequest)
        #expect(store.apply(KeyValueCommand(client: 9, sequence: 5, operation: .put(key: "x", value: "9")), at: 4) == .sessionExpired)
        #expect(store.read("x") == "2")
    }

    @Test("replicas applying the same commands write the same snapshot, and a restored store answers retries from its sessions")
    func snapshotsCarrySessions() throws {
        var a = KeyValueStore(), b = KeyValueStore()
        for store in [0, 1] {
            var copy = KeyValueStore()
            _ = Self.run(&copy, client: 7, [.put(key: "k1", value: "v1"), .put(key: "k2", value: "v2"), .delete(key: "k1")])
            _ = Self.run(&copy, client: 3, [.cas(key: "k2", expected: "v2", new: "w")])
            if store == 0 { a = copy } else { b = copy }
        }
        #expect(a.snapshot() == b.snapshot())
        var restored = try KeyValueStore(snapshot: a.snapshot())
        #expect(restored == a)
        #expect(restored.apply(KeyValueCommand(client: 3, sequence: 1, operation: .cas(key: "k2", expected: "v2", new: "w")), at: 5) == .ok)
        #expect(restored.read("k2") == "w")
    }

    @Test("beyond the session limit the least recently used session goes, on every replica alike")
    func sessionEviction() {
        var store = KeyValueStore()
        for client in 0...UInt64(KeyValueLimits.sessionsMax) {
            _ = store.apply(KeyValueCommand(client: client, sequence: 1, operation: .put(key: "k", value: "\(client)")), at: store.appliedIndex + 1)
        }
        #expect(store.sessionCount == KeyValueLimits.sessionsMax)
        // Client 0 was used least recently: its next request cannot be told from a retry.
        #expect(store.apply(KeyValueCommand(client: 0, sequence: 2, operation: .get(key: "k")), at: store.appliedIndex + 1) == .sessionExpired)
        #expect(store.apply(KeyValueCommand(client: 1, sequence: 2, operation: .get(key: "k")), at: store.appliedIndex + 1)
                    == .value("\(KeyValueLimits.sessionsMax)"))
    }
}
