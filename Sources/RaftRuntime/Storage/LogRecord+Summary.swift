/// A record in a few words, for an operator reading what a repair dropped.
extension LogRecord {
    /// `incarnation 4`, `hard state term 5 vote 2`, `append 3 entries at 10...12`,
    /// `truncate to 7`, `commit 11` or `compact through 20 (term 3)`.
    var summary: String {
        switch self {
        case .incarnation(let incarnation):
            return "incarnation \(incarnation)"
        case .hardState(let term, let votedFor):
            return "hard state term \(term) " + (votedFor.map { "vote \($0)" } ?? "no vote")
        case .append(let firstIndex, let entries):
            let count = entries.count
            return count == 1 ? "append 1 entry at \(firstIndex)" : "append \(count) entries at \(firstIndex)...\(firstIndex + count - 1)"
        case .truncate(let length):
            return "truncate to \(length)"
        case .commit(let index):
            return "commit \(index)"
        case .compact(let index, let term):
            return "compact through \(index) (term \(term))"
        }
    }
}
