import RaftTrace

/// `--timeline`: prints the events a person follows a run by (starts and restarts, roles,
/// leaders, lost quorum, stops, faults, client failures) as they stream past, within an
/// optional window of seconds since the first event.
struct TimelinePrinter {
    let fromSeconds: Double?
    let toSeconds: Double?
    let files: [String]
    let sink: (String) -> Void
    private var firstUs: Int64?

    init(fromSeconds: Double?, toSeconds: Double?, files: [String], sink: @escaping (String) -> Void) {
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.files = files
        self.sink = sink
    }

    mutating func consume(_ record: TraceRecord, at location: EventLocation, restarted: Bool) {
        if firstUs == nil { firstUs = record.timestampUs }
        guard let text = Self.describe(record, restarted: restarted) else { return }
        let seconds = Double(record.timestampUs - firstUs!) / 1e6
        if let fromSeconds, seconds < fromSeconds { return }
        if let toSeconds, seconds > toSeconds { return }
        let who = record.type.source == .node ? "node \(record.node)" : record.type.source == .client ? "client→\(record.node)" : "chaos"
        let time = String(format: "%12.6fs", seconds)
        let line = "\(time)  \(who.padding(toLength: 10, withPad: " ", startingAt: 0)) term \(String(record.term).padding(toLength: 5, withPad: " ", startingAt: 0)) \(text)"
        sink(line.padding(toLength: max(line.count, 78), withPad: " ", startingAt: 0) + "  " + Evidence.text(location, files: files))
    }

    /// The timeline's words for `record`, or `nil` for events the timeline leaves out.
    static func describe(_ record: TraceRecord, restarted: Bool) -> String? {
        switch record.body {
        case .start(let logLength, let commitIndex, let votedFor):
            return "\(restarted ? "RESTARTED" : "started") (incarnation \(record.incarnation), log \(logLength), commit \(commitIndex), vote \(votedFor.map(String.init) ?? "none"))"
        case .role(let role, let previous):
            return "\(previous.map { "\($0.rawValue) → " } ?? "")\(role.rawValue)"
        case .leader(let lastIndex, let lastTerm):
            return "LEADER of term \(record.term) (log \(lastIndex), last term \(lastTerm))"
        case .lostQuorum(let heardFrom):
            return "lost quorum (heard from \(heardFrom)): steps down"
        case .snapshot(let index, _, let bytes, let compacted):
            return "snapshot through \(index) (\(bytes) bytes); log starts after \(compacted)"
        case .transfer(let to, let aborted):
            return aborted ? "gave up handing leadership to node \(to)" : "HANDS LEADERSHIP to node \(to)"
        case .install(let index, let entryTerm, let bytes):
            return "INSTALLED the leader's snapshot through \(index) (term \(entryTerm), \(bytes) bytes)"
        case .stop:
            return "stopped cleanly"
        case .truncate(let length):
            return "truncated its log to \(length)"
        case .nemesis(let action, let targets, let detail):
            return "FAULT \(action.rawValue) \(targets.map(String.init).joined(separator: ","))\(detail.map { " (\($0))" } ?? "")"
        case .fail(let client, let request, let reason):
            return "request \(TraceRequestID.describe(request)) of client \(client) failed\(reason.map { ": \($0)" } ?? "")"
        case .timeout(let client, let request):
            return "request \(TraceRequestID.describe(request)) of client \(client) timed out"
        default:
            return nil
        }
    }
}
