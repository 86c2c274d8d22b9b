import RaftCore

/// Keeps a misbehaving peer (or client) from flooding the node's log: at most one line per
/// sender per `intervalNs`; the line after a quiet spell says how many were held back.
struct PeerLogLimiter {
    /// One line per sender per second at most.
    static let intervalNs: UInt64 = 1_000_000_000

    private struct SenderState {
        var lastLoggedNs: UInt64?
        var heldBack = 0
    }

    /// Slot per peer id (`RaftLimits.clusterSizeMax`), plus one shared by clients and ids
    /// outside the range.
    private var senders = [SenderState](repeating: SenderState(), count: RaftLimits.clusterSizeMax + 1)

    /// Whether a line about `peer` (`nil`: a client) may go out at `nowNs` (monotonic), and
    /// if so how many lines were held back since the last one.
    mutating func admit(_ peer: NodeID?, nowNs: UInt64) -> (admitted: Bool, heldBack: Int) {
        let slot = peer.flatMap { $0 >= 0 && $0 < RaftLimits.clusterSizeMax ? $0 : nil } ?? RaftLimits.clusterSizeMax
        if let last = senders[slot].lastLoggedNs, nowNs &- last < Self.intervalNs {
            senders[slot].heldBack += 1
            return (false, 0)
        }
        let heldBack = senders[slot].heldBack
        senders[slot] = SenderState(lastLoggedNs: nowNs, heldBack: 0)
        return (true, heldBack)
    }

    /// " (and N more since the last line)" when `heldBack` is not zero.
    static func suffix(_ heldBack: Int) -> String {
        heldBack > 0 ? " (and \(heldBack) more like it since the last line)" : ""
    }
}
