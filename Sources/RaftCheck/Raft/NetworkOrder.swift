/// Keeps a cluster state's network in canonical order, so that equal networks have equal
/// words (and so equal fingerprints).
///
/// - unordered, non-duplicating (a multiset): item references sorted, repeats adjacent;
/// - unordered, duplicating (a set): sorted, no repeats;
/// - ordered: grouped by (from, to) queue in increasing queue order, each queue oldest first.
struct NetworkOrder: Sendable {
    let semantics: RaftModelConfiguration.Network

    /// Puts freshly built network words in canonical order (for an initial state).
    func canonicalize(_ items: [UInt32]) -> [UInt32] {
        switch semantics {
        case .unorderedNonDuplicating:
            return items.sorted()
        case .unorderedDuplicating:
            return Array(Set(items)).sorted()
        case .ordered:
            // Stable: a queue keeps its send order.
            return items.enumerated()
                .sorted { ($0.element & 0xFF, $0.offset) < ($1.element & 0xFF, $1.offset) }
                .map(\.element)
        }
    }

    /// Where `item` sits if it can be delivered now, or nil: anywhere in an unordered
    /// network, only at the head of its queue in an ordered one.
    func deliverablePosition(of item: UInt32, in network: UnsafeBufferPointer<UInt32>) -> Int? {
        switch semantics {
        case .unorderedNonDuplicating, .unorderedDuplicating:
            return network.firstIndex(of: item)
        case .ordered:
            let channel = item & 0xFF
            guard let head = network.firstIndex(where: { $0 & 0xFF == channel }) else { return nil }
            return network[head] == item ? head : nil
        }
    }

    /// Whether the item at `position` is one deliver action of its own (not a repeat of the
    /// one before it, and in an ordered network the head of its queue).
    func startsDeliverable(at position: Int, in network: UnsafeBufferPointer<UInt32>) -> Bool {
        guard position > 0 else { return true }
        switch semantics {
        case .unorderedNonDuplicating, .unorderedDuplicating:
            return network[position] != network[position - 1]
        case .ordered:
            return network[position] & 0xFF != network[position - 1] & 0xFF
        }
    }

    /// Writes `network` without the item at `removed` (if any) and with `sent` added, into
    /// `output` (which has room for `network.count + sent.count` words); returns the count.
    func write(_ network: UnsafeBufferPointer<UInt32>, removing removed: Int?, adding sent: UnsafeBufferPointer<UInt32>,
               into output: UnsafeMutableBufferPointer<UInt32>) -> Int {
        var count = 0
        for position in network.indices where position != removed {
            output[count] = network[position]
            count += 1
        }
        for item in sent {
            count = insert(item, into: output, count: count)
        }
        return count
    }

    /// Inserts one sent item in canonical position; returns the new count.
    private func insert(_ item: UInt32, into output: UnsafeMutableBufferPointer<UInt32>, count: Int) -> Int {
        var position: Int
        switch semantics {
        case .unorderedNonDuplicating:
            position = count
            while position > 0 && output[position - 1] > item { position -= 1 }
        case .unorderedDuplicating:
            position = count
            while position > 0 && output[position - 1] > item { position -= 1 }
            if position > 0 && output[position - 1] == item { return count }
        case .ordered:
            // After the last item of a queue that does not come after this item's queue.
            let channel = item & 0xFF
            position = count
            while position > 0 && output[position - 1] & 0xFF > channel { position -= 1 }
        }
        var index = count
        while index > position {
            output[index] = output[index - 1]
            index -= 1
        }
        output[position] = item
        return count + 1
    }
}
