import RaftTrace

/// What each node was doing over time, for pictures: role segments (with their term) and
/// marks (restarts, faults, steps down). Bounded by `segmentsMax` and `marksMax`.
public struct ClusterLanes: Codable, Hashable, Sendable {
    /// One stretch of a role.
    public struct Segment: Codable, Hashable, Sendable {
        public var node: Int
        public var startUs: Int64
        public var endUs: Int64
        public var role: String
        public var term: UInt64
    }

    /// One moment worth marking on a node's lane.
    public struct Mark: Codable, Hashable, Sendable {
        public var node: Int
        public var timestampUs: Int64
        /// `restart`, `crash`, `stop`, or a nemesis action.
        public var kind: String
    }

    public static let segmentsMax = 50_000
    public static let marksMax = 10_000

    public var segments: [Segment] = []
    public var marks: [Mark] = []
    /// Whether anything was left out because of the bounds.
    public var truncated = false
    private var open: [Segment?] = []
    private var lastEventUs: [Int64] = []

    enum CodingKeys: String, CodingKey { case segments, marks, truncated }

    mutating func consume(_ record: TraceRecord, restarted: Bool) {
        let node = record.node
        if record.type.source == .node {
            guard node >= 0 && node <= LogChecker.nodeIDMax else { return }
            while open.count <= node {
                open.append(nil)
                lastEventUs.append(record.timestampUs)
            }
            lastEventUs[node] = record.timestampUs
        }
        switch record.body {
        case .start:
            close(node, at: record.timestampUs)
            if restarted { mark(node, record.timestampUs, "restart") }
            open[node] = Segment(node: node, startUs: record.timestampUs, endUs: record.timestampUs, role: "follower", term: record.term)
        case .role(let role, _):
            close(node, at: record.timestampUs)
            open[node] = Segment(node: node, startUs: record.timestampUs, endUs: record.timestampUs, role: role.rawValue, term: record.term)
        case .term:
            if let segment = open[node], segment.term != record.term {
                var segment = segment
                close(node, at: record.timestampUs)
                segment.startUs = record.timestampUs
                segment.term = record.term
                open[node] = segment
            }
        case .stop:
            close(node, at: record.timestampUs)
            mark(node, record.timestampUs, "stop")
        case .nemesis(let action, let targets, _):
            for target in targets where target >= 0 && target <= LogChecker.nodeIDMax {
                if action == .kill && target < open.count { close(target, at: record.timestampUs) }
                mark(target, record.timestampUs, action.rawValue)
            }
        default:
            break
        }
    }

    /// Closes every open segment at its node's last event.
    mutating func finish() {
        for node in open.indices { close(node, at: lastEventUs[node]) }
    }

    private mutating func close(_ node: Int, at timestampUs: Int64) {
        guard var segment = open[node] else { return }
        open[node] = nil
        segment.endUs = max(segment.startUs, timestampUs)
        guard segments.count < Self.segmentsMax else { truncated = true; return }
        segments.append(segment)
    }

    private mutating func mark(_ node: Int, _ timestampUs: Int64, _ kind: String) {
        guard marks.count < Self.marksMax else { truncated = true; return }
        marks.append(Mark(node: node, timestampUs: timestampUs, kind: kind))
    }
}
