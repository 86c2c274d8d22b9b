/// A node's log: entries at 1-based positions, plus a lookup from request id to position.
///
/// Index arithmetic lives here and nowhere else: `term(at: 0)` is `0` (the empty prefix),
/// `lastIndex` is the number of entries.
public struct RaftLog: Hashable, Sendable {
    /// The entries; `entries[i - 1]` is the entry at index `i`.
    public private(set) var entries: [Entry]
    /// Position of every client request in the log (derived from `entries`).
    private var indexOfRequest: [RequestID: Int]

    /// An empty log.
    public init() {
        entries = []
        indexOfRequest = [:]
    }

    /// A log holding `entries` at indexes `1...entries.count`.
    public init(_ entries: [Entry]) {
        self.entries = entries
        indexOfRequest = [:]
        indexOfRequest.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() where !entry.isNoOp {
            indexOfRequest[entry.request] = offset + 1
        }
    }

    /// Index of the last entry (`0` when empty): also the log's length.
    public var lastIndex: Int { entries.count }

    /// Term of the last entry (`0` when empty).
    public var lastTerm: Term { entries.last?.term ?? 0 }

    /// Term of the entry at `index`, `0` for index `0`.
    public func term(at index: Int) -> Term {
        precondition(index >= 0 && index <= entries.count, "log index \(index) outside 0...\(entries.count)")
        return index == 0 ? 0 : entries[index - 1].term
    }

    /// The entry at `index` (1-based).
    public subscript(index: Int) -> Entry {
        precondition(index >= 1 && index <= entries.count, "log index \(index) outside 1...\(entries.count)")
        return entries[index - 1]
    }

    /// Where `request` sits in the log, if it is there.
    public func index(of request: RequestID) -> Int? {
        indexOfRequest[request]
    }

    /// The largest index at or below `index` whose entry's term is at most `term` (`0`, the
    /// empty prefix, when there is none): where a log that holds `term` at some index may
    /// still agree with this one (etcd's `findConflictByTerm`). `index` is cut to the log.
    public func lastIndex(atOrBelow index: Int, withTermAtMost term: Term) -> Int {
        var candidate = min(max(index, 0), entries.count)
        while candidate > 0 && entries[candidate - 1].term > term { candidate -= 1 }
        return candidate
    }

    /// Up to `countMax` entries starting at `index`, stopping before the payload total passes
    /// `bytesMax` (the first entry is always included so a large entry still travels).
    public func entries(from index: Int, countMax: Int, bytesMax: Int) -> [Entry] {
        precondition(index >= 1, "entries(from:) takes a 1-based index")
        guard index <= entries.count, countMax > 0 else { return [] }
        var end = index - 1
        var bytes = 0
        let endMax = min(entries.count, index - 1 + countMax)
        while end < endMax {
            bytes += entries[end].payload.count
            if bytes > bytesMax && end > index - 1 { break }
            end += 1
        }
        return Array(entries[(index - 1)..<end])
    }

    /// Adds `entry` at `lastIndex + 1`.
    public mutating func append(_ entry: Entry) {
        entries.append(entry)
        if !entry.isNoOp { indexOfRequest[entry.request] = entries.count }
    }

    /// Keeps the first `length` entries and drops the rest.
    public mutating func truncate(toLength length: Int) {
        precondition(length >= 0 && length <= entries.count, "truncate to \(length) of \(entries.count)")
        for entry in entries[length...] where !entry.isNoOp {
            indexOfRequest[entry.request] = nil
        }
        entries.removeSubrange(length...)
    }

    public static func == (lhs: RaftLog, rhs: RaftLog) -> Bool { lhs.entries == rhs.entries }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}
