import RaftTrace

/// Availability and failover from a chaos run's merged trace.
///
/// - **Availability**: the share of the chaos period during which some leader *could
///   commit*: from a leader's first commit in its term until it steps down, stops, restarts,
///   loses its quorum, is superseded by a higher term's leader, or a fault (kill, pause,
///   partition) strikes it.
/// - **Failover**: from a fault that strikes the leader to the first commit under a leader
///   of a higher term, per fault action (`kill`, `pause`, `partition`).
struct LeadershipMeter {
    /// One measured failover.
    struct Failover: Codable, Hashable, Sendable {
        /// The fault that struck the leader: `kill`, `pause` or `partition`.
        var action: String
        /// When it struck, µs since the Unix epoch.
        var faultUs: Int64
        /// From the fault to the first commit under the next leader.
        var milliseconds: Double
        var fromNode: Int
        var fromTerm: UInt64
        var toNode: Int
        var toTerm: UInt64
    }

    /// The chaos period (µs since the Unix epoch) availability is measured over.
    let window: ClosedRange<Int64>
    private(set) var availableUs: Int64 = 0
    private(set) var failovers: [Failover] = []
    /// Leader faults after which no later leader committed before the next one (or the end).
    private(set) var unresolved: [String: Int] = [:]
    /// Leader faults (pause, partition) the old leader outlived: it committed again in its
    /// own term after the heal, so no failover happened.
    private(set) var outlived: [String: Int] = [:]

    private var leaderOfTerm: [UInt64: Int] = [:]
    /// Node → the term it leads, while it believes it leads.
    private var leading: [Int: UInt64] = [:]
    private var committing: (node: Int, term: UInt64)?
    private var availableSinceUs: Int64?
    private var pending: (action: NemesisAction, atUs: Int64, node: Int, term: UInt64, healed: Bool)?

    init(window: ClosedRange<Int64>) { self.window = window }

    mutating func consume(_ record: TraceRecord) {
        let now = record.timestampUs
        switch record.body {
        case .leader:
            leaderOfTerm[record.term] = record.node
            leading[record.node] = record.term
            if let current = committing, current.term < record.term { loseCommitter(at: now) }
        case .role(let role, _) where role != .leader:
            stepDown(record.node, at: now)
        case .start, .stop, .lostQuorum:
            stepDown(record.node, at: now)
        case .commit:
            guard leading[record.node] == record.term, leaderOfTerm[record.term] == record.node else { return }
            committed(by: record.node, term: record.term, at: now)
        case .nemesis(let action, let targets, _):
            if action.startsFault {
                // Only the leader of the highest term counts: striking a deposed leader that
                // has not noticed yet takes nothing away from the cluster.
                let struck = targets.compactMap { node in leading[node].map { (node: node, term: $0) } }.max { $0.term < $1.term }
                if let struck, struck.term == leaderOfTerm.keys.max() {
                    if let open = pending { unresolved[open.action.rawValue, default: 0] += 1 }
                    pending = (action, now, struck.node, struck.term, false)
                }
                if let current = committing, targets.contains(current.node) { loseCommitter(at: now) }
            } else if pending != nil, targets.contains(pending!.node) {
                pending!.healed = true
            }
        default:
            break
        }
    }

    /// Closes what is open at the end of the trace.
    mutating func finish() {
        if let since = availableSinceUs { addAvailable(from: since, to: window.upperBound) }
        availableSinceUs = nil
        if let open = pending { unresolved[open.action.rawValue, default: 0] += 1 }
        pending = nil
    }

    /// Share of the window with a leader that could commit, 0...1.
    var availability: Double {
        let length = window.upperBound - window.lowerBound
        return length > 0 ? min(1, Double(availableUs) / Double(length)) : 0
    }

    private mutating func committed(by node: Int, term: UInt64, at now: Int64) {
        if let open = pending {
            if term > open.term {
                failovers.append(Failover(action: open.action.rawValue, faultUs: open.atUs, milliseconds: Double(now - open.atUs) / 1000,
                                          fromNode: open.node, fromTerm: open.term, toNode: node, toTerm: term))
                pending = nil
            } else if open.healed && node == open.node && term == open.term {
                outlived[open.action.rawValue, default: 0] += 1
                pending = nil
            }
        }
        if committing == nil || committing!.term < term {
            if committing != nil { loseCommitter(at: now) }
            committing = (node, term)
            availableSinceUs = now
        }
    }

    private mutating func stepDown(_ node: Int, at now: Int64) {
        leading[node] = nil
        if committing?.node == node { loseCommitter(at: now) }
    }

    private mutating func loseCommitter(at now: Int64) {
        if let since = availableSinceUs { addAvailable(from: since, to: now) }
        availableSinceUs = nil
        committing = nil
    }

    private mutating func addAvailable(from start: Int64, to end: Int64) {
        let clippedStart = max(start, window.lowerBound)
        let clippedEnd = min(end, window.upperBound)
        if clippedEnd > clippedStart { availableUs += clippedEnd - clippedStart }
    }
}
