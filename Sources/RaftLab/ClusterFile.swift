import Foundation
import RaftCore
import RaftRuntime

/// The cluster description `raftlab up` writes and every `raftlab node` reads: members,
/// their peer and client sockets, data and trace directories, and the parameters.
public struct ClusterFile: Codable, Sendable, Hashable {
    /// One member.
    public struct Node: Codable, Sendable, Hashable {
        public var id: NodeID
        /// Where peers connect.
        public var peer: PeerAddress
        /// Where clients (the workload, the launcher's status probe, chaos control) connect.
        public var client: PeerAddress
        /// The node's durable log directory.
        public var data: String
        /// The 127.0.0.1 port of the node's Prometheus `/metrics` endpoint (none when absent).
        public var metrics: Int?
        /// The node joined the running cluster (`raftlab member add`): it starts knowing no
        /// configuration and learns it from the leader. Absent or false: a founding voter.
        public var joined: Bool?
        /// The node left the cluster (`raftlab member remove`): the launcher stops it, and
        /// nothing starts it again.
        public var removed: Bool?

        public init(id: NodeID, peer: PeerAddress, client: PeerAddress, data: String, metrics: Int? = nil,
                    joined: Bool? = nil, removed: Bool? = nil) {
            self.id = id
            self.peer = peer
            self.client = client
            self.data = data
            self.metrics = metrics
            self.joined = joined
            self.removed = removed
        }

        /// Whether the node founded the cluster (it starts as a voter of the founding configuration).
        public var isFounder: Bool { joined != true }
        /// Whether the node is still meant to run.
        public var isActive: Bool { removed != true }
    }

    /// The nodes still meant to run (not removed).
    public var activeNodes: [Node] { nodes.filter(\.isActive) }

    /// The configuration every founding node starts from: the founders as voters.
    public var foundingConfiguration: Configuration { Configuration(voters: nodes.filter(\.isFounder).map(\.id)) }

