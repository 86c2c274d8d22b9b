import RaftCore

/// What a node reports about itself.
public struct NodeStatus: Sendable, Hashable, CustomStringConvertible {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID?
    public var commitIndex: Int
    public var lastIndex: Int
    /// The configuration in force at this node, and the log index of the entry that set it
    /// (`0`: its snapshot or its bootstrap did); committed when `configurationIndex <= commitIndex`.
    public var configuration: Configuration
    public var configurationIndex: Int

    public init(id: NodeID, role: Role, term: Term, leader: NodeID?, commitIndex: Int, lastIndex: Int,
                configuration: Configuration = .empty, configurationIndex: Int = 0) {
        self.id = id
        self.role = role
        self.term = term
        self.leader = leader
        self.commitIndex = commitIndex
        self.lastIndex = lastIndex
        self.configuration = configuration
        self.configurationIndex = configurationIndex
    }

    init(_ node: RaftNode) {
        self.init(id: node.id, role: node.role, term: node.currentTerm, leader: node.leaderID,
                  commitIndex: node.commitIndex, lastIndex: node.log.lastIndex,
                  configuration: node.configuration, configurationIndex: node.configurationIndex)
    }

    /// Whether the configuration this node reports is committed (as far as it knows).
    public var configurationIsCommitted: Bool { configurationIndex <= commitIndex }

    public var description: String {
        "node \(id) \(role.rawValue) term \(term) leader \(leader.map(String.init) ?? "-") commit \(commitIndex) log \(lastIndex)"
    }
}
