/// The cluster's committed sequence as the trace reveals it: for each index the entry's term
/// and digest, the request id once a delivery shows it, and where it was first seen.
/// Compact columns (about 40 bytes per committed entry): the memory Durability needs anyway.
struct CommittedLog {
    /// An unknown term: a slot known to exist but not yet seen (its events were lost).
    static let unknownTerm = UInt64.max
    /// An unknown request id.
    static let unknownRequest = UInt64.max
    /// Largest jump past the end a single event may cause (bigger ones are nonsense input).
    static let gapMax = 1 << 20

    private(set) var terms: [UInt64] = []
    private(set) var digests: [UInt64] = []
    private(set) var requests: [UInt64] = []
    private(set) var locations: [UInt64] = []
    private(set) var nodes: [Int32] = []

    var count: Int { terms.count }

    func isKnown(_ index: Int) -> Bool { index >= 1 && index <= count && terms[index - 1] != Self.unknownTerm }
    func term(_ index: Int) -> UInt64 { terms[index - 1] }
    func digest(_ index: Int) -> UInt64 { digests[index - 1] }
    func request(_ index: Int) -> UInt64 { requests[index - 1] }
    func location(_ index: Int) -> EventLocation { EventLocation(packed: locations[index - 1]) }
    func node(_ index: Int) -> Int { Int(nodes[index - 1]) }

    /// Makes room up to `index` with unknown slots; `false` when the jump is absurd.
    mutating func extend(to index: Int) -> Bool {
        guard index > count else { return true }
        guard index - count <= Self.gapMax else { return false }
        let added = index - count
        terms.append(contentsOf: repeatElement(Self.unknownTerm, count: added))
        digests.append(contentsOf: repeatElement(0, count: added))
        requests.append(contentsOf: repeatElement(Self.unknownRequest, count: added))
        locations.append(contentsOf: repeatElement(0, count: added))
        nodes.append(contentsOf: repeatElement(-1, count: added))
        return true
    }

    mutating func set(_ index: Int, term: UInt64, digest: UInt64, node: Int, location: EventLocation) {
        terms[index - 1] = term
        digests[index - 1] = digest
        nodes[index - 1] = Int32(truncatingIfNeeded: node)
        locations[index - 1] = location.packed
    }

    mutating func setRequest(_ index: Int, _ request: UInt64) { requests[index - 1] = request }
}
