/// Who is in the cluster: the voters, whose majorities elect leaders and commit entries, and
/// the learners, who receive the log but neither vote nor count towards a commit (etcd's
/// learners: a new server catches up as one before it is promoted).
///
/// A node's configuration in force is the latest one in its log, committed or not (Raft
/// thesis §4.1), else its snapshot's, else the one it was created with (its bootstrap). A
/// configuration travels in the log as a protocol entry (request id `0`) whose payload is
/// `encoded`; an empty payload is a leader's no-op.
public struct Configuration: Hashable, Sendable, CustomStringConvertible {
    /// Servers that vote and count towards commitment.
    public var voters: NodeSet
    /// Servers that receive the log and do neither (disjoint from `voters`).
    public var learners: NodeSet

    /// A configuration of `voters` and `learners` (disjoint).
    public init(voters: NodeSet, learners: NodeSet = NodeSet()) {
        precondition(voters.intersection(learners).isEmpty, "servers \(voters.intersection(learners)) are both voters and learners")
        self.voters = voters
        self.learners = learners
    }

    /// A configuration whose voters are `ids`, without learners.
    public init<S: Sequence>(voters ids: S) where S.Element == NodeID {
        self.init(voters: NodeSet(ids))
    }

    /// Nobody: the bootstrap of a server that joins a running cluster and learns who is in
    /// it from the leader's log or snapshot.
    public static let empty = Configuration(voters: NodeSet())

    /// Voters and learners, in increasing order.
    public var members: [NodeID] { Array(voters.union(learners)) }

    /// Whether `id` is a voter or a learner.
    public func contains(_ id: NodeID) -> Bool { voters.contains(id) || learners.contains(id) }

    /// Votes needed to win, and acknowledgements (among voters) needed to commit.
    public var quorum: Int { voters.count / 2 + 1 }

    public var description: String {
        learners.isEmpty ? "voters \(voters)" : "voters \(voters) learners \(learners)"
    }

    // MARK: In the log

    /// First payload byte of a configuration entry, and the encoding's version.
    static let payloadTag: UInt8 = 0x43 // "C"
    static let payloadVersion: UInt8 = 1
    /// Bytes of an encoded configuration: tag, version, voters and learners as
    /// little-endian 64-bit masks.
    public static let encodedBytes = 18

    /// This configuration as the payload of its log entry.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = [Self.payloadTag, Self.payloadVersion]
        bytes.reserveCapacity(Self.encodedBytes)
        for mask in [voters.bits, learners.bits] {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: mask >> UInt64(shift))) }
        }
        return bytes
    }

    /// The configuration `payload` encodes, or `nil` when it is not one (wrong length, tag or
    /// version, or a server both voter and learner).
    public init?(encoded payload: [UInt8]) {
        guard payload.count == Self.encodedBytes, payload[0] == Self.payloadTag, payload[1] == Self.payloadVersion else { return nil }
        func mask(at offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(payload[offset + byte]) << UInt64(byte * 8) }
            return value
        }
        let voters = NodeSet(bits: mask(at: 2)), learners = NodeSet(bits: mask(at: 10))
        guard voters.intersection(learners).isEmpty else { return nil }
        self.init(voters: voters, learners: learners)
    }
}

extension Entry {
    /// A leader's entry changing the configuration to `configuration` (in force on every
    /// node from the moment it is appended there).
    public static func configuration(term: Term, _ configuration: Configuration) -> Entry {
        Entry(term: term, request: 0, payload: configuration.encoded)
    }

    /// The configuration this entry sets, if it is a configuration entry.
    public var configuration: Configuration? {
        guard request == 0, !payload.isEmpty else { return nil }
        return Configuration(encoded: payload)
    }

    /// Whether this is a protocol entry that is neither a no-op nor a configuration (no
    /// correct leader appends one).
    var isMalformedProtocolEntry: Bool { request == 0 && !payload.isEmpty && Configuration(encoded: payload) == nil }
}
