/// A node's log: entries at 1-based positions, plus a lookup from request id to position.
///
/// After a snapshot the log no longer starts at index 1: the entries through
/// `compactedIndex` were dropped (the snapshot holds their effect), and only the term of the
/// last of them, `compactedTerm`, is kept. Index arithmetic lives here and nowhere else:
/// `term(at: compactedIndex)` is `compactedTerm` (`0` at index `0`, the empty prefix), and
/// `lastIndex` is the index of the last entry whether or not the log was compacted.
public struct RaftLog: Hashable, Sendable {
    /// The entries after `compactedIndex`; `entries[i - compactedIndex - 1]` is the entry at
    /// index `i`.
    public private(set) var entries: [Entry]
    /// The last index dropped from the log (`0`: nothing dropped).
    public private(set) var compactedIndex: Int
    /// The term of the entry at `compactedIndex` (`0` when nothing was dropped).
    public private(set) var compactedTerm: Term
    /// Position of every client request in the log (derived from `entries`).
    private var indexOfRequest: [RequestID: Int]

    /// An empty log.
    public init() {
        entries = []
        compactedIndex = 0
        compactedTerm = 0
        indexOfRequest = [:]
    }

    /// A log holding `entries` at indexes `compactedIndex + 1 ...`, after `compactedIndex`
    /// entries dropped (the last of term `compactedTerm`).
    public init(_ entries: [Entry], compactedIndex: Int = 0, compactedTerm: Term = 0) {
        precondition(compactedIndex >= 0 && (compactedIndex == 0) == (compactedTerm == 0),
                     "a log compacted through \(compactedIndex) of term \(compactedTerm)")
        self.entries = entries
        self.compactedIndex = compactedIndex
        self.compactedTerm = compactedTerm
        indexOfRequest = [:]
        indexOfRequest.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() where !entry.isProtocolEntry {
            indexOfRequest[entry.request] = compactedIndex + offset + 1
        }
    }

    /// Index of the last entry (`compactedIndex` when no entry follows it): also the log's
    /// length, counting the dropped entries.
    public var lastIndex: Int { compactedIndex + entries.count }

    /// Term of the last entry (`compactedTerm` when no entry follows the compacted ones).
    public var lastTerm: Term { entries.last?.term ?? compactedTerm }

    /// Whether the term at `index` is known: `compactedIndex...lastIndex`.
    public func holdsTerm(at index: Int) -> Bool { index >= compactedIndex && index <= lastIndex }

    /// Term of the entry at `index` (`compactedIndex...lastIndex`), `0` for index `0`.
    public func term(at index: Int) -> Term {
        precondition(holdsTerm(at: index), "log index \(index) outside \(compactedIndex)...\(lastIndex)")
        return index == compactedIndex ? compactedTerm : entries[index - compactedIndex - 1].term
    }

    /// The entry at `index` (`compactedIndex + 1 ... lastIndex`).
    public subscript(index: Int) -> Entry {
        precondition(index > compactedIndex && index <= lastIndex, "log index \(index) outside \(compactedIndex + 1)...\(lastIndex)")
        return entries[index - compactedIndex - 1]
    }

    /// Where `request` sits in the log, if it is there (requests of dropped entries are not).
    public func index(of request: RequestID) -> Int? {
        indexOfRequest[request]
    }

    /// The largest index at or below `index` whose entry's term is at most `term` (`0`, the
    /// empty prefix, when there is none): where a log that holds `term` at some index may
    /// still agree with this one (etcd's `findConflictByTerm`). `index` is cut to the log.
    /// Below the dropped entries nothing is known: an `index` there is returned as it is, and
    /// when even `compactedTerm` is too new the answer is `compactedIndex - 1` (the two logs
    /// may agree only inside the snapshot).
    public func lastIndex(atOrBelow index: Int, withTermAtMost term: Term) -> Int {
        if index < compactedIndex { return max(index, 0) }
        var candidate = min(index, lastIndex)
        while candidate > compactedIndex && entries[candidate - compactedIndex - 1].term > term { candidate -= 1 }
        if candidate == compactedIndex && compactedTerm > term { return compactedIndex - 1 }
        return candidate
    }

    /// Up to `countMax` entries starting at `index` (after `compactedIndex`), stopping before
    /// the payload total passes `bytesMax` (the first entry is always included so a large
    /// entry still travels).
    public func entries(from index: Int, countMax: Int, bytesMax: Int) -> [Entry] {
        precondition(index > compactedIndex, "entries(from: \(index)) of a log compacted through \(compactedIndex)")
        guard index <= lastIndex, countMax > 0 else { return [] }
        let start = index - compactedIndex - 1
        var end = start
        var bytes = 0
        let endMax = min(entries.count, start + countMax)
        while end < endMax {
            bytes += entries[end].payload.count
            if bytes > bytesMax && end > start { break }
            end += 1
        }
        return Array(entries[start..<end])
    }

    /// Adds `entry` at `lastIndex + 1`.
    public mutating func append(_ entry: Entry) {
        entries.append(entry)
        if !entry.isProtocolEntry { indexOfRequest[entry.request] = lastIndex }
    }

    /// Keeps the entries through index `length` and drops the rest (`length` is at least
    /// `compactedIndex`).
    public mutating func truncate(toLength length: Int) {
        precondition(length >= compactedIndex && length <= lastIndex, "truncate to \(length) of \(compactedIndex)...\(lastIndex)")
        let keep = length - compactedIndex
        for entry in entries[keep...] where !entry.isProtocolEntry && (indexOfRequest[entry.request] ?? 0) > length {
            indexOfRequest[entry.request] = nil
        }
        entries.removeSubrange(keep...)
    }

    /// Drops the entries through `index`, whose entry has term `term`. When the log is
    /// shorter than `index`, every entry goes: the log then starts after `index` (a follower
    /// installing a snapshot, Raft figure 13; one whose log conflicts truncates it first).
    public mutating func compact(through index: Int, term: Term) {
        precondition(index >= compactedIndex && index >= 1 && term >= 1, "compact through \(index) (term \(term)) of a log compacted through \(compactedIndex)")
        precondition(index > lastIndex || self.term(at: index) == term,
                     "compact through \(index) of term \(term), but the log holds term \(self.term(at: index)) there")
        let dropped = index <= lastIndex ? index - compactedIndex : entries.count
        let droppedThrough = compactedIndex + dropped
        for entry in entries[..<dropped] where !entry.isProtocolEntry && (indexOfRequest[entry.request] ?? .max) <= droppedThrough {
            indexOfRequest[entry.request] = nil
        }
        entries.removeSubrange(..<dropped)
        compactedIndex = index
        compactedTerm = term
    }

    public static func == (lhs: RaftLog, rhs: RaftLog) -> Bool {
        lhs.compactedIndex == rhs.compactedIndex && lhs.compactedTerm == rhs.compactedTerm && lhs.entries == rhs.entries
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(compactedIndex)
        hasher.combine(entries)
    }
}
