import RaftKV
import Testing

/// Commands, results and snapshots as bytes: round trips, and every malformed input refused
/// with the field named.
@Suite("Key-value formats")
struct KeyValueCodecTests {
    static let commands: [KeyValueCommand] = [
        KeyValueCommand(client: 1, sequence: 1, operation: .get(key: "x")),
        KeyValueCommand(client: .max, sequence: 42, operation: .put(key: "ключ", value: "")),
        KeyValueCommand(client: 3, sequence: 7, operation: .cas(key: "k", expected: "a", new: "b")),
        KeyValueCommand(client: 4, sequence: 9, operation: .delete(key: "")),
    ]

    @Test("commands and results survive encoding")
    func roundTrips() throws {
        for command in Self.commands {
            #expect(try KeyValueCodec.decodeCommand(KeyValueCodec.encode(command)) == command)
        }
        let results: [KeyValueResult] = [.value(nil), .value("v"), .ok, .casFailed(current: nil), .casFailed(current: "c"),
                                         .staleRequest, .sessionExpired]
        for result in results { #expect(try KeyValueCodec.decodeResult(KeyValueCodec.encode(result)) == result) }
    }

    @Test("malformed commands are refused with the field named", arguments: [
        ([2, 1] + Array(repeating: 0, count: 20), "command version"),
        ([1, 9, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "command operation"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "command sequence"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 120], "command key"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xFF], "command key"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], "command"),
        ([1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "put value"),
        ([1, 1, 1, 0], "command client"),
    ] as [([UInt8], String)])
    func malformedCommands(bytes: [UInt8], field: String) {
        do {
            _ = try KeyValueCodec.decodeCommand(bytes)
            Issue.record("decoded \(bytes)")
        } catch {
            #expect(error.reason.hasPrefix(field + ":"), "\(error.reason)")
        }
    }

    @Test("a key over the limit is refused")
    func oversizeKey() {
        let key = String(repeating: "k", count: KeyValueLimits.keyBytesMax + 1)
        let bytes = KeyValueCodec.encode(KeyValueCommand(client: 1, sequence: 1, operation: .get(key: key)))
        #expect(throws: KeyValueFormatError.self) { try KeyValueCodec.decodeCommand(bytes) }
    }

    @Test("a torn or padded snapshot is refused, never half loaded")
    func malformedSnapshots() {
        var store = KeyValueStore()
        _ = store.apply(KeyValueCommand(client: 1, sequence: 1, operation: .put(key: "a", value: "1")), at: 1)
        let bytes = store.snapshot()
        for cut in 0..<bytes.count {
            #expect(throws: KeyValueFormatError.self) { try KeyValueStore(snapshot: Array(bytes.prefix(cut))) }
        }
        #expect(throws: KeyValueFormatError.self) { try KeyValueStore(snapshot: bytes + [0]) }
        #expect((try? KeyValueStore(snapshot: bytes)) == store)
    }
}
