import RaftCore

/// What a node reports about itself.
public struct NodeStatus: Sendable, Hashable, CustomStringConvertible {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID?
    public var commitIndex: Int
    public var lastIndex: Int

    public init(id: NodeID, role: Role, term: Term, leader: NodeID?, commitIndex: Int, lastIndex: Int) {
        self.id = id
        self.role = role
        self.term = term
        self.leader = leader
        self.commitIndex = commitIndex
        self.lastIndex = lastIndex
    }

    init(_ node: RaftNode) {
        self.init(id: node.id, role: node.role, term: node.currentTerm, leader: node.leaderID,
                  commitIndex: node.commitIndex, lastIndex: node.log.lastIndex)
    }

    public var description: String {
        "node \(id) \(role.rawValue) term \(term) leader \(leader.map(String.init) ?? "-") commit \(commitIndex) log \(lastIndex)"
    }
}
