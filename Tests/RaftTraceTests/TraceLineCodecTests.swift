import Testing
@testable import RaftTrace

@Suite("JSON line encoding and scanning")
struct TraceLineCodecTests {
    @Test("every event type survives encode then scan", arguments: sampleBodies)
    func roundTrip(body: TraceBody) throws {
        let record = sampleRecord(body, sequence: 17)
        let line = record.jsonLine
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1, "one line per record")
        #expect(try TraceRecord(jsonLine: line) == record)
    }

    @Test("every event type has a sample")
    func samplesCoverEveryType() {
        #expect(Set(sampleBodies.map(\.type)) == Set(TraceEventType.allCases))
    }

    @Test("the common fields come first, spelled as the issue says")
    func commonFieldsShape() {
        let line = sampleRecord(.commit(index: 5)).jsonLine
        #expect(line == #"{"v":1,"ts":1790000000000000,"node":2,"inc":3,"seq":0,"type":"commit","term":8,"index":5}"# + "\n")
        let deliver = sampleRecord(.deliver(index: 1, entryTerm: 2, digest: 0xab, request: 3)).jsonLine
        #expect(deliver.contains(#""digest":"00000000000000ab""#))
        #expect(sampleRecord(.start(logLength: 0, commitIndex: 0, votedFor: nil)).jsonLine.contains(#""vote":null"#))
    }

    @Test("digests print like RaftCore's PayloadDigest.hex and parse back")
    func digests() {
        #expect(TraceDigest.hex(0) == "0000000000000000")
        #expect(TraceDigest.hex(0xcbf2_9ce4_8422_2325) == "cbf29ce484222325")
        #expect(TraceDigest.parse("CBF29CE484222325") == 0xcbf2_9ce4_8422_2325)
        #expect(TraceDigest.parse("") == nil)
        #expect(TraceDigest.parse("12345678901234567") == nil)
        #expect(TraceDigest.parse("xyz") == nil)
    }

    @Test("other writers' spacing, field order and extra fields are accepted")
    func lenientShape() throws {
        let line = #"  { "type" : "vote", "extra": {"a": [1, {"b": null}], "c": "x\"y"}, "term": 4, "v": 1, "ts": 5, "node": 1, "inc": 0, "seq": 2, "candidate": 3, "granted": true, "f": -1.5e3 }  "#
        let record = try TraceRecord(jsonLine: line)
        #expect(record.body == .vote(candidate: 3, granted: true, preVote: false))
        #expect(record.term == 4 && record.sequence == 2)
    }

    @Test("client events may omit term and client")
    func clientDefaults() throws {
        let record = try TraceRecord(jsonLine: #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"invoke","req":9}"#)
        #expect(record.body == .invoke(client: 0, request: 9))
        #expect(record.term == 0)
    }

    @Test("malformed lines are rejected naming what is wrong", arguments: [
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2}"#, "missing field 'index'"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":"7"}"#, "field 'index' must be an integer"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":-2,"index":7}"#, "field 'term' must not be negative"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":7.5}"#, "not a fraction"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":99999999999999999999}"#, "out of range"),
        (#"{"v":2,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":7}"#, "schema version 2"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":7"#, "line ends"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"index":7} x"#, "after the object"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"commit","term":2,"term":3,"index":7}"#, "appears twice"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"role","term":2,"role":"boss"}"#, "'boss' is not a role"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"vote","term":2,"candidate":1,"granted":"yes"}"#, "must be true or false"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"append","term":2,"index":1,"count":2,"entry_terms":[1],"digests":["01"]}"#, "'count' is 2"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"entry_term":1,"req":0,"digest":"zz"}"#, "not a 16-digit hex digest"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"term":2}"#, "missing field 'type'"),
        (#"[1,2]"#, "not a JSON object"),
        ("", "empty line"),
    ])
    func malformed(line: String, expected: String) {
        do {
            _ = try TraceRecord(jsonLine: line)
            Issue.record("accepted \(line)")
        } catch let error as TraceLineError {
            #expect(error.reason.contains(expected), "\(error.reason)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an unknown type is reported as such, with its timestamp")
    func unknownType() throws {
        let scanner = TraceLineScanner()
        var line = #"{"v":1,"ts":77,"node":1,"inc":0,"seq":0,"type":"snapshot","term":2,"size":9}"#
        let outcome = try line.withUTF8 { try scanner.scan(UnsafeRawBufferPointer($0)) }
        #expect(outcome == .unknownType(name: "snapshot", timestampUs: 77))
    }

    @Test("escaped strings decode, including surrogate pairs")
    func escapes() throws {
        let line = #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"fail","req":1,"reason":"a\u00e9\ud83d\ude00\/\"b"}"#
        #expect(try TraceRecord(jsonLine: line).body == .fail(client: 0, request: 1, reason: "aé😀/\"b"))
        #expect(throws: TraceLineError.self) {
            try TraceRecord(jsonLine: #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"fail","req":1,"reason":"\ud83d"}"#)
        }
    }
}
