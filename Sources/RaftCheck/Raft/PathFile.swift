/// Reads a path as `raftlab check` prints it:
///
/// ```
/// Discovered "Election Safety" counterexample Path[3]:
/// - Timeout(0, election)
/// - 0 → 1 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)
/// - 1 → 0 VoteResponse(term: 1, granted: true)
/// ```
///
/// Lines starting with `- ` are actions; a `Discovered … Path[n]:` line starts a path and
/// its `n` must match; blank lines, `#` comments and the checker's other output lines
/// (`Checking.`, `Done.`, `Model:`, `Performance:`) are skipped. When a file holds several
/// paths, the first one is read.
public enum PathFile {
    /// One action line.
    public struct Line: Hashable, Sendable {
        /// 1-based line number in the file.
        public var number: Int
        /// The action label (after `- `).
        public var label: String
    }

    /// A line that is not part of a path, or a path whose header lies about its length.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// 1-based line number (0 when the problem is the file as a whole).
        public var line: Int
        public var message: String
        public var description: String { message }
    }

    private static let skippedPrefixes = ["#", "Checking.", "Done.", "Model:", "Performance:"]

    /// The action lines of the first path in `text`.
    public static func parse(_ text: String) throws(ParseError) -> [Line] {
        var lines: [Line] = []
        var header: (line: Int, count: Int)?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingSuffix { $0 == " " || $0 == "\t" || $0 == "\r" }
            if line.isEmpty || skippedPrefixes.contains(where: { line.hasPrefix($0) }) { continue }
            if line.hasPrefix("Discovered ") {
                if header != nil || !lines.isEmpty { break } // the first path ends here
                guard let count = declaredLength(line) else {
                    throw ParseError(line: number, message: "a Discovered line must end in \"Path[N]:\"")
                }
                header = (number, count)
            } else if line.hasPrefix("- ") {
                let label = String(line.dropFirst(2))
                guard !label.isEmpty else { throw ParseError(line: number, message: "empty action after \"- \"") }
                lines.append(Line(number: number, label: label))
            } else {
                throw ParseError(line: number, message: "not a path line (expected \"- ACTION\"): \(line.prefix(80))")
            }
        }
        if let header, header.count != lines.count {
            throw ParseError(line: header.line, message: "the header says Path[\(header.count)] but \(lines.count) action line(s) follow")
        }
        if header == nil && lines.isEmpty {
            throw ParseError(line: 0, message: "no path found (expected lines \"- ACTION\")")
        }
        return lines
    }

    private static func declaredLength(_ line: Substring) -> Int? {
        guard line.hasSuffix("]:") else { return nil }
        let body = line.dropLast(2)
        guard let bracket = body.lastIndex(of: "["), body[..<bracket].hasSuffix("Path") else { return nil }
        return Int(body[body.index(after: bracket)...])
    }
}

extension Substring {
    /// This text without the trailing characters that satisfy `predicate`.
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
