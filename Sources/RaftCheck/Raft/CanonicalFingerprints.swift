import RaftCore
import Synchronization

/// Fingerprints of the Raft model's states up to what cannot change their future, so that
/// the checker visits one state of each class:
///
/// - **Campaigns.** A candidate only ever tests whether a vote message carries its campaign in
///   progress (`CampaignID`), and a candidate's campaign (ordered by incarnation, term, round)
///   only grows, so a message that is not its campaign's never becomes it. A vote message is
///   hashed with one bit, "its candidate's campaign in progress", instead of the campaign, and
///   nodes and disks without their incarnation and campaign. Two states that differ only in
///   those numbers behave alike.
/// - **Symmetry** (`RaftModelConfiguration.symmetry`): the fingerprint is the smallest over
///   every renaming of the servers (`ServerRenaming`), so states that differ only in the names
///   of the servers are one.
///
/// - **No-ops** (`RaftModelConfiguration.prunesNoOps`): a response whose term is below its
///   receiver's durable term (no later term of the receiver can be lower) is ignored whenever
///   it is delivered, and with re-armed timers a heartbeat timer does nothing on a server that
///   does not lead (becoming leader arms it again). States that differ only in such items and
///   timers reach the same states, give or take those no-op steps, so they are one class.
///
/// Everything per interned value (per node state, disk and item, and per renaming) is
/// computed once and kept in `ReferenceRows`; a state's fingerprint then costs a few table
/// reads per server and item, and no allocation. The network is hashed as a multiset (a sum
/// of item hashes), in an ordered network queue by queue.
final class CanonicalFingerprints: Sendable {
    let renamings: [ServerRenaming]
    /// `renamedIDs[r * serverCount + id]`: server `id`'s name under renaming `r`.
    private let renamedIDs: [Int]
    /// `inverseIDs[r * serverCount + position]`: the server renaming `r` names `position`.
    private let inverseIDs: [Int]
    private let layout: StateLayout
    private let network: RaftModelConfiguration.Network
    private let prunesNoOps: Bool
    private let prunesHeartbeatTimers: Bool
    private let prunesVoteResponses: Bool
    /// Per node: its real-vote key, its pre-vote key, its term, whether it leads, then one
    /// hash per renaming.
    private let nodeRows: ReferenceRows
    /// Per disk: its term, then one hash per renaming.
    private let durableRows: ReferenceRows
    /// Per item: its campaign key with the candidate and kind, its no-op bound with its
    /// receiver, then per renaming the hash as "not the campaign in progress", then as "the
    /// campaign in progress".
    private let itemRows: ReferenceRows
    static let nodeHashes = 4
    static let durableHashes = 1
    static let itemHashes = 2

    /// Key of a node that is down (no message is its campaign in progress).
    static let noKey: UInt64 = 0

    init(serverCount: Int, layout: StateLayout, configuration: RaftModelConfiguration) {
        let symmetry = configuration.symmetry
        let network = configuration.network
        let renamings = symmetry ? ServerRenaming.all(count: serverCount) : [.identity(count: serverCount)]
        self.renamings = renamings
        renamedIDs = renamings.flatMap(\.map)
        inverseIDs = renamings.flatMap { renaming in
            var inverse = [Int](repeating: 0, count: serverCount)
            for id in 0..<serverCount { inverse[renaming.id(id)] = id }
            return inverse
        }
        self.layout = layout
        self.network = network
        prunesNoOps = configuration.prunesNoOps
        prunesHeartbeatTimers = configuration.prunesNoOps && configuration.nodeOptions.rearmTimers
        // Under count-stale-votes a candidate counts grants of any term: none is a no-op.
        prunesVoteResponses = configuration.mutant != .countStaleVotes
        nodeRows = ReferenceRows(payloadWords: Self.nodeHashes + renamings.count)
        durableRows = ReferenceRows(payloadWords: Self.durableHashes + renamings.count)
        itemRows = ReferenceRows(payloadWords: Self.itemHashes + 2 * renamings.count)
    }

