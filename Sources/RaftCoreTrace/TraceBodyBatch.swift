import RaftCore
import RaftTrace

/// The trace lines of one batch of a node's steps, built from RaftCore's trace events as they
/// come (and from the driver's own lines, such as `recv`), in order. What would be one line
/// per log entry becomes one line per batch (docs/TRACE_FORMAT.md, "Entries in runs"):
///
/// - consecutive `delivered` events (each the next index, at one term) become one `deliver`
///   line: the one-entry form for a single entry, a run (`TraceBody.deliverRun`) for more;
/// - `proposed` events are folded into the `append` of the entries they name, as its `reqs`
///   (a leader's proposals are followed by their append in the same step; refusals may sit
///   in between). A proposal whose append does not follow is written as a `propose` line.
///
/// Every other event is one line, as `TraceBody(_:)` maps it. Nothing is dropped or moved
/// past another line but a proposal (folded into its append, after any refusals between).
///
/// ```swift
/// var lines = TraceBodyBatch()
/// for case .trace(let event) in node.step(input) { lines.append(event, term: node.currentTerm) }
/// for (body, term) in lines { try trace.write(body, term: term) }
/// ```
public struct TraceBodyBatch: Sequence {
    /// One line: its body and the node's term after the event.
    public typealias Element = (body: TraceBody, term: Term)

    /// Deliveries of consecutive indexes at one term, not yet a line.
    private struct DeliveryRun {
        var index: Int
        var term: Term
        var entryTerms: [UInt64] = []
        var digests: [UInt64] = []
        var requests: [UInt64] = []

        /// A run starting with `entry` at `index`, with room for `expected` entries.
        init(index: Int, entry: Entry, term: Term, expected: Int) {
            self.index = index
            self.term = term
            let capacity = Swift.min(Swift.max(expected, 1), TraceBodyBatch.reservedEntriesMax)
            entryTerms.reserveCapacity(capacity)
            digests.reserveCapacity(capacity)
            requests.reserveCapacity(capacity)
            add(entry)
        }

        var nextIndex: Int { index + entryTerms.count }

        mutating func add(_ entry: Entry) {
            entryTerms.append(entry.term)
            digests.append(entry.digest)
            requests.append(entry.request)
        }

        var body: TraceBody {
            entryTerms.count == 1
                ? .deliver(index: index, entryTerm: entryTerms[0], digest: digests[0], request: requests[0])
                : .deliverRun(index: index, entryTerms: entryTerms, digests: digests, requests: requests)
        }
    }

    /// Most entries a run reserves room for up front (it grows past it if needed).
    static let reservedEntriesMax = 4_096

    private var lines: [Element] = []
    private var run: DeliveryRun?
    /// Proposals waiting for their append.
    private var proposals: [(request: RequestID, index: Int, term: Term)] = []
    /// The highest commit index the events showed (`committed`, `started`): the end of the
    /// deliveries that follow, so a run reserves its room once.
    private var commitIndexSeen = 0

    /// An empty batch.
    public init() {}

    /// Whether the batch has no line.
    public var isEmpty: Bool { lines.isEmpty && run == nil && proposals.isEmpty }

    /// Adds the line(s) of core event `event`; `term` is the node's current term after it.
    public mutating func append(_ event: TraceEvent, term: Term) {
        switch event {
        case .delivered(let index, let entry):
            if run?.nextIndex == index && run?.term == term {
                run?.add(entry)
                return
            }
            endRun()
            endProposals()
            run = DeliveryRun(index: index, entry: entry, term: term, expected: commitIndexSeen - index + 1)
        case .proposed(let request, let index):
            endRun()
            proposals.append((request, index, term))
        case .appended(let firstIndex, let entries):
            endRun()
            lines.append((.append(index: firstIndex, entryTerms: entries.map(\.term), digests: entries.map(\.digest),
                                  requests: foldProposals(into: firstIndex, entries: entries)), term))
        case .proposalRejected:
            // Refusals come between a leader's proposals and their append: the proposals wait.
            endRun()
            lines.append((TraceBody(event), term))
        default:
            switch event {
            case .committed(let index): commitIndexSeen = Swift.max(commitIndexSeen, index)
            case .started(_, let commitIndex, _): commitIndexSeen = Swift.max(commitIndexSeen, commitIndex)
            default: break
            }
            append((TraceBody(event), term))
        }
    }

    /// Adds `line` as it is (a line of the driver's own, such as `recv` or `send`).
    public mutating func append(_ line: Element) {
        endRun()
        endProposals()
        lines.append(line)
    }

    /// Adds every line of `other` after this batch's.
    public static func += (batch: inout TraceBodyBatch, other: TraceBodyBatch) {
        for line in other { batch.append(line) }
        batch.commitIndexSeen = Swift.max(batch.commitIndexSeen, other.commitIndexSeen)
    }

    /// The `reqs` of an append at `firstIndex`: the waiting proposals it holds (0 for its
    /// entries without one), or `nil` when it holds none. Proposals of other indexes are
    /// written as `propose` lines first.
    private mutating func foldProposals(into firstIndex: Int, entries: [Entry]) -> [UInt64]? {
        guard !proposals.isEmpty else { return nil }
        var requests: [UInt64]?
        for proposal in proposals {
            let offset = proposal.index - firstIndex
            guard offset >= 0 && offset < entries.count else {
                lines.append((.propose(request: proposal.request, index: proposal.index), proposal.term))
                continue
            }
            assert(entries[offset].request == proposal.request, "proposal \(proposal.request) at \(proposal.index) is not the appended entry")
            if requests == nil { requests = Array(repeating: 0, count: entries.count) }
            requests![offset] = proposal.request
        }
        proposals.removeAll(keepingCapacity: true)
        return requests
    }

    private mutating func endRun() {
        guard let run else { return }
        lines.append((run.body, run.term))
        self.run = nil
    }

    /// Writes waiting proposals as `propose` lines (their append did not follow).
    private mutating func endProposals() {
        guard !proposals.isEmpty else { return }
        for proposal in proposals { lines.append((.propose(request: proposal.request, index: proposal.index), proposal.term)) }
        proposals.removeAll(keepingCapacity: true)
    }

    /// The lines in order: those complete, then what still waits (proposals without their
    /// append as `propose` lines, or the open delivery run).
    public func makeIterator() -> Iterator { Iterator(batch: self) }

    /// Walks a batch's lines without copying them.
    public struct Iterator: IteratorProtocol {
        private let batch: TraceBodyBatch
        private var position = 0

        fileprivate init(batch: TraceBodyBatch) { self.batch = batch }

        public mutating func next() -> Element? {
            defer { position += 1 }
            if position < batch.lines.count { return batch.lines[position] }
            let waiting = position - batch.lines.count
            if waiting < batch.proposals.count {
                let proposal = batch.proposals[waiting]
                return (.propose(request: proposal.request, index: proposal.index), proposal.term)
            }
            if waiting == batch.proposals.count, let run = batch.run { return (run.body, run.term) }
            return nil
        }
    }
}
