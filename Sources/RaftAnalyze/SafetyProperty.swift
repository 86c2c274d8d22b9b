import RaftTrace

/// The safety properties `raftlab analyze` checks on a trace.
public enum SafetyProperty: String, CaseIterable, Codable, Sendable {
    /// At most one leader per term.
    case electionSafety = "Election Safety"
    /// A leader won the votes of a majority of the voters of its configuration in force.
    case electionQuorum = "Election Quorum"
    /// A node's term never goes down, also across restarts (the term is persisted).
    case termMonotonicity = "Term Monotonicity"
    /// A node grants its vote to at most one candidate per term, also across restarts.
    case voteSafety = "Vote Safety"
    /// No two nodes commit or deliver different entries (digest or term) at one index.
    case stateMachineSafety = "State Machine Safety"
    /// Committed entries agree with every node's log; committed entries are never truncated.
    case logMatching = "Log Matching"
    /// Commit indexes never go down within an incarnation.
    case commitMonotonicity = "Commit Monotonicity"
    /// Each node delivers committed indexes in order, without gaps.
    case deliveryOrder = "Delivery Order"
    /// Every entry committed before a leader's term began is in that leader's log.
    case leaderCompleteness = "Leader Completeness"
    /// Every request acknowledged `ok` is committed, and no request is committed twice.
    case durability = "Durability"

    /// What the property promises, in one line.
    public var summary: String {
        switch self {
        case .electionSafety: return "at most one leader per term"
        case .electionQuorum: return "a leader won a majority of the voters of its configuration"
        case .termMonotonicity: return "terms never go down per node, across restarts"
        case .voteSafety: return "at most one vote granted per node and term, across restarts"
        case .stateMachineSafety: return "no two nodes deliver different entries at one index"
        case .logMatching: return "committed entries agree across logs and are never truncated"
        case .commitMonotonicity: return "commit index never goes down within an incarnation"
        case .deliveryOrder: return "each node delivers indexes in order, with no gap"
        case .leaderCompleteness: return "a leader holds every entry committed before its term"
        case .durability: return "acknowledged requests are committed, none at two indexes"
        }
    }
}

/// One broken promise with the events that show it.
public struct TraceViolation: Codable, Hashable, Sendable {
    /// What happened, in words.
    public var message: String
    /// The events that prove it, with file and line.
    public var evidence: [Evidence]
}

/// The verdict on one property.
public struct PropertyVerdict: Codable, Hashable, Sendable {
    /// The property's name.
    public var property: String
    /// `true` when no violation was found.
    public var holds: Bool
    /// Violations found (all of them, even those not kept).
    public var violationCount: Int
    /// The first violations, with evidence.
    public var violations: [TraceViolation]
    /// What could not be checked (e.g. events lost to a crash), when anything.
    public var notes: [String]
}

/// Violations of every property, the first few of each kept with their evidence.
struct ViolationLog {
    static let keptPerPropertyMax = 10
    private(set) var counts: [SafetyProperty: Int] = [:]
    private(set) var kept: [SafetyProperty: [TraceViolation]] = [:]
    private(set) var notes: [SafetyProperty: [String]] = [:]
    let files: [String]

    init(files: [String]) { self.files = files }

    mutating func report(_ property: SafetyProperty, _ message: String, _ evidence: [(TraceRecord, EventLocation)]) {
        counts[property, default: 0] += 1
        guard kept[property, default: []].count < Self.keptPerPropertyMax else { return }
        kept[property, default: []].append(TraceViolation(message: message, evidence: evidence.map { Evidence($0.0, at: $0.1, files: files) }))
    }

    /// A violation whose earlier event is only known by location.
    mutating func report(_ property: SafetyProperty, _ message: String, earlier: EventLocation, _ record: TraceRecord, _ location: EventLocation) {
        counts[property, default: 0] += 1
        guard kept[property, default: []].count < Self.keptPerPropertyMax else { return }
        var evidence = [Evidence(record, at: location, files: files)]
        evidence.insert(Evidence(location: Evidence.text(earlier, files: files), event: "(earlier event, see that line)"), at: 0)
        kept[property, default: []].append(TraceViolation(message: message, evidence: evidence))
    }

    mutating func note(_ property: SafetyProperty, _ text: String) {
        if !(notes[property]?.contains(text) ?? false) { notes[property, default: []].append(text) }
    }

    func results() -> [PropertyVerdict] {
        SafetyProperty.allCases.map { property in
            PropertyVerdict(property: property.rawValue, holds: counts[property, default: 0] == 0,
                        violationCount: counts[property, default: 0], violations: kept[property, default: []],
                        notes: notes[property, default: []])
        }
    }
}

extension Evidence {
    init(location: String, event: String) {
        self.location = location
        self.event = event
    }
}
