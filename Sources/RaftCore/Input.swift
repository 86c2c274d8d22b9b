/// Everything that can happen to a node. Time, randomness and the network arrive here;
/// the core itself never reads a clock or a socket.
public enum Input: Hashable, Sendable {
    /// (Re)start from durable state. The first input of every incarnation; volatile state
    /// (role, leader, votes, follower progress, buffered proposals) starts empty.
    case restart(PersistentState)
    /// The election timer fired: campaign (or, for a leader with check-quorum, check that a
    /// majority was heard from since the last time).
    case electionTimeout
    /// The replication timer fired: a leader sends heartbeats and retries replication.
    case heartbeatTimeout
    /// A message from a peer arrived.
    case receive(Message)
    /// Client proposals submitted at this node, in order.
    case propose([Proposal])
    /// The driver made every change of the earlier `.persist` outputs durable: the durable log
    /// now holds `logLength` entries, the last of term `lastTerm`. A leader counts its own
    /// copy of an entry towards a majority only from here on. A notification that no longer
    /// matches the log (it was truncated since) is ignored.
    case persisted(logLength: Int, lastTerm: Term)
    /// The application's state through `index` (at most the commit index, after its
    /// delivery), as bytes: the node keeps it as its snapshot and drops the log entries it
    /// covers but the last `ProtocolOptions.entriesKeptAfterSnapshot`. One no newer than the
    /// node's snapshot is ignored.
    case snapshot(index: Int, data: [UInt8])
    /// An operator asks this node, if it leads, to hand leadership to `target` (Raft thesis
    /// §3.10, etcd's `MsgTransferLeader`): it stops appending proposals (they wait for the
    /// new leader), brings `target`'s log up to date and tells it to campaign at once
    /// (`TimeoutNow`). The transfer is abandoned when an election timeout passes first.
    /// Ignored by a node that does not lead, or when `target` is not another member.
    case transferLeadership(to: NodeID)
    /// An operator asks this node, if it leads, to change the configuration by one server
    /// (`MembershipChange`). The answer is `Output.membershipChanged` (appended: in force at
    /// once, committed later, like any entry) or `Output.membershipChangeRefused`.
    case changeMembership(MembershipChange)
}
