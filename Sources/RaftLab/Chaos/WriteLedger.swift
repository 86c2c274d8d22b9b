import RaftTrace

/// Acknowledged writes against what the cluster delivered: how many `ok`s were lost, how
/// many requests were delivered at more than one index. A second opinion next to the
/// analyzer's Durability check, counted the way the chaos verdict prints it.
///
/// Meant for converged runs: after the final heal every node catches up and stops cleanly,
/// so every committed entry is delivered (and traced) by some node. Memory: one request id
/// per delivered index and one entry per acknowledged request.
public struct WriteLedger {
    /// The counts.
    public struct Counts: Codable, Hashable, Sendable {
        /// Requests acknowledged `ok`.
        public var acknowledged = 0
        /// Acknowledged requests missing from the delivered sequence, or delivered at another
        /// index than their acknowledgement named.
        public var lost = 0
        /// Acknowledged requests whose index no node delivered (the trace ends first).
        public var unconfirmed = 0
        /// Requests delivered at two or more indexes.
        public var duplicates = 0
        /// Indexes delivered with two different requests (a State Machine Safety break).
        public var conflictingIndexes = 0
        /// The first lost requests, as `req@index`.
        public var lostExamples: [String] = []
    }

    /// Lost requests named in `Counts.lostExamples`.
    static let examplesMax = 5

    /// Request at each delivered index (0: a no-op or not delivered yet), from index 1.
    private var requestAt: [UInt64] = []
    private var delivered: [Bool] = []
    /// Index each request was first delivered at.
    private var indexOf: [UInt64: Int] = [:]
    private var duplicated: Set<UInt64> = []
    private var conflicts: Set<Int> = []
    private var acknowledgements: [(request: UInt64, index: Int?)] = []

    /// Largest index accepted (a bound on memory against a corrupt trace).
    static let indexMax = 100_000_000

    mutating func consume(_ record: TraceRecord) {
        switch record.body {
        case .deliver, .deliverRun:
            record.body.forEachDelivery { index, _, _, request in noteDelivery(of: request, at: index) }
        case .ok(_, let request, let index):
            acknowledgements.append((request, index))
        default:
            break
        }
    }

    /// One delivered entry (a `deliver` run counts entry by entry).
    private mutating func noteDelivery(of request: UInt64, at index: Int) {
        guard index >= 1 && index <= Self.indexMax else { return }
        while requestAt.count < index {
            requestAt.append(0)
            delivered.append(false)
        }
        let slot = index - 1
        if delivered[slot] {
            if requestAt[slot] != request { conflicts.insert(index) }
            return
        }
        delivered[slot] = true
        requestAt[slot] = request
        guard request != 0 else { return }
        if let first = indexOf[request] {
            if first != index { duplicated.insert(request) }
        } else {
            indexOf[request] = index
        }
    }

    /// The counts after the last event.
    func counts() -> Counts {
        var counts = Counts(acknowledged: acknowledgements.count, duplicates: duplicated.count, conflictingIndexes: conflicts.count)
        let deliveredPrefix = delivered.firstIndex(of: false) ?? delivered.count
        for (request, claimed) in acknowledgements {
            if let index = indexOf[request] {
                if let claimed, claimed != index { counts.noteLost(request, at: claimed) }
                continue
            }
            if let claimed, claimed >= 1 {
                if claimed <= delivered.count && delivered[claimed - 1] { counts.noteLost(request, at: claimed) } else { counts.unconfirmed += 1 }
            } else if deliveredPrefix == delivered.count && !delivered.isEmpty {
                counts.noteLost(request, at: nil)
            } else {
                counts.unconfirmed += 1
            }
        }
        return counts
    }
}

extension WriteLedger.Counts {
    mutating func noteLost(_ request: UInt64, at index: Int?) {
        lost += 1
        if lostExamples.count < WriteLedger.examplesMax { lostExamples.append("\(request)@\(index.map(String.init) ?? "?")") }
    }
}
