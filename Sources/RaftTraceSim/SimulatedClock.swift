import RaftCore

/// A time-ordered queue of simulated happenings (a binary heap; ties in insertion order,
/// so a seed replays exactly).
struct SimulatedAgenda<Item> {
    private var heap: [(timeUs: Int64, order: UInt64, item: Item)] = []
    private var inserted: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func schedule(_ item: Item, atUs timeUs: Int64) {
        heap.append((timeUs, inserted, item))
        inserted += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func next() -> (timeUs: Int64, item: Item)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && precedes(left, smallest) { smallest = left }
            if right < heap.count && precedes(right, smallest) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (first.timeUs, first.item)
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        (heap[a].timeUs, heap[a].order) < (heap[b].timeUs, heap[b].order)
    }
}

/// The simulator's draws from RaftCore's seeded generator, so a seed reproduces a whole run.
extension SplitMix64 {
    /// A uniform draw from `range`.
    mutating func uniform(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }

    /// `true` with probability `probability`, drawn through `Double.random` as the simulator
    /// always has (`chance` takes other bits: seeds keep their runs this way).
    mutating func happens(withProbability probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }
}
