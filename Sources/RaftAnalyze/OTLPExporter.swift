import RaftTrace

/// `--export otlp FILE`: OTLP/JSON (`resourceSpans` → `scopeSpans` → `spans`), one span per
/// client request from `invoke` to `ok` / `fail` / `timeout`, with span events for the
/// leader's `propose` and `commit` and the first `deliver`. Any OTLP/JSON consumer (an
/// OpenTelemetry collector's file receiver, Jaeger's importer) can load it.
public final class OTLPExporter: TraceObserver {
    private struct Pending {
        var startUs: Int64
        var client: Int
        var node: Int
        var events: [String] = []
        var delivered = false
    }

    /// Requests followed at once (bounds memory when proposals never see an outcome).
    static let spansOpenMax = 1 << 20

    /// Events kept per request (a request proposed again and again stops growing here).
    static let eventsPerSpanMax = 16

    private let file: OutputFile
    private let traceIDPrefix: String
    private var pending: [UInt64: Pending] = [:]
    private var proposals: [Int: [(index: Int, request: UInt64)]] = [:]
    private var separator = ""
    private var lastUs: Int64 = 0

    /// Writes to `path` (replaced); `runID` names the resource and seeds the trace ids.
    public init(path: String, runID: String) throws {
        file = try OutputFile(path: path)
        traceIDPrefix = TraceDigest.hex(TraceDigest.fnv1a(runID.utf8))
        try file.write("{\"resourceSpans\":[{\"resource\":{\"attributes\":[")
        try file.write("{\"key\":\"service.name\",\"value\":{\"stringValue\":\"raftlab\"}},")
        try file.write("{\"key\":\"raftlab.run_id\",\"value\":{\"stringValue\":\(jsonString(runID))}}]},")
        try file.write("\"scopeSpans\":[{\"scope\":{\"name\":\"raftlab.analyze\",\"version\":\"1\"},\"spans\":[\n")
    }

    public func consume(_ record: TraceRecord, at location: EventLocation) throws {
        lastUs = max(lastUs, record.timestampUs)
        switch record.body {
        case .invoke(let client, let request):
            // A propose stamped in the same microsecond may have been merged first.
            var span = pending[request] ?? Pending(startUs: record.timestampUs, client: client, node: record.node)
            span.startUs = min(span.startUs, record.timestampUs)
            span.client = client
            span.node = record.node
            pending[request] = span
        case .propose, .append(_, _, _, _?):
            // A leader's proposals: `propose` lines, or the `reqs` of its `append`.
            record.body.forEachProposal { request, index in
                if pending[request] == nil {
                    pending[request] = Pending(startUs: record.timestampUs, client: -1, node: record.node)
                    guard pending.count <= Self.spansOpenMax else { pending[request] = nil; return }
                }
                addEvent(request, record.timestampUs, "propose", node: record.node, index: index, term: record.term)
                proposals[record.node, default: []].append((index, request))
            }
        case .commit(let index):
            guard let queue = proposals[record.node], !queue.isEmpty else { return }
            for proposal in queue where proposal.index <= index {
                addEvent(proposal.request, record.timestampUs, "commit", node: record.node, index: proposal.index, term: record.term)
            }
            proposals[record.node]?.removeAll { $0.index <= index }
        case .deliver, .deliverRun:
            record.body.forEachDelivery { index, _, _, request in
                guard let span = pending[request], !span.delivered else { return }
                addEvent(request, record.timestampUs, "deliver", node: record.node, index: index, term: record.term)
                pending[request]?.delivered = true
            }
        case .role(let role, _) where role != .leader:
            proposals[record.node] = nil
        case .start:
            proposals[record.node] = nil
        case .ok(_, let request, let index):
            try end(request, record.timestampUs, outcome: "ok", index: index)
        case .fail(_, let request, let reason):
            try end(request, record.timestampUs, outcome: "fail", message: reason ?? "failed")
        case .timeout(_, let request):
            try end(request, record.timestampUs, outcome: "timeout", message: "client timed out")
        default:
            break
        }
    }

    public func finish() throws {
        for request in pending.keys.sorted() { try end(request, lastUs, outcome: "unfinished", message: "trace ended first") }
        try file.write("\n]}]}]}\n")
        try file.close()
    }

    private func addEvent(_ request: UInt64, _ timestampUs: Int64, _ name: String, node: Int, index: Int, term: UInt64) {
        guard let count = pending[request]?.events.count, count < Self.eventsPerSpanMax else { return }
        // Appended in place: copying the span out and back would copy its events each time.
        pending[request]?.events.append("{\"timeUnixNano\":\"\(timestampUs * 1_000)\",\"name\":\"\(name)\",\"attributes\":["
                                        + "\(Self.intAttribute("raft.node", node)),\(Self.intAttribute("raft.index", index)),\(Self.intAttribute("raft.term", Int(clamping: term)))]}")
    }

    private func end(_ request: UInt64, _ timestampUs: Int64, outcome: String, index: Int? = nil, message: String? = nil) throws {
        guard let span = pending.removeValue(forKey: request) else { return }
        let name = TraceRequestID.name(of: request) ?? String(request)
        var attributes = [Self.intAttribute("raft.client", span.client), Self.intAttribute("raft.node", span.node),
                          "{\"key\":\"raft.request\",\"value\":{\"stringValue\":\"\(name)\"}}",
                          "{\"key\":\"raft.outcome\",\"value\":{\"stringValue\":\"\(outcome)\"}}"]
        if let index { attributes.append(Self.intAttribute("raft.index", index)) }
        let status = outcome == "ok" ? "{\"code\":1}" : "{\"code\":2,\"message\":\(jsonString(message ?? outcome))}"
        let line = "{\"traceId\":\"\(traceIDPrefix)\(TraceDigest.hex(request))\",\"spanId\":\"\(TraceDigest.hex(request ^ 0x5bd1_e995_5bd1_e995))\","
            + "\"name\":\"request \(name)\",\"kind\":3,\"startTimeUnixNano\":\"\(span.startUs * 1_000)\",\"endTimeUnixNano\":\"\(max(span.startUs, timestampUs) * 1_000)\","
            + "\"attributes\":[\(attributes.joined(separator: ","))],\"events\":[\(span.events.joined(separator: ","))],\"status\":\(status)}"
        try file.write(separator + line)
        separator = ",\n"
    }

    private static func intAttribute(_ key: String, _ value: Int) -> String {
        "{\"key\":\"\(key)\",\"value\":{\"intValue\":\"\(value)\"}}"
    }
}
