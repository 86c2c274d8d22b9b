import RaftTrace

/// `--export perfetto FILE`: Chrome trace-event JSON that ui.perfetto.dev (and
/// chrome://tracing) opens: one track per node, each role as a span named with its term
/// (leadership stands out), commits at the leader and restarts as instants on the node's
/// track, faults as global instants. Streams as it reads; times are microseconds since the
/// first event.
public final class PerfettoExporter: TraceObserver {
    private let file: OutputFile
    private var firstUs: Int64?
    private var openRole: [Int: String] = [:]
    private var namedNodes = Set<Int>()
    private var lastUs: Int64 = 0
    private var separator = ""

    /// Writes to `path` (replaced).
    public init(path: String) throws {
        file = try OutputFile(path: path)
        try file.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n")
        try emit("{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"raftlab cluster\"}}")
        try emit("{\"ph\":\"M\",\"pid\":2,\"name\":\"process_name\",\"args\":{\"name\":\"faults\"}}")
    }

    public func consume(_ record: TraceRecord, at location: EventLocation) throws {
        if firstUs == nil { firstUs = record.timestampUs }
        let time = record.timestampUs - firstUs!
        lastUs = max(lastUs, time)
        let node = record.node
        switch record.body {
        case .start:
            try nameTrack(node)
            try endRole(node, time)
            try instant(node, time, "start (incarnation \(record.incarnation))")
            try beginRole(node, time, "follower", record.term)
        case .role(let role, _):
            try endRole(node, time)
            try beginRole(node, time, role.rawValue, record.term)
        case .stop:
            try endRole(node, time)
            try instant(node, time, "stop")
        case .commit(let index) where openRole[node] == "leader":
            try instant(node, time, "commit \(index)")
        case .lostQuorum:
            try instant(node, time, "lost quorum")
        case .snapshot(let index, _, _, _):
            try instant(node, time, "snapshot \(index)")
        case .transfer(let to, let aborted):
            try instant(node, time, aborted ? "transfer to \(to) abandoned" : "transfer to \(to)")
        case .install(let index, _, _):
            try instant(node, time, "install snapshot \(index)")
        case .nemesis(let action, let targets, let detail):
            try emit("{\"ph\":\"i\",\"s\":\"g\",\"pid\":2,\"tid\":0,\"ts\":\(time),\"name\":\(jsonString("\(action.rawValue) \(targets.map(String.init).joined(separator: ","))")),\"args\":{\"detail\":\(jsonString(detail ?? ""))}}")
            if action == .kill { for target in targets { try endRole(target, time) } }
        default:
            break
        }
    }

    public func finish() throws {
        for node in openRole.keys.sorted() { try endRole(node, lastUs) }
        try file.write("\n]}\n")
        try file.close()
    }

    private func nameTrack(_ node: Int) throws {
        guard namedNodes.insert(node).inserted else { return }
        try emit("{\"ph\":\"M\",\"pid\":1,\"tid\":\(node),\"name\":\"thread_name\",\"args\":{\"name\":\"node \(node)\"}}")
        try emit("{\"ph\":\"M\",\"pid\":1,\"tid\":\(node),\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":\(node)}}")
    }

    private func beginRole(_ node: Int, _ time: Int64, _ role: String, _ term: UInt64) throws {
        try nameTrack(node)
        openRole[node] = role
        try emit("{\"ph\":\"B\",\"pid\":1,\"tid\":\(node),\"ts\":\(time),\"cat\":\"role\",\"name\":\"\(role) (term \(term))\"}")
    }

    private func endRole(_ node: Int, _ time: Int64) throws {
        guard openRole.removeValue(forKey: node) != nil else { return }
        try emit("{\"ph\":\"E\",\"pid\":1,\"tid\":\(node),\"ts\":\(time)}")
    }

    private func instant(_ node: Int, _ time: Int64, _ name: String) throws {
        try emit("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":\(node),\"ts\":\(time),\"name\":\(jsonString(name))}")
    }

    private func emit(_ event: String) throws {
        try file.write(separator + event)
        separator = ",\n"
    }
}
