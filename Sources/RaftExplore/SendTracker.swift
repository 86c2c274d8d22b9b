import RaftCheck

/// Follows a path's network to tell, for each delivery, after which step the delivered item
/// was sent, so a sequence diagram draws the arrow from the sending row.
///
/// Copies of one item are told apart only by when they were sent: a delivery takes the oldest
/// copy still in flight (in a duplicating network the item stays, so the oldest send stays).
struct SendTracker {
    /// Whether delivering removes the item (every network but the duplicating one).
    let consumesDeliveries: Bool
    /// Per item label, the steps after which its copies in flight were sent, oldest first.
    private var sendSteps: [String: [Int]] = [:]

    /// A tracker for a path starting in the state `initial` shows (its items count as sent at step 0).
    init(consumesDeliveries: Bool, initial: ClusterSnapshot) {
        self.consumesDeliveries = consumesDeliveries
        for envelope in initial.network {
            sendSteps[envelope.label] = Array(repeating: 0, count: envelope.count)
        }
    }

    /// Records step number `step` (from `before` to `after`), which delivered the item labelled
    /// `delivered` if any, and returns when that item was sent.
    mutating func advance(delivering delivered: String?, before: ClusterSnapshot, after: ClusterSnapshot,
                          step: Int) -> Int? {
        var sentAt: Int?
        if let delivered {
            sentAt = sendSteps[delivered]?.first
            if consumesDeliveries, sentAt != nil { sendSteps[delivered]?.removeFirst() }
        }
        let countsBefore = Self.counts(before)
        for envelope in after.network {
            var added = envelope.count - (countsBefore[envelope.label] ?? 0)
            if consumesDeliveries && envelope.label == delivered { added += 1 }
            if added > 0 { sendSteps[envelope.label, default: []] += Array(repeating: step, count: added) }
        }
        return sentAt
    }

    private static func counts(_ snapshot: ClusterSnapshot) -> [String: Int] {
        Dictionary(snapshot.network.map { ($0.label, $0.count) }, uniquingKeysWith: +)
    }
}
