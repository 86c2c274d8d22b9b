import RaftCore
import SerialAccess

/// A node's live OTLP span export (`RaftConfig.spanDirectory`): `NodeHost` feeds it the
/// core's events and group commits on its loop; the spans finished since the last flush (the
/// trace's, every 50 ms) become one line of `node-<id>.otlp.jsonl`, so the resource header
/// is written once per flush, not once per batch. One caller at a time (the node's loop),
/// checked in debug builds (`SerialAccess`).
public final class NodeSpanExport: NodeObserver, @unchecked Sendable {
    /// The file spans go to.
    public var path: String { file.path }

    /// Spans held before a line is written even between flushes.
    static let spansPerLineMax = 2048

    private var recorder = NodeSpanRecorder()
    private var pending: [NodeSpan] = []
    private let file: OTLPSpanFile
    private let access = SerialAccess("NodeSpanExport")

    /// Appends to `directory/node-<id>.otlp.jsonl`.
    public init(directory: String, node: NodeID, clusterID: UInt64, incarnation: Int) throws {
        file = try OTLPSpanFile(path: Self.path(directory: directory, node: node), node: node, clusterID: clusterID,
                                incarnation: incarnation, seed: UInt64.random(in: .min ... .max))
    }

    /// Where node `node`'s spans go in `directory`.
    public static func path(directory: String, node: NodeID) -> String { directory + "/node-\(node).otlp.jsonl" }

    public var readsWallClock: Bool { true }

    public func observe(_ event: TraceEvent, term: Term, at clock: BatchClock) {
        access.enter(); defer { access.leave() }
        recorder.observe(event, term: term, nowUs: clock.wallUs)
    }

    /// The group commit's span ends when its fsync does.
    public func persisted(appendedEntries entries: Int, fsyncUs: UInt64, term: Term, at clock: BatchClock) {
        access.enter(); defer { access.leave() }
        recorder.groupCommitted(entries: entries, fsyncUs: fsyncUs, term: term, nowUs: clock.wallUs + Int64(fsyncUs))
    }

    /// The batch ended: its spans join the next line.
    public func batchEnded(_ node: RaftNode, deliveries: [(index: Int, entry: Entry)]) {
        access.enter(); defer { access.leave() }
        pending.append(contentsOf: recorder.drain())
        if pending.count >= Self.spansPerLineMax { writeLine() }
    }

    /// Writes the pending spans as one line, and the line out.
    public func flush() {
        access.enter(); defer { access.leave() }
        writeLine()
        file.flush()
    }

    private func writeLine() {
        file.append(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
