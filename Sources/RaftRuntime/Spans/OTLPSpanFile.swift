#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

/// A node's live span export: `node-<id>.otlp.jsonl`, one OTLP/JSON `ExportTraceServiceRequest`
/// per line (the format of the OpenTelemetry collector's file exporter, which its
/// `otlpjsonfile` receiver reads), appended as the node runs. Lines are buffered and written
/// on `flush` (the host's flush timer and stop), so a crash loses at most the last interval
/// and never leaves a partial line except at the very end.
final class OTLPSpanFile {
    /// Bytes buffered before a write even between flushes.
    static let bufferBytesMax = 256 * 1024

    let path: String
    private let descriptor: Int32
    private let resourcePrefix: [UInt8]
    private var buffer: [UInt8] = []
    private var ids: SplitMix64

    /// Opens (appending to) `path` for node `node` of cluster `clusterID`, incarnation `incarnation`.
    init(path: String, node: NodeID, clusterID: UInt64, incarnation: Int, seed: UInt64) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OTLPSpanFileError(description: "\(path): cannot open for spans (errno \(errno))") }
        ids = SplitMix64(seed: seed)
        var prefix = #"{"resourceSpans":[{"resource":{"attributes":["#
        prefix += #"{"key":"service.name","value":{"stringValue":"raftlab"}},"#
        prefix += #"{"key":"service.instance.id","value":{"stringValue":"node-\#(node)"}},"#
        prefix += #"{"key":"raftlab.node","value":{"intValue":"\#(node)"}},"#
        prefix += #"{"key":"raftlab.cluster_id","value":{"stringValue":"\#(clusterID)"}},"#
        prefix += #"{"key":"raftlab.incarnation","value":{"intValue":"\#(incarnation)"}}]},"#
        prefix += #""scopeSpans":[{"scope":{"name":"raftlab.node","version":"1"},"spans":["#
        resourcePrefix = Array(prefix.utf8)
    }

    deinit { close(descriptor) }

    /// Adds one line holding `spans` (nothing for none).
    func append(_ spans: [NodeSpan]) {
        guard !spans.isEmpty else { return }
        buffer.append(contentsOf: resourcePrefix)
        for (position, span) in spans.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            encode(span)
        }
        buffer.append(contentsOf: "]}]}]}\n".utf8)
        if buffer.count >= Self.bufferBytesMax { flush() }
    }

    /// Writes what is buffered.
    func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break } // a full disk loses spans, never the node
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func encode(_ span: NodeSpan) {
        var text = #"{"traceId":""# + hex(nonZero()) + hex(ids.next()) + #"","spanId":""# + hex(nonZero())
        text += #"","name":""# + span.name.rawValue + #"","kind":1"#
        text += #","startTimeUnixNano":""# + "\(span.startUs)000" + #"","endTimeUnixNano":""# + "\(span.endUs)000" + #"""#
        text += #","attributes":["#
        for (position, attribute) in span.attributes.enumerated() {
            if position > 0 { text += "," }
            text += #"{"key":""# + attribute.key + #"","value":{"intValue":""# + "\(attribute.value)" + #""}}"#
        }
        if let outcome = span.outcome {
            if !span.attributes.isEmpty { text += "," }
            text += #"{"key":"raft.outcome","value":{"stringValue":""# + outcome + #""}}"#
        }
        text += #"],"status":{"code":"# + (span.succeeded ? "1" : #"2,"message":""# + (span.outcome ?? "failed") + #"""#) + "}}"
        buffer.append(contentsOf: text.utf8)
    }

    private func nonZero() -> UInt64 {
        while true {
            let value = ids.next()
            if value != 0 { return value }
        }
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The span file could not be opened.
struct OTLPSpanFileError: Error, CustomStringConvertible {
    var description: String
}