    public var clusterID: UInt64
    public var nodes: [Node]
    /// Directory of the node traces (`node-<id>.jsonl.gz`).
    public var traceDirectory: String
    /// Election timeouts and heartbeat interval (the fields `election_timeout_ms_min`,
    /// `election_timeout_ms_max` and `heartbeat_interval_ms`).
    public var timing: ElectionTiming
    public var preVote: Bool
    public var checkQuorum: Bool
    public var fsync: Bool
    /// Whether nodes trace every message (`send`/`recv` events).
    public var traceMessages: Bool
    /// Whether nodes write traces at all (off only to measure what tracing costs).
    public var trace: Bool
    /// Whether nodes also write live OTLP/JSON spans (`node-<id>.otlp.jsonl` in the trace
    /// directory); absent in files written before spans existed.
    public var otlpSpans: Bool?
    /// Seed of the nodes' election timeouts (each node mixes in its id).
    public var seed: UInt64
    /// A deliberate bug for experiments that must be caught (tests only).
    public var mutant: Mutant?
    /// Nodes snapshot their state machine every this many entries and drop the log it covers
    /// (`nil`, or absent in the file: never).
    public var snapshotEvery: Int?

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id", nodes, traceDirectory = "trace_directory"
        case electionTimeoutMsMin = "election_timeout_ms_min", electionTimeoutMsMax = "election_timeout_ms_max"
        case heartbeatIntervalMs = "heartbeat_interval_ms", preVote = "pre_vote", checkQuorum = "check_quorum"
        case fsync, traceMessages = "trace_messages", trace, otlpSpans = "otlp_spans", seed, mutant
        case snapshotEvery = "snapshot_every"
    }

    /// Decodes the file; the timing fields are checked here, once, into `ElectionTiming`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try container.decode(UInt64.self, forKey: .clusterID)
        nodes = try container.decode([Node].self, forKey: .nodes)
        traceDirectory = try container.decode(String.self, forKey: .traceDirectory)
        let low = try container.decode(Int.self, forKey: .electionTimeoutMsMin)
        let high = try container.decode(Int.self, forKey: .electionTimeoutMsMax)
        let heartbeat = try container.decode(Int.self, forKey: .heartbeatIntervalMs)
        guard low > 0, low <= high else {
            throw DecodingError.dataCorruptedError(forKey: .electionTimeoutMsMax, in: container, debugDescription:
                "need 0 < election_timeout_ms_min <= election_timeout_ms_max, got \(low) and \(high)")
        }
        do {
            timing = try ElectionTiming(electionTimeoutMs: low...high, heartbeatIntervalMs: heartbeat)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .heartbeatIntervalMs, in: container, debugDescription: "\(error)")
        }
        preVote = try container.decode(Bool.self, forKey: .preVote)
        checkQuorum = try container.decode(Bool.self, forKey: .checkQuorum)
        fsync = try container.decode(Bool.self, forKey: .fsync)
        traceMessages = try container.decode(Bool.self, forKey: .traceMessages)
        trace = try container.decode(Bool.self, forKey: .trace)
        otlpSpans = try container.decodeIfPresent(Bool.self, forKey: .otlpSpans)
        seed = try container.decode(UInt64.self, forKey: .seed)
        mutant = try container.decodeIfPresent(Mutant.self, forKey: .mutant)
        snapshotEvery = try container.decodeIfPresent(Int.self, forKey: .snapshotEvery)
        if let snapshotEvery, snapshotEvery < 1 {
            throw DecodingError.dataCorruptedError(forKey: .snapshotEvery, in: container, debugDescription: "must be at least 1, got \(snapshotEvery)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clusterID, forKey: .clusterID)
        try container.encode(nodes, forKey: .nodes)
        try container.encode(traceDirectory, forKey: .traceDirectory)
        try container.encode(timing.electionTimeoutMs.lowerBound, forKey: .electionTimeoutMsMin)
        try container.encode(timing.electionTimeoutMs.upperBound, forKey: .electionTimeoutMsMax)
        try container.encode(timing.heartbeatIntervalMs, forKey: .heartbeatIntervalMs)
        try container.encode(preVote, forKey: .preVote)
        try container.encode(checkQuorum, forKey: .checkQuorum)
        try container.encode(fsync, forKey: .fsync)
        try container.encode(traceMessages, forKey: .traceMessages)
        try container.encode(trace, forKey: .trace)
        try container.encodeIfPresent(otlpSpans, forKey: .otlpSpans)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(mutant, forKey: .mutant)
        try container.encodeIfPresent(snapshotEvery, forKey: .snapshotEvery)
    }

    public init(clusterID: UInt64, nodes: [Node], traceDirectory: String, timing: ElectionTiming,
                preVote: Bool, checkQuorum: Bool, fsync: Bool, traceMessages: Bool,
                trace: Bool = true, otlpSpans: Bool = false, seed: UInt64, mutant: Mutant? = nil, snapshotEvery: Int? = nil) {
        self.clusterID = clusterID
        self.nodes = nodes
        self.traceDirectory = traceDirectory
        self.timing = timing
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.fsync = fsync
        self.traceMessages = traceMessages
        self.trace = trace
        self.otlpSpans = otlpSpans
        self.seed = seed
        self.mutant = mutant
        self.snapshotEvery = snapshotEvery
    }

    /// Reads and validates a cluster file; errors name the file and what is wrong.
    public static func read(path: String) throws -> ClusterFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError("\(path): cannot read the cluster file")
        }
        let file: ClusterFile
        do {
            file = try JSONDecoder().decode(ClusterFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw LabError("\(path): missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw LabError("\(path): bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw LabError("\(path): \(context.debugDescription) at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw LabError("\(path): \(error)")
        }
        try file.validate(path: path)
        return file
    }

    /// Writes the file as pretty JSON.
    public func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func validate(path: String) throws {
        let ids = nodes.map(\.id)
        guard !ids.isEmpty else { throw LabError("\(path): 'nodes' is empty") }
        guard Set(ids).count == ids.count else { throw LabError("\(path): duplicate node ids in 'nodes'") }
        guard ids.allSatisfy({ $0 >= 0 && $0 < RaftLimits.clusterSizeMax }) else {
            throw LabError("\(path): node ids must be in 0..<\(RaftLimits.clusterSizeMax)")
        }
        guard nodes.contains(where: \.isFounder) else { throw LabError("\(path): every node is marked 'joined': nobody founded the cluster") }
        for node in nodes {
            if let port = node.metrics, !(1...65535).contains(port) {
                throw LabError("\(path): node \(node.id): 'metrics' port \(port) is outside 1...65535")
            }
        }
    }

    /// The node with id `id`.
    public func node(_ id: NodeID) throws -> Node {
        guard let node = nodes.first(where: { $0.id == id }) else {
            throw LabError("node \(id) is not in the cluster file (members: \(nodes.map(\.id)))")
        }
        return node
    }

    /// The runtime parameters this file describes.
    public var tuning: NodeTuning {
        var options = ProtocolOptions.standard
        options.preVote = preVote
        options.checkQuorum = checkQuorum
        options.mutant = mutant
        if let snapshotEvery { options.entriesKeptAfterSnapshot = min(RaftLimits.entriesKeptAfterSnapshot, snapshotEvery) }
        return NodeTuning(timing: timing, options: options, seed: seed, fsync: fsync, tracesMessages: traceMessages)
    }

    /// The library configuration of node `id`. With `path`, the node looks up servers added
    /// after it started in the file again (`ClusterAddressBook`).
    public func raftConfig(for id: NodeID, path: String? = nil) throws -> RaftConfig {
        let node = try node(id)
        var peers: [NodeID: PeerAddress] = [:]
        for member in nodes { peers[member.id] = member.peer }
        var config = RaftConfig(peers: peers, self: id, tuning: tuning, dataDirectory: node.data,
                                traceDirectory: trace ? traceDirectory : nil, clusterID: clusterID, clientAddress: node.client)
        config.bootstrap = node.isFounder ? foundingConfiguration : .empty
        if let path {
            let book = ClusterAddressBook(path: path, known: peers)
            config.peerAddressResolver = { book.address(of: $0) }
        }
        config.metricsPort = node.metrics
        if otlpSpans == true { config.spanDirectory = traceDirectory }
        return config
    }
}

/// A lab failure with a one-line explanation.
public struct LabError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
