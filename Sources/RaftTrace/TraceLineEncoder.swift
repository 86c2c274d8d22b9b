/// Writes trace records as JSON lines into a growing byte buffer, by hand: no Foundation,
/// no intermediate strings, one capacity check per field. Field order is fixed (the common
/// fields first, in the order of docs/TRACE_FORMAT.md), so equal records give equal bytes.
///
/// Not thread-safe: one encoder per writer thread.
public final class TraceLineEncoder {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes encoded since the last `removeAll()`.
    public private(set) var count = 0

    /// Bytes one field can take besides its variable-length parts: name, quotes, a 20-digit
    /// number, separators.
    static let fieldBytesMax = 48

    /// An empty encoder with room for `initialCapacity` bytes (it grows as needed).
    public init(initialCapacity: Int = 64 * 1024) {
        precondition(initialCapacity > 0, "encoder capacity must be positive")
        capacity = initialCapacity
        storage = .allocate(capacity: initialCapacity)
    }

    deinit { storage.deallocate() }

    /// Forgets the encoded bytes, keeping the capacity.
    public func removeAll() { count = 0 }

    /// Calls `body` with the bytes encoded so far (valid only during the call).
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Appends `line` unchanged, adding a newline when it lacks one (used when merging files).
    public func appendRawLine(_ line: UnsafeRawBufferPointer) {
        reserve(line.count + 1)
        if let base = line.baseAddress { (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: line.count) }
        count += line.count
        if line.last != UInt8(ascii: "\n") { put(UInt8(ascii: "\n")) }
    }

    /// Appends `record` as one JSON line ending in a newline.
    public func encode(_ record: TraceRecord) {
        reserve(Self.commonBytesMax + Self.bytesMax(of: record.body))
        var out = LineOutput(cursor: storage + count)
        out.literal("{\"v\":")
        out.int(Int64(record.version))
        out.literal(",\"ts\":")
        out.int(record.timestampUs)
        out.literal(",\"node\":")
        out.int(Int64(record.node))
        out.literal(",\"inc\":")
        out.int(Int64(record.incarnation))
        if record.sequence != TraceRecord.sequenceAbsent {
            out.literal(",\"seq\":")
            out.uint(record.sequence)
        }
        out.literal(",\"type\":")
        out.literal(Self.quotedName(of: record.body.type))
        out.literal(",\"term\":")
        out.uint(record.term)
        out.fields(of: record.body)
        out.put(UInt8(ascii: "}"))
        out.put(UInt8(ascii: "\n"))
        count = out.cursor - storage
    }

    /// Bytes of the common fields at most: seven names and 20-digit numbers, braces.
    private static let commonBytesMax = 8 * fieldBytesMax

    /// The `"type"` value with its quotes, ready to copy.
    private static func quotedName(of type: TraceEventType) -> StaticString {
        switch type {
        case .start: return "\"start\""
        case .term: return "\"term\""
        case .role: return "\"role\""
        case .vote: return "\"vote\""
        case .leader: return "\"leader\""
        case .propose: return "\"propose\""
        case .append: return "\"append\""
        case .truncate: return "\"truncate\""
        case .commit: return "\"commit\""
        case .deliver: return "\"deliver\""
        case .persist: return "\"persist\""
        case .send: return "\"send\""
        case .recv: return "\"recv\""
        case .stop: return "\"stop\""
        case .forward: return "\"forward\""
        case .buffered: return "\"buffered\""
        case .proposalRejected: return "\"proposal_rejected\""
        case .voteIgnoredInLease: return "\"vote_ignored_in_lease\""
        case .lostQuorum: return "\"lost_quorum\""
        case .invalidMessage: return "\"invalid_message\""
        case .snapshot: return "\"snapshot\""
        case .install: return "\"install\""
        case .transfer: return "\"transfer\""
        case .member: return "\"member\""
        case .invoke: return "\"invoke\""
        case .ok: return "\"ok\""
        case .fail: return "\"fail\""
        case .timeout: return "\"timeout\""
        case .nemesis: return "\"nemesis\""
        }
    }

    /// Bytes `body`'s own fields take at most (every string byte escaped as `\u00XX`).
    private static func bytesMax(of body: TraceBody) -> Int {
        let fixed = 6 * fieldBytesMax
        switch body {
        case .append(_, let entryTerms, let digests, let requests):
            return fixed + 21 * entryTerms.count + 19 * digests.count + (requests.map(requestsBytesMax) ?? 0)
        case .deliverRun(_, let entryTerms, let digests, let requests):
            return fixed + 21 * entryTerms.count + 19 * digests.count + requestsBytesMax(requests)
        case .member(_, let voters, let learners):
            return fixed + 21 * (voters.count + learners.count)
        case .nemesis(let action, let targets, let detail):
            return fixed + 21 * targets.count + 6 * (action.rawValue.utf8.count + (detail?.utf8.count ?? 0))
        case .proposalRejected(let request, let reason, _), .fail(_, let request, let reason?):
            return fixed + 6 * reason.utf8.count + requestBytesMax(request)
        case .send(_, let message, _), .recv(_, let message, _): return fixed + 6 * message.rawValue.utf8.count
        case .invalidMessage(_, let reason): return fixed + 6 * reason.utf8.count
        case .propose(let request, _), .deliver(_, _, _, let request), .invoke(_, let request), .ok(_, let request, _),
             .timeout(_, let request), .fail(_, let request, nil):
            return fixed + requestBytesMax(request)
        default: return fixed
        }
    }

