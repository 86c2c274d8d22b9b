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

    @Test("a deliver run and an append with reqs are written as docs/TRACE_FORMAT.md spells them")
    func entryRunsShape() throws {
        let run = sampleRecord(.deliverRun(index: 42, entryTerms: [8, 8], digests: [0xab, 0xcd], requests: [1000, 0]))
        #expect(run.jsonLine == #"{"v":1,"ts":1790000000000000,"node":2,"inc":3,"seq":0,"type":"deliver","term":8,"index":42,"count":2,"entry_terms":[8,8],"digests":["00000000000000ab","00000000000000cd"],"reqs":[1000,0]}"# + "\n")
        let append = sampleRecord(.append(index: 42, entryTerms: [8], digests: [0xab], requests: [1000]))
        #expect(append.jsonLine == #"{"v":1,"ts":1790000000000000,"node":2,"inc":3,"seq":0,"type":"append","term":8,"index":42,"count":1,"entry_terms":[8],"digests":["00000000000000ab"],"reqs":[1000]}"# + "\n")
        #expect(!sampleRecord(.append(index: 42, entryTerms: [8], digests: [0xab])).jsonLine.contains("reqs"), "reqs only when given")
    }

    @Test("the one-entry deliver of older traces is still read, with req absent or null as 0")
    func oneEntryDeliver() throws {
        let prefix = #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":7,"entry_term":2,"digest":"1a1cb475cf4efa50""#
        #expect(try TraceRecord(jsonLine: prefix + #","req":19791209299977}"#).body
                == .deliver(index: 7, entryTerm: 2, digest: 0x1a1c_b475_cf4e_fa50, request: 19_791_209_299_977))
        #expect(try TraceRecord(jsonLine: prefix + "}").body == .deliver(index: 7, entryTerm: 2, digest: 0x1a1c_b475_cf4e_fa50, request: 0))
        #expect(try TraceRecord(jsonLine: prefix + #","req":null}"#).body == .deliver(index: 7, entryTerm: 2, digest: 0x1a1c_b475_cf4e_fa50, request: 0))
        var entries: [[UInt64]] = []
        try TraceRecord(jsonLine: prefix + "}").body.forEachDelivery { entries.append([UInt64($0), $1, $2, $3]) }
        #expect(entries == [[7, 2, 0x1a1c_b475_cf4e_fa50, 0]])
    }

    @Test("forEachDelivery and forEachProposal read a run entry by entry, and a propose line as one")
    func perEntryAccess() {
        var delivered: [[UInt64]] = []
        TraceBody.deliverRun(index: 5, entryTerms: [1, 2], digests: [10, 20], requests: [0, 7]).forEachDelivery {
            delivered.append([UInt64($0), $1, $2, $3])
        }
        #expect(delivered == [[5, 1, 10, 0], [6, 2, 20, 7]])
        var proposed: [[Int]] = []
        TraceBody.append(index: 9, entryTerms: [3, 3, 3], digests: [1, 2, 3], requests: [4, 0, 6]).forEachProposal { proposed.append([Int($0), $1]) }
        TraceBody.propose(request: 8, index: 12).forEachProposal { proposed.append([Int($0), $1]) }
        TraceBody.append(index: 13, entryTerms: [3], digests: [1]).forEachProposal { proposed.append([Int($0), $1]) }
        #expect(proposed == [[4, 9], [6, 11], [8, 12]], "no-op entries (0) and appends without reqs propose nothing")
    }

    @Test("string request ids in reqs arrays are read by their hash and written back as they were")
    func stringRequestsInArrays() throws {
        let line = #"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":7,"count":2,"entry_terms":[2,2],"digests":["01","02"],"reqs":["c1-7",9]}"#
        let record = try TraceRecord(jsonLine: line)
        #expect(record.body == .deliverRun(index: 7, entryTerms: [2, 2], digests: [1, 2], requests: [TraceRequestID.hash("c1-7"), 9]))
        #expect(record.jsonLine.contains(#""reqs":["c1-7",9]"#))
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
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"append","term":2,"index":1,"count":1,"entry_terms":[1],"digests":["01"],"reqs":[1,2]}"#, "'reqs' has 2"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"count":2,"entry_terms":[1,1],"digests":["01","02"],"reqs":[1]}"#, "'reqs' 1"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"count":1,"entry_terms":[1],"digests":["01"]}"#, "missing field 'reqs'"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"count":0,"entry_terms":[],"digests":[],"reqs":[]}"#, "at least 1"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"count":1,"entry_terms":[1],"digests":["01"],"reqs":[1],"digest":"01"}"#, "mixed"),
        (#"{"v":1,"ts":5,"node":1,"inc":0,"seq":0,"type":"deliver","term":2,"index":1,"count":1,"entry_terms":[1],"digests":["01"],"reqs":[-1]}"#, "field 'reqs' must be an integer"),
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
        var line = #"{"v":1,"ts":77,"node":1,"inc":0,"seq":0,"type":"clock_skew","term":2,"size":9}"#
        let outcome = try line.withUTF8 { try scanner.scan(UnsafeRawBufferPointer($0)) }
        #expect(outcome == .unknownType(name: "clock_skew", timestampUs: 77))
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
