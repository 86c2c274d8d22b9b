import RaftCore

/// One global state of the Raft model, packed into 32-bit words: a flags word, a reference
/// per server to its interned node state, (with crash-restart) a reference per server to its
/// interned durable state, then the network as references to interned items in canonical
/// order. Two states are equal exactly when their words are.
///
/// References are only meaningful to the `RaftModel` that made the state; use
/// `RaftModel.snapshot(of:)` to read one.
public struct ClusterState: Hashable, Sendable {
    /// The packed words (see `StateLayout`).
    let words: [UInt32]
}

/// A reference to an interned network item, carrying the item's sender and receiver in its
/// low byte so that enabled actions are found without looking the item up.
public struct ItemReference: Hashable, Sendable, Comparable {
    /// `index << 8 | from << 4 | to`.
    let raw: UInt32

    /// Most distinct items a model may intern (24 bits of index, the three highest indexes
    /// left out so that no reference equals an `InputCode`: timers and snapshots use index
    /// 0xFFFFFF, membership changes 0xFFFFFE, transfers 0xFFFFFD).
    static let indexLimit: UInt32 = (1 << 24) - 3

    init(raw: UInt32) { self.raw = raw }

    init(index: UInt32, from: NodeID, to: NodeID) {
        precondition(index < Self.indexLimit, "more than \(Self.indexLimit) distinct network items")
        precondition(from >= 0 && from < 16 && to >= 0 && to < 16, "node ids must fit four bits")
        raw = index << 8 | UInt32(from) << 4 | UInt32(to)
    }

    /// The interned item's position in the item table.
    var index: UInt32 { raw >> 8 }
    /// Sending server.
    public var from: NodeID { Int(raw >> 4 & 0xF) }
    /// Receiving server.
    public var to: NodeID { Int(raw & 0xF) }
    /// The (from, to) queue of an ordered network, as one sortable number.
    var channel: UInt32 { raw & 0xFF }

    public static func < (lhs: ItemReference, rhs: ItemReference) -> Bool { lhs.raw < rhs.raw }
}

/// Where things live in `ClusterState.words` for a model with `serverCount` servers.
struct StateLayout: Sendable {
    let serverCount: Int
    /// Whether durable-state references are kept (crash-restart only: a crash-stop server
    /// never reads its disk again, so tracking it would only split equal states).
    let tracksDurableState: Bool

    /// Node reference of a server that is down (crash-restart): its volatile state is gone.
    static let downNode = UInt32.max
    /// First crash bit in the flags word (timer bits come first, two per server).
    static let crashedShift = 16

    var headerCount: Int { 1 + serverCount * (tracksDurableState ? 2 : 1) }
    @inline(__always) func nodeIndex(_ id: NodeID) -> Int { 1 + id }
    @inline(__always) func durableIndex(_ id: NodeID) -> Int { 1 + serverCount + id }

    @inline(__always) static func timerBit(_ id: NodeID, _ kind: TimerKind) -> UInt32 {
        1 << UInt32(2 * id + (kind == .election ? 0 : 1))
    }
    @inline(__always) static func timerBits(_ id: NodeID) -> UInt32 { 3 << UInt32(2 * id) }
    @inline(__always) static func crashedBit(_ id: NodeID) -> UInt32 { 1 << UInt32(crashedShift + id) }

    /// Timer-reset bits of an outcome (bit 0 election, bit 1 heartbeat), moved to server `id`.
    @inline(__always) static func timerBits(_ resets: UInt32, of id: NodeID) -> UInt32 {
        (resets & 3) << UInt32(2 * id)
    }
}

/// One step the Raft model can take.
public enum RaftAction: Hashable, Sendable {
    /// Deliver an item from the network to its receiver.
    case deliver(ItemReference)
    /// Fire a pending timer of a server.
    case timeout(NodeID, TimerKind)
    /// Crash a server (stop it, or take it down until `restart`).
    case crash(NodeID)
    /// Bring a crashed server back from its durable state (crash-restart only).
    case restart(NodeID)
    /// Step a batch of inputs at a server in the runtime's order and crash it part way
    /// (crash-restart only; see `CrashInBatch`).
    case crashInBatch(CrashInBatch)
    /// A server's application hands it a snapshot through its commit index (with
    /// `RaftModelConfiguration.snapshots`).
    case snapshot(NodeID)
    /// An operator asks a leading server to change the configuration (with
    /// `RaftModelConfiguration.membership`).
    case changeMembership(NodeID, MembershipChange)
    /// An operator asks a leading server to hand leadership to another voter (with
    /// `RaftModelConfiguration.transfers`).
    case transferLeadership(NodeID, to: NodeID)
}
