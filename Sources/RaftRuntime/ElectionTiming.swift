/// When a follower gives up on its leader and campaigns, and how often a leader reassures
/// its followers: election timeouts drawn uniformly from a range, heartbeats at a fixed
/// interval shorter than the shortest timeout.
///
/// Valid by construction: it is parsed or built once, where the values come in (a command
/// line flag, a cluster file), and passed on as is; nothing downstream checks it again.
public struct ElectionTiming: Hashable, Sendable, CustomStringConvertible {
    /// Election timeouts are drawn uniformly from this range, in milliseconds.
    public let electionTimeoutMs: ClosedRange<Int>
    /// How often a leader sends heartbeats, in milliseconds.
    public let heartbeatIntervalMs: Int

    /// Why values cannot be an election timing (one line, in the words of the values).
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The election timeout is not written `LOW-HIGH` with `0 < LOW <= HIGH`.
        case notARange(String)
        /// The heartbeat interval is not positive, or not shorter than the shortest timeout.
        case heartbeatNotShorter(heartbeatIntervalMs: Int, electionTimeoutMs: ClosedRange<Int>)

        public var description: String {
            switch self {
            case .notARange(let text):
                "the election timeout must be LOW-HIGH in milliseconds with 0 < LOW <= HIGH (e.g. 150-300), got '\(text)'"
            case .heartbeatNotShorter(let heartbeat, let range):
                "the heartbeat interval (\(heartbeat) ms) must be positive and shorter than the shortest election timeout (\(range.lowerBound) ms)"
            }
        }
    }

    /// Timing from numbers; throws when the range is empty or not positive, or the heartbeat
    /// is not shorter than its low end.
    public init(electionTimeoutMs: ClosedRange<Int>, heartbeatIntervalMs: Int) throws(Problem) {
        guard electionTimeoutMs.lowerBound > 0 else {
            throw .notARange("\(electionTimeoutMs.lowerBound)-\(electionTimeoutMs.upperBound)")
        }
        guard heartbeatIntervalMs > 0, heartbeatIntervalMs < electionTimeoutMs.lowerBound else {
            throw .heartbeatNotShorter(heartbeatIntervalMs: heartbeatIntervalMs, electionTimeoutMs: electionTimeoutMs)
        }
        self.electionTimeoutMs = electionTimeoutMs
        self.heartbeatIntervalMs = heartbeatIntervalMs
    }

    /// Timing from the text form of the range (`"150-300"`, as `electionTimeoutText` writes it).
    public init(electionTimeout text: String, heartbeatIntervalMs: Int) throws(Problem) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low > 0, low <= high else {
            throw .notARange(text)
        }
        try self.init(electionTimeoutMs: low...high, heartbeatIntervalMs: heartbeatIntervalMs)
    }

    /// etcd-like defaults scaled for a local lab: 150–300 ms elections, 50 ms heartbeats.
    public static let standard = ElectionTiming(checked: 150...300, heartbeatIntervalMs: 50)

    /// The range as the command line takes it: `"150-300"`.
    public var electionTimeoutText: String { "\(electionTimeoutMs.lowerBound)-\(electionTimeoutMs.upperBound)" }

    public var description: String { "election timeout \(electionTimeoutText) ms, heartbeat \(heartbeatIntervalMs) ms" }

    private init(checked range: ClosedRange<Int>, heartbeatIntervalMs: Int) {
        precondition(range.lowerBound > 0 && heartbeatIntervalMs > 0 && heartbeatIntervalMs < range.lowerBound)
        self.electionTimeoutMs = range
        self.heartbeatIntervalMs = heartbeatIntervalMs
    }
}
