import RaftCore

/// The few numbers the log's rules depend on (incarnation, term, length, commit index, the
/// compaction and the snapshot file's index), and those rules. Replay checks every record against them (a violation is a contradiction in
/// the file); `apply` checks every change against them (a violation is a caller bug), so the
/// disk never holds a log that replay would refuse.
struct LogShape: Hashable {
    var incarnation = 0
    var term: Term = 0
    var length = 0
    var commitIndex = 0
    /// The last index dropped by a compact record (`0`: none).
    var compactedIndex = 0
    /// The index of the snapshot file (`0`: none): no compaction may pass it.
    var snapshotIndex = 0

    /// Checks `record` against the rules and applies it; returns the reason when it breaks one.
    mutating func apply(_ record: LogRecord) -> String? {
        switch record {
        case .incarnation(let next):
            guard next > incarnation else { return "incarnation \(next) does not follow incarnation \(incarnation)" }
            incarnation = next
        case .hardState(let newTerm, let votedFor):
            guard newTerm >= term else { return "term goes back from \(term) to \(newTerm)" }
            if let vote = votedFor, !(0..<RaftLimits.clusterSizeMax).contains(vote) {
                return "vote for node \(vote) outside 0..<\(RaftLimits.clusterSizeMax)"
            }
            term = newTerm
        case .append(let firstIndex, let entries):
            guard firstIndex == length + 1 else {
                return "append at index \(firstIndex) but the log holds \(length) entries (expected \(length + 1))"
            }
            length += entries.count
        case .truncate(let newLength):
            guard newLength >= compactedIndex && newLength <= length else {
                return compactedIndex == 0 ? "truncate to \(newLength) but the log holds \(length) entries"
                    : "truncate to \(newLength) but the log holds entries \(compactedIndex + 1)...\(length)"
            }
            guard newLength >= commitIndex else { return "truncate to \(newLength) below the commit index \(commitIndex)" }
            length = newLength
        case .commit(let index):
            guard index >= 0 && index <= length else { return "commit index \(index) past the log's \(length) entries" }
            guard index >= commitIndex else { return "commit index goes back from \(commitIndex) to \(index)" }
            commitIndex = index
        case .compact(let index, _):
            guard index >= compactedIndex else { return "compact through \(index) behind the compaction through \(compactedIndex)" }
            guard index <= snapshotIndex else { return "compact through \(index) beyond the snapshot's index \(snapshotIndex)" }
            compactedIndex = index
            length = max(length, index)
        }
        return nil
    }
}
