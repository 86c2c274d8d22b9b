import RaftCore
import RaftKV
import RaftKVServer
import Testing

/// The store as a node's state machine: entries in, replies out, snapshots and restores.
@Suite("Key-value state machine")
struct KeyValueStateMachineTests {
    static func entry(_ command: KeyValueCommand) -> Entry {
        Entry(term: 1, request: 1, payload: KeyValueCodec.encode(command))
    }

    @Test("commands answer with their encoded result; no-ops and foreign bytes are skipped without a reply")
    func applyReplies() throws {
        let machine = KeyValueStateMachine()
        #expect(machine.apply(index: 1, entry: Entry(term: 1, request: 0, payload: [])) == [])
        let put = machine.apply(index: 2, entry: Self.entry(KeyValueCommand(client: 1, sequence: 1, operation: .put(key: "k", value: "v"))))
        #expect(try KeyValueCodec.decodeResult(put) == .ok)
        #expect(machine.apply(index: 3, entry: Entry(term: 1, request: 9, payload: Array("dinner at eight".utf8))) == [])
        let get = machine.apply(index: 4, entry: Self.entry(KeyValueCommand(client: 1, sequence: 2, operation: .get(key: "k"))))
        #expect(try KeyValueCodec.decodeResult(get) == .value("v"))
        #expect(machine.store.appliedIndex == 4)
    }

    @Test("a restore rebuilds the store from its snapshot; a snapshot that is not a store leaves it empty and says why")
    func restore() {
        let machine = KeyValueStateMachine()
        _ = machine.apply(index: 1, entry: Self.entry(KeyValueCommand(client: 1, sequence: 1, operation: .put(key: "k", value: "v"))))
        let copy = KeyValueStateMachine()
        copy.restore(Snapshot(index: 1, term: 1, configuration: Configuration(voters: 0..<3), data: machine.snapshot()))
        #expect(copy.store == machine.store && copy.problem == nil)
        copy.restore(Snapshot(index: 2, term: 1, configuration: Configuration(voters: 0..<3), data: [9, 9, 9]))
        #expect(copy.store.values.isEmpty)
        #expect(copy.problem?.contains("is not a key-value store") == true)
    }
}
