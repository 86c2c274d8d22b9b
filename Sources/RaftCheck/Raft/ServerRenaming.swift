import RaftCore

/// A permutation of the model's server ids, applied to everything that names a server: node
/// ids, votes, vote sets, per-server progress, message senders and receivers, and the model's
/// client proposals, which carry their server's id (request `i + 1`, payload `"i"`, see
/// `RaftModel.makeInitialState`). Renaming every state of the model by one permutation maps
/// its behaviour onto itself: the core treats server ids, request ids and payloads only
/// through equality and counts, so this is a symmetry of the model (stateright's
/// `symmetry()`; `RaftModelConfiguration.symmetry`).
struct ServerRenaming: Hashable, Sendable {
    /// `map[i]` is the new name of server `i`.
    let map: [NodeID]

    /// The permutation that changes nothing, for `count` servers.
    static func identity(count: Int) -> ServerRenaming { ServerRenaming(map: Array(0..<count)) }

    /// Every permutation of `count` servers, the identity first.
    static func all(count: Int) -> [ServerRenaming] {
        var result: [[NodeID]] = [[]]
        for _ in 0..<count {
            result = result.flatMap { prefix in (0..<count).filter { !prefix.contains($0) }.map { prefix + [$0] } }
        }
        return result.map(ServerRenaming.init(map:))
    }

    var isIdentity: Bool { map.enumerated().allSatisfy { $0.offset == $0.element } }

    @inline(__always)
    func id(_ id: NodeID) -> NodeID { map[id] }

    func optional(_ id: NodeID?) -> NodeID? { id.map { map[$0] } }

    func bits(_ set: NodeSet) -> UInt64 {
        var bits: UInt64 = 0
        for id in set { bits |= 1 << UInt64(map[id]) }
        return bits
    }

    /// A client request id of the model (`server + 1`) renamed; `0` (the protocol's own) stays.
    func request(_ request: RequestID) -> RequestID {
        guard request != 0, !isIdentity else { return request }
        precondition(request <= RequestID(map.count), "request \(request) is not one of the model's client proposals")
        return RequestID(map[Int(request) - 1] + 1)
    }

    /// The payload of request `request` renamed (the model's proposals carry their server's id).
    func payload(_ payload: [UInt8], of request: RequestID) -> [UInt8] {
        guard request != 0, !isIdentity else { return payload }
        precondition(payload == Array(String(request - 1).utf8),
                     "payload of request \(request) is not the model's; symmetry needs the model's own proposals")
        return Array(String(self.request(request) - 1).utf8)
    }
}