    /// Bytes a `req` adds beyond a number: the name of an id read from a string (`TraceRequestID`).
    private static func requestBytesMax(_ request: UInt64) -> Int {
        request & TraceRequestID.stringBit != 0 ? TraceSchema.stringBytesMax : 0
    }

    /// Bytes a `reqs` array takes at most: a 20-digit number and a comma per id, plus names.
    private static func requestsBytesMax(_ requests: [UInt64]) -> Int {
        var bytes = 21 * requests.count
        for request in requests where request & TraceRequestID.stringBit != 0 { bytes += TraceSchema.stringBytesMax }
        return bytes
    }

    private func reserve(_ bytes: Int) {
        guard count + bytes > capacity else { return }
        var newCapacity = capacity * 2
        while count + bytes > newCapacity { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    @inline(__always)
    private func put(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }
}

/// A write cursor into room the encoder reserved: plain pointer stores, no checks, so the
/// hot path touches no class property (and no exclusivity check) per byte.
private struct LineOutput {
    var cursor: UnsafeMutablePointer<UInt8>

    mutating func fields(of body: TraceBody) {
        switch body {
        case .start(let logLength, let commitIndex, let votedFor):
            int("log_len", logLength); int("commit", commitIndex)
            if let votedFor { int("vote", votedFor) } else { key("vote"); literal("null") }
        case .term(let from):
            uint("from", from)
        case .role(let role, let previous):
            string("role", role.rawValue)
            if let previous { string("prev", previous.rawValue) }
        case .vote(let candidate, let granted, let preVote):
            int("candidate", candidate); bool("granted", granted)
            if preVote { bool("pre", true) }
        case .leader(let lastIndex, let lastTerm):
            int("last_index", lastIndex); uint("last_term", lastTerm)
        case .propose(let request, let index):
            requestID(request); int("index", index)
        case .append(let index, let entryTerms, let digests, let requests):
            precondition(entryTerms.count == digests.count && (requests?.count ?? entryTerms.count) == entryTerms.count,
                         "append: \(entryTerms.count) terms, \(digests.count) digests, \(requests?.count ?? 0) requests")
            entries(index: index, entryTerms: entryTerms, digests: digests)
            if let requests { requestIDs(requests) }
        case .truncate(let length):
            int("len", length)
        case .commit(let index):
            int("index", index)
        case .deliver(let index, let entryTerm, let digest, let request):
            int("index", index); uint("entry_term", entryTerm)
            key("digest"); self.digest(digest)
            requestID(request)
        case .deliverRun(let index, let entryTerms, let digests, let requests):
            precondition(!entryTerms.isEmpty && entryTerms.count == digests.count && entryTerms.count == requests.count,
                         "deliver run: \(entryTerms.count) terms, \(digests.count) digests, \(requests.count) requests")
            entries(index: index, entryTerms: entryTerms, digests: digests)
            requestIDs(requests)
        case .persist(let index, let durationUs):
            int("index", index); int("us", durationUs)
        case .send(let to, let message, let messageID):
            int("to", to); string("msg", message.rawValue); uint("mid", messageID)
        case .recv(let from, let message, let messageID):
            int("from", from); string("msg", message.rawValue); uint("mid", messageID)
        case .stop:
            break
        case .forward(let count, let to):
            int("count", count); int("to", to)
        case .buffered(let count):
            int("count", count)
        case .proposalRejected(let request, let reason, let index):
            requestID(request); string("reason", reason)
            if let index { int("index", index) }
        case .voteIgnoredInLease(let candidate):
            int("candidate", candidate)
        case .lostQuorum(let heardFrom):
            int("heard_from", heardFrom)
        case .invalidMessage(let from, let reason):
            int("from", from); string("reason", reason)
        case .snapshot(let index, let entryTerm, let bytes, let compacted):
            int("index", index); uint("entry_term", entryTerm); int("bytes", bytes); int("compacted", compacted)
        case .install(let index, let entryTerm, let bytes):
            int("index", index); uint("entry_term", entryTerm); int("bytes", bytes)
        case .transfer(let to, let aborted):
            int("to", to); bool("aborted", aborted)
        case .member(let index, let voters, let learners):
            int("index", index)
            array("voters", voters) { $0.int(Int64($1)) }
            array("learners", learners) { $0.int(Int64($1)) }
        case .invoke(let client, let request), .timeout(let client, let request):
            int("client", client); requestID(request)
        case .ok(let client, let request, let index):
            int("client", client); requestID(request)
            if let index { int("index", index) }
        case .fail(let client, let request, let reason):
            int("client", client); requestID(request)
            if let reason { string("reason", reason) }
        case .nemesis(let action, let targets, let detail):
            string("action", action.rawValue)
            array("targets", targets) { $0.int(Int64($1)) }
            if let detail { string("detail", detail) }
        }
    }

    // MARK: Fields

    /// `index`, `count`, `entry_terms` and `digests` of a run of entries (`append`, `deliver`).
    @inline(__always)
    mutating func entries(index: Int, entryTerms: [UInt64], digests: [UInt64]) {
        int("index", index); int("count", entryTerms.count)
        array("entry_terms", entryTerms) { $0.uint($1) }
        array("digests", digests) { $0.digest($1) }
    }

    /// `reqs`: one request id per entry, each as `req` spells it.
    @inline(__always)
    mutating func requestIDs(_ values: [UInt64]) {
        array("reqs", values) { $0.requestIDValue($1) }
    }

    /// Field `name` holding `values` as a JSON array, each written by `element`.
    @inline(__always)
    mutating func array<Element>(_ name: StaticString, _ values: [Element], element: (inout LineOutput, Element) -> Void) {
        key(name)
        put(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { put(UInt8(ascii: ",")) }
            element(&self, value)
        }
        put(UInt8(ascii: "]"))
    }

    @inline(__always)
    mutating func key(_ name: StaticString) {
        put(UInt8(ascii: ","))
        put(UInt8(ascii: "\""))
        literal(name)
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
    }

    @inline(__always)
    mutating func int(_ name: StaticString, _ value: Int) {
        key(name)
        int(Int64(value))
    }

    @inline(__always)
    mutating func uint(_ name: StaticString, _ value: UInt64) {
        key(name)
        uint(value)
    }

    /// `req`: the number, or for an id read from a string, that string as it was written.
    mutating func requestID(_ value: UInt64) {
        key("req")
        requestIDValue(value)
    }

    /// A request id's value: the number, or the string it was read from.
    @inline(__always)
    mutating func requestIDValue(_ value: UInt64) {
        guard value & TraceRequestID.stringBit != 0, var text = TraceRequestID.name(of: value) else {
            uint(value)
            return
        }
        put(UInt8(ascii: "\""))
        text.withUTF8 { for byte in $0 { put(byte) } }
        put(UInt8(ascii: "\""))
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        if value { literal("true") } else { literal("false") }
    }

    mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        put(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            for byte in utf8 { escaped(byte) }
        }
        put(UInt8(ascii: "\""))
    }

    // MARK: Bytes

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        cursor.pointee = byte
        cursor += 1
    }

