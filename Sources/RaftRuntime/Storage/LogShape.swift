import RaftCore

/// The few numbers the log's rules depend on (incarnation, term, length, commit index), and
/// those rules. Replay checks every record against them (a violation is a contradiction in
/// the file); `apply` checks every change against them (a violation is a caller bug), so the
/// disk never holds a log that replay would refuse.
struct LogShape: Hashable {
    var incarnation = 0
    var term: Term = 0
    var length = 0
    var commitIndex = 0

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
            guard newLength >= 0 && newLength <= length else { return "truncate to \(newLength) but the log holds \(length) entries" }
            guard newLength >= commitIndex else { return "truncate to \(newLength) below the commit index \(commitIndex)" }
            length = newLength
        case .commit(let index):
            guard index >= 0 && index <= length else { return "commit index \(index) past the log's \(length) entries" }
            guard index >= commitIndex else { return "commit index goes back from \(commitIndex) to \(index)" }
            commitIndex = index
        }
        return nil
    }
}
