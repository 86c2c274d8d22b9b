import RaftCore

/// What the launcher tells a node about its network during a chaos experiment.
public enum ControlCommand: Hashable, Sendable {
    /// Drop traffic exchanged with `peers` in `direction` (added to earlier drops).
    case dropPeers(peers: NodeSet, direction: TrafficDirection)
    /// Stop dropping anything.
    case heal
}

/// Which way dropped traffic flows, seen from the node that drops it.
public enum TrafficDirection: UInt8, Hashable, Sendable, CaseIterable {
    /// Messages arriving from the peers.
    case inbound = 1
    /// Messages sent to the peers.
    case outbound = 2
    /// Both.
    case both = 3
}