    @inline(__always)
    mutating func literal(_ text: StaticString) {
        cursor.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        cursor += text.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func escaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(UInt8(ascii: "\\")); put(byte)
        case UInt8(ascii: "\n"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
        case UInt8(ascii: "\t"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
        case UInt8(ascii: "\r"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "r"))
        case 0..<0x20:
            literal("\\u00")
            put(TraceLineEncoder.hexDigits.utf8Start[Int(byte >> 4)])
            put(TraceLineEncoder.hexDigits.utf8Start[Int(byte & 0xf)])
        default: put(byte)
        }
    }

    @inline(__always)
    mutating func digest(_ value: UInt64) {
        put(UInt8(ascii: "\""))
        let digits = TraceLineEncoder.hexDigits.utf8Start
        var shift: UInt64 = 60
        for _ in 0..<16 {
            put(digits[Int((value >> shift) & 0xf)])
            shift &-= 4
        }
        put(UInt8(ascii: "\""))
    }

    @inline(__always)
    mutating func int(_ value: Int64) {
        if value < 0 {
            put(UInt8(ascii: "-"))
            uint(value.magnitude)
        } else {
            uint(UInt64(value))
        }
    }

    /// Decimal digits, two at a time from a 200-byte table.
    @inline(__always)
    mutating func uint(_ value: UInt64) {
        if value < 10 {
            put(UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0"))
            return
        }
        var digits = 2
        var bound: UInt64 = 100
        while digits < 20 && value >= bound {
            digits += 1
            bound = bound &* 10
        }
        var remaining = value
        var position = cursor + digits
        let pairs = TraceLineEncoder.digitPairs.utf8Start
        while remaining >= 100 {
            let pair = Int(remaining % 100) * 2
            remaining /= 100
            position -= 2
            position[0] = pairs[pair]
            position[1] = pairs[pair + 1]
        }
        if remaining >= 10 {
            let pair = Int(remaining) * 2
            position[-2] = pairs[pair]
            position[-1] = pairs[pair + 1]
        } else {
            position[-1] = UInt8(truncatingIfNeeded: remaining) &+ UInt8(ascii: "0")
        }
        cursor += digits
    }
}

extension TraceLineEncoder {
    fileprivate static let hexDigits: StaticString = "0123456789abcdef"
    fileprivate static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
}