    /// The fingerprint of `state` (words as `ClusterState` lays them out).
    func fingerprint(_ words: UnsafeBufferPointer<UInt32>, model: RaftModel) -> UInt64 {
        let serverCount = layout.serverCount
        let renamingCount = renamings.count
        let network = UnsafeBufferPointer(rebasing: words[layout.headerCount...])
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * serverCount) { keys in
        withUnsafeTemporaryAllocation(of: UnsafePointer<Atomic<UInt64>>?.self, capacity: 2 * serverCount) { serverRows in
        withUnsafeTemporaryAllocation(of: UnsafePointer<Atomic<UInt64>>.self, capacity: max(1, network.count)) { itemRowsRead in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, network.count)) { itemsKept in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: renamingCount) { networkHashes in
        renamedIDs.withUnsafeBufferPointer { renamedIDs in
        inverseIDs.withUnsafeBufferPointer { inverseIDs in
            // Each server's rows, campaign keys and the lowest term it can ever have again (its
            // disk's with crash-restart; a stopped server takes nothing any more).
            var flags = words[0]
            for id in 0..<serverCount {
                let word = words[layout.nodeIndex(id)]
                let disk = layout.tracksDurableState ? durableRow(words[layout.durableIndex(id)], model: model) : nil
                serverRows[serverCount + id] = disk.map { $0 + Self.durableHashes }
                if word == StateLayout.downNode || (!layout.tracksDurableState && flags & StateLayout.crashedBit(id) != 0) {
                    serverRows[id] = word == StateLayout.downNode ? nil : nodeRow(word, model: model) + Self.nodeHashes
                    keys[id] = Self.noKey
                    keys[serverCount + id] = Self.noKey
                    keys[2 * serverCount + id] = disk?[0].load(ordering: .relaxed) ?? UInt64.max
                } else {
                    let row = nodeRow(word, model: model)
                    serverRows[id] = row + Self.nodeHashes
                    keys[id] = row[0].load(ordering: .relaxed)
                    keys[serverCount + id] = row[1].load(ordering: .relaxed)
                    keys[2 * serverCount + id] = disk?[0].load(ordering: .relaxed) ?? row[2].load(ordering: .relaxed)
                    if prunesHeartbeatTimers && row[3].load(ordering: .relaxed) == 0 {
                        flags &= ~StateLayout.timerBit(id, .heartbeat)
                    }
                }
            }
            // Each item's hashes, read once: the stale or the current half of its row; no-ops
            // left out.
            var itemCount = 0
            for word in network {
                let row = itemRow(word, model: model)
                if prunesNoOps {
                    let bound = row[1].load(ordering: .relaxed)
                    if bound != 0 && keys[2 * serverCount + Int(bound & 0xFF)] >= bound >> 8 { continue }
                }
                var isCurrent = false
                if let (candidate, isPreVote, key) = Self.unpackMeta(row[0].load(ordering: .relaxed)) {
                    isCurrent = keys[(isPreVote ? serverCount : 0) + candidate] == key
                }
                itemRowsRead[itemCount] = row + Self.itemHashes + (isCurrent ? renamingCount : 0)
                itemsKept[itemCount] = word
                itemCount += 1
            }
            hashNetwork(UnsafeBufferPointer(rebasing: itemsKept[..<itemCount]),
                        rows: UnsafeBufferPointer(rebasing: itemRowsRead[..<itemCount]),
                        renamedIDs: renamedIDs, into: networkHashes)
            var best = UInt64.max
            for renaming in 0..<renamingCount {
                let inverse = UnsafeBufferPointer(rebasing: inverseIDs[(renaming * serverCount)..<((renaming + 1) * serverCount)])
                let renamed = UnsafeBufferPointer(rebasing: renamedIDs[(renaming * serverCount)..<((renaming + 1) * serverCount)])
                // Header: flags, then the servers in their new order.
                var hash = WordHash.combine(WordHash.seed, UInt64(renamedFlags(flags, renamed)))
                for position in 0..<serverCount {
                    let id = inverse[position]
                    hash = WordHash.combine(hash, serverRows[id].map { $0[renaming].load(ordering: .relaxed) }
                                            ?? UInt64(StateLayout.downNode))
                    if let disk = serverRows[serverCount + id] {
                        hash = WordHash.combine(hash, disk[renaming].load(ordering: .relaxed))
                    }
                }
                hash = WordHash.finish(WordHash.combine(hash, networkHashes[renaming]), count: layout.headerCount + itemCount)
                if hash < best { best = hash }
            }
            return best
        }
        }
        }
        }
        }
        }
        }
    }

    // MARK: The network

    /// The network's hash under every renaming, from each item's row (`rows[i]` points at its
    /// hashes, one per renaming): a sum of item hashes, in an ordered network a sum over
    /// queues of each queue's sequence hash mixed with its renamed (from, to).
    private func hashNetwork(_ network: UnsafeBufferPointer<UInt32>, rows: UnsafeBufferPointer<UnsafePointer<Atomic<UInt64>>>,
                             renamedIDs: UnsafeBufferPointer<Int>, into hashes: UnsafeMutableBufferPointer<UInt64>) {
        let renamingCount = renamings.count
        let serverCount = layout.serverCount
        for renaming in 0..<renamingCount { hashes[renaming] = 0 }
        switch self.network {
        case .unorderedNonDuplicating, .unorderedDuplicating:
            for row in rows {
                for renaming in 0..<renamingCount {
                    hashes[renaming] &+= WordHash.fold(row[renaming].load(ordering: .relaxed) ^ WordHash.secret1, WordHash.secret2)
                }
            }
        case .ordered:
            var start = 0
            while start < network.count {
                let channel = network[start] & 0xFF
                var end = start
                while end < network.count && network[end] & 0xFF == channel { end += 1 }
                let item = ItemReference(raw: network[start])
                for renaming in 0..<renamingCount {
                    var sequence = WordHash.seed
                    for position in start..<end {
                        sequence = WordHash.combine(sequence, rows[position][renaming].load(ordering: .relaxed))
                    }
                    let from = renamedIDs[renaming * serverCount + item.from]
                    let to = renamedIDs[renaming * serverCount + item.to]
                    hashes[renaming] &+= WordHash.fold(WordHash.finish(sequence, count: end - start) ^ UInt64(from << 8 | to),
                                                       WordHash.secret2)
                }
                start = end
            }
        }
    }

    @inline(__always)
    private func renamedFlags(_ flags: UInt32, _ renamed: UnsafeBufferPointer<Int>) -> UInt32 {
        var result: UInt32 = 0
        for id in 0..<layout.serverCount {
            let target = renamed[id]
            result |= StateLayout.timerBits(flags >> UInt32(2 * id), of: target)
            if flags & StateLayout.crashedBit(id) != 0 { result |= StateLayout.crashedBit(target) }
        }
        return result
    }

    // MARK: Rows

    @inline(__always)
    private func nodeRow(_ reference: UInt32, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        nodeRows.filledRow(reference) ?? fillNodeRow(reference, model: model)
    }

    @inline(__always)
    private func durableRow(_ reference: UInt32, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        durableRows.filledRow(reference) ?? fillDurableRow(reference, model: model)
    }

    @inline(__always)
    private func itemRow(_ raw: UInt32, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        itemRows.filledRow(ItemReference(raw: raw).index) ?? fillItemRow(ItemReference(raw: raw), model: model)
    }

    @inline(never)
    private func fillNodeRow(_ reference: UInt32, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        let node = model.nodes.payload(reference)
        var row = [Self.key(node.campaign, termKey: node.currentTerm), Self.key(node.campaign, termKey: node.currentTerm + 1),
                   node.currentTerm, node.role == .leader ? 1 : 0]
        for renaming in renamings {
            let encoding = StateEncoding.node(node, renamedBy: renaming, abstractingCampaigns: true)
            row.append(encoding.withUnsafeBufferPointer { WordHash.hash($0) })
        }
        return nodeRows.fill(reference, with: row)
    }

    @inline(never)
    private func fillDurableRow(_ reference: UInt32, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        let disk = model.durables.payload(reference)
        let hashes = renamings.map { renaming in
            StateEncoding.persistentState(disk, renamedBy: renaming, abstractingCampaigns: true)
                .withUnsafeBufferPointer { WordHash.hash($0) }
        }
        return durableRows.fill(reference, with: [disk.currentTerm] + hashes)
    }

    @inline(never)
    private func fillItemRow(_ reference: ItemReference, model: RaftModel) -> UnsafePointer<Atomic<UInt64>> {
        let item = model.item(reference)
        func hashes(current: Bool) -> [UInt64] {
            renamings.map { renaming in
                StateEncoding.item(item, renamedBy: renaming, campaignIsCurrent: current).withUnsafeBufferPointer { WordHash.hash($0) }
            }
        }
        return itemRows.fill(reference.index, with: [Self.meta(of: item), noOpBound(of: item)]
                             + hashes(current: false) + hashes(current: true))
    }

    /// For a response that is a no-op once its receiver's term passes it: `(term + 1) << 8 |
    /// receiver` (a no-op when the receiver's lowest possible term reaches `term + 1`); `0`
    /// for every other item.
    private func noOpBound(of item: NetworkItem) -> UInt64 {
        guard case .message(let message) = item else { return 0 }
        switch message.body {
        case .logResponse: break
        case .voteResponse where prunesVoteResponses: break
        default: return 0
        }
        precondition(message.term < 1 << 48, "term \(message.term) too large for a no-op bound")
        return (message.term + 1) << 8 | UInt64(message.to)
    }

    // MARK: Campaign keys

    /// A campaign with the term it is for, packed exactly (incarnation, term, round, ordered as
    /// a candidate's campaigns grow) below bit 59, with bit 47 set so no key is `noKey`.
    static func key(_ campaign: CampaignID, termKey: Term) -> UInt64 {
        precondition(campaign.incarnation < 1 << 11 && termKey < 1 << 31 && campaign.round < 1 << 16,
                     "campaign \(campaign) of term \(termKey) does not fit a model key")
        return campaign.incarnation << 48 | 1 << 47 | termKey << 16 | campaign.round
    }

    /// What decides whether `item` is its candidate's campaign in progress: the candidate, the
    /// kind of vote and the key (`0`: the item carries no campaign that is ever compared).
    static func meta(of item: NetworkItem) -> UInt64 {
        guard case .message(let message) = item else { return 0 }
        switch message.body {
        case .voteRequest(let request):
            return packMeta(candidate: message.from, isPreVote: request.preVote,
                            key: key(request.campaign, termKey: message.term))
        case .voteResponse(let response) where response.granted:
            return packMeta(candidate: message.to, isPreVote: response.preVote,
                            key: key(response.campaign, termKey: message.term))
        default:
            return 0
        }
    }

    /// The key shifted up by 5 bits, above the candidate (4 bits) and the kind (1 bit).
    private static func packMeta(candidate: NodeID, isPreVote: Bool, key: UInt64) -> UInt64 {
        precondition(key >> 59 == 0, "campaign key too large for the meta word")
        return key << 5 | UInt64(candidate) << 1 | (isPreVote ? 1 : 0)
    }

    private static func unpackMeta(_ meta: UInt64) -> (candidate: Int, isPreVote: Bool, key: UInt64)? {
        guard meta != 0 else { return nil }
        return (Int(meta >> 1 & 0xF), meta & 1 != 0, meta >> 5)
    }
}
