import Prometheus
import SerialAccess
import RaftCore

/// One node's Prometheus metrics, named after etcd's where they overlap, each with help
/// text. `NodeHost` and the proposal registry record into it on the node's loop;
/// `MetricsServer` refreshes the gauges and emits the registry when scraped.
///
/// Every series exists from the start (counters at zero, one per message type and peer), so
/// rates and alerts see a series before the first event happens.
public final class NodeMetrics: NodeObserver, @unchecked Sendable {
    /// Where the metrics live (one per node, so several nodes can share a process).
    public let registry: PrometheusCollectorRegistry

    private let term: Gauge
    private let isLeader: Gauge
    private let hasLeader: Gauge
    private let commitIndex: Gauge
    private let appliedIndex: Gauge
    private let logEntries: Gauge
    private let proposalsPending: Gauge
    private let leaderChanges: Prometheus.Counter
    private let proposalsCommitted: Prometheus.Counter
    private let proposalsFailed: Prometheus.Counter
    private let electionsStarted: Prometheus.Counter
    private let votesGranted: Prometheus.Counter
    private let snapshotsTaken: Prometheus.Counter
    private let snapshotsInstalled: Prometheus.Counter
    private let snapshotBytes: Gauge
    private let snapshotIndex: Gauge
    private let voters: Gauge
    private let learners: Gauge
    private let configurationIndex: Gauge
    private let configurationCommitted: Gauge
    private let transfersStarted: Prometheus.Counter
    private let transfersAbandoned: Prometheus.Counter
    /// Indexed by message type, then by peer id.
    private let messagesSent: [[Prometheus.Counter?]]
    /// Indexed by message type.
    private let messagesReceived: [Prometheus.Counter]
    /// One counter per `InvalidMessage` (the `kind` label).
    private let invalidMessages: [InvalidMessage: Prometheus.Counter]
    private let commitLatency: ValueHistogram
    private let fsyncDuration: ValueHistogram
    private let appendBatchEntries: ValueHistogram
    /// Indexed by peer id.
    private let peerRoundTrip: [ValueHistogram?]
    /// Indexed by peer id.
    private let peerBufferedBytes: [Gauge?]
    /// Indexed by peer id.
    private let peerFramesDropped: [Prometheus.Counter?]
    private var framesDroppedSeen = [Int](repeating: 0, count: RaftLimits.clusterSizeMax)
    private let process: ProcessMetrics

    private var roundTrips = PeerRoundTrips()
    private var lastLeaderTerm: Term = 0
    private var lastAppliedIndex = 0
    /// The recording and refreshing entry points run on the node's loop (the host, the proposal
    /// registry, the scrape); counters alone may be bumped from anywhere.
    private let access = SerialAccess("NodeMetrics")

    /// Metrics of node `id` in a cluster of `members`.
    public init(id: NodeID, members: [NodeID], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let peers = members.filter { $0 != id }
        func gauge(_ name: String, _ help: String) -> Gauge { registry.makeGauge(descriptor: .named(name, help: help)) }
        func counter(_ name: String, _ help: String) -> Prometheus.Counter { registry.makeCounter(descriptor: .named(name, help: help)) }
        term = gauge("raft_term", "The latest term this node has seen.")
        isLeader = gauge("raft_is_leader", "Whether this node is the leader (1) or not (0).")
        hasLeader = gauge("raft_has_leader", "Whether this node knows a leader of its current term (1) or not (0).")
        commitIndex = gauge("raft_commit_index", "Number of log entries this node knows to be committed.")
        appliedIndex = gauge("raft_applied_index", "Index of the last entry this node delivered to its application.")
        logEntries = gauge("raft_log_entries", "Number of entries in this node's log.")
        proposalsPending = gauge("raft_proposals_pending",
                                 "Proposals received by this node that wait for their commit or rejection.")
        leaderChanges = counter("raft_leader_changes_seen_total",
                                "Leaders this node has learned of (each new term's leader counts once).")
        proposalsCommitted = counter("raft_proposals_committed_total",
                                     "Client proposals committed and delivered at this node (no-op entries excluded).")
        proposalsFailed = counter("raft_proposals_failed_total",
                                  "Proposals received by this node that were refused or timed out waiting for their commit.")
        electionsStarted = counter("raft_elections_started_total", "Elections this node started as a candidate.")
        votesGranted = counter("raft_votes_granted_total", "Votes this node granted to candidates (pre-votes excluded).")
        snapshotsTaken = counter("raft_snapshots_taken_total", "Snapshots of its application this node took (its log dropped what they cover).")
        snapshotsInstalled = counter("raft_snapshots_installed_total", "Snapshots this node installed from its leader.")
        snapshotBytes = gauge("raft_snapshot_bytes", "Bytes of this node's latest snapshot.")
        snapshotIndex = gauge("raft_snapshot_index", "Last log index this node's latest snapshot includes.")
        voters = gauge("raft_voters", "Voters of the configuration in force at this node.")
        learners = gauge("raft_learners", "Learners (members without a vote) of the configuration in force at this node.")
        configurationIndex = gauge("raft_configuration_index", "Log index of the entry that set this node's configuration (0: its snapshot or the founding one).")
        configurationCommitted = gauge("raft_configuration_committed",
                                       "Whether this node knows its configuration is committed (1) or a change is still in progress (0).")
        transfersStarted = counter("raft_leader_transfers_started_total", "Leadership transfers this node began as leader.")
        transfersAbandoned = counter("raft_leader_transfers_abandoned_total",
                                     "Leadership transfers this node gave up (an election timeout passed first).")
        let sentHelp = "Messages this node sent, by type and receiving peer."
        messagesSent = MessageMetricType.allCases.map { type in
            (0..<RaftLimits.clusterSizeMax).map { peer in
                peers.contains(peer)
                    ? registry.makeCounter(descriptor: .named("raft_messages_sent_total", help: sentHelp),
                                           labels: [("type", type.label), ("peer", "\(peer)")])
                    : nil
            }
        }
        messagesReceived = MessageMetricType.allCases.map { type in
            registry.makeCounter(descriptor: .named("raft_messages_received_total", help: "Messages this node received, by type."),
                                 labels: [("type", type.label)])
        }
        invalidMessages = Dictionary(uniqueKeysWithValues: InvalidMessage.allCases.map { reason in
            (reason, registry.makeCounter(descriptor: .named("raft_invalid_messages_total",
                                                             help: "Messages from peers this node dropped as invalid, by what was wrong (no correct peer sends one)."),
                                          labels: [("kind", reason.rawValue)]))
        })
        commitLatency = registry.makeValueHistogram(
            descriptor: .named("raft_commit_latency_seconds", help: "Seconds from a proposal's arrival at this node to its delivery here, committed and durable."), buckets: NodeMetrics.latencyBuckets)
        fsyncDuration = registry.makeValueHistogram(
            descriptor: .named("raft_fsync_duration_seconds", help: "Seconds one group commit of the durable log took, write and fdatasync."), buckets: NodeMetrics.fsyncBuckets)
        appendBatchEntries = registry.makeValueHistogram(
            descriptor: .named("raft_append_batch_entries", help: "Entries appended to the durable log by one group commit."), buckets: NodeMetrics.batchBuckets)
        let roundTripHelp = "Seconds from a log request to the first acknowledgement covering it, sampled per follower while leading."
        peerRoundTrip = (0..<RaftLimits.clusterSizeMax).map { peer in
            peers.contains(peer)
                ? registry.makeValueHistogram(descriptor: .named("raft_peer_round_trip_seconds", help: roundTripHelp),
                                              labels: [("peer", "\(peer)")], buckets: NodeMetrics.roundTripBuckets)
                : nil
        }
        peerBufferedBytes = (0..<RaftLimits.clusterSizeMax).map { peer in
            peers.contains(peer)
                ? registry.makeGauge(descriptor: .named("raft_peer_buffered_bytes",
                                                        help: "Bytes waiting to be sent to the peer (encoded, or written and not yet taken by the kernel)."),
                                     labels: [("peer", "\(peer)")])
                : nil
        }
        peerFramesDropped = (0..<RaftLimits.clusterSizeMax).map { peer in
            peers.contains(peer)
                ? registry.makeCounter(descriptor: .named("raft_peer_frames_dropped_total",
                                                          help: "Frames to the peer dropped because it was unreachable or did not read (Raft resends what matters)."),
                                       labels: [("peer", "\(peer)")])
                : nil
        }
        process = ProcessMetrics(registry: registry)
    }

    // MARK: Buckets

    /// 100 µs to 10 s: a commit takes about half a millisecond here, seconds during an election.
    static let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// 100 µs to 8 s, doubling from 1 ms as etcd's WAL fsync buckets do.
    static let fsyncBuckets: [Double] = [0.0001, 0.00025, 0.0005] + (0..<14).map { 0.001 * Double(1 << $0) }
    /// 1 to 4096 entries, doubling.
    static let batchBuckets: [Double] = (0...12).map { Double(1 << $0) }
    /// 50 µs to about 1.6 s, doubling.
    static let roundTripBuckets: [Double] = (0..<16).map { 0.00005 * Double(1 << $0) }

    // MARK: Recording (on the node's loop)

    public var readsMonotonicClock: Bool { true }

    /// `message` arrived at `clock.monotonicNs`.
    public func received(_ message: Message, at clock: BatchClock) {
        access.enter(); defer { access.leave() }
        let nowNs = clock.monotonicNs
        messagesReceived[MessageMetricType(message.body).rawValue].increment()
        if case .logResponse(let response) = message.body,
           let elapsed = roundTrips.answered(response, from: message.from, nowNs: nowNs) {
            peerRoundTrip[message.from]?.record(Double(elapsed) / 1e9)
        }
    }

    /// `message` left at `clock.monotonicNs`.
    public func sent(_ message: Message, at clock: BatchClock) {
        access.enter(); defer { access.leave() }
        let nowNs = clock.monotonicNs
        messagesSent[MessageMetricType(message.body).rawValue][message.to]?.increment()
        if case .logRequest(let request) = message.body {
            roundTrips.sent(request, to: message.to, nowNs: nowNs)
        }
    }

    /// A message was dropped as invalid for `reason`.
    public func dropped(_ reason: InvalidMessage, from peer: NodeID) {
        invalidMessages[reason]?.increment()
    }

    /// A core trace event: elections, votes, refusals.
    public func observe(_ event: TraceEvent, term: Term, at clock: BatchClock) {
        access.enter(); defer { access.leave() }
        switch event {
        case .roleChanged(let from, let to):
            if to == .candidate { electionsStarted.increment() }
            if from == .leader { roundTrips.reset() }
        case .voted(_, let granted, let preVote) where granted && !preVote:
            votesGranted.increment()
        case .proposalRejected:
            proposalsFailed.increment()
        case .snapshotTaken(let index, _, let bytes, _):
            snapshotsTaken.increment()
            snapshotBytes.set(Int64(bytes))
            snapshotIndex.set(Int64(index))
        case .transferStarted:
            transfersStarted.increment()
        case .transferAborted:
            transfersAbandoned.increment()
        case .snapshotInstalled(let index, _, let bytes):
            snapshotsInstalled.increment()
            snapshotBytes.set(Int64(bytes))
            snapshotIndex.set(Int64(index))
        default:
            break
        }
    }


    /// One group commit appended `entries` entries (possibly none) and took `fsyncUs`.
    public func persisted(appendedEntries entries: Int, fsyncUs: UInt64, term: Term, at clock: BatchClock) {
        fsyncDuration.record(Double(fsyncUs) / 1e6)
        if entries > 0 { appendBatchEntries.record(Double(entries)) }
    }

    /// A batch ended with the node in state `node` after delivering `deliveries` to the
    /// application: counts its committed proposals and a newly learned leader.
    public func batchEnded(_ node: RaftNode, deliveries: [(index: Int, entry: Entry)]) {
        access.enter(); defer { access.leave() }
        if let last = deliveries.last {
            lastAppliedIndex = last.index
            var proposals = 0
            for (_, entry) in deliveries where !entry.isProtocolEntry { proposals += 1 }
            if proposals > 0 { proposalsCommitted.increment(by: Int64(proposals)) }
        }
        if node.leaderID != nil, node.currentTerm > lastLeaderTerm {
            lastLeaderTerm = node.currentTerm
            leaderChanges.increment()
        }
    }

    /// A proposal this node received was committed `latencyNs` after it arrived.
    func proposalCommitted(latencyNs: UInt64) {
        commitLatency.record(Double(latencyNs) / 1e9)
    }

    /// A proposal this node received failed outside the core: it timed out waiting for its
    /// commit, or too many proposals were waiting already.
    func proposalFailed() {
        proposalsFailed.increment()
    }

    /// Sets the per-peer buffer gauges and drop counters (before a scrape).
    func refresh(peerBuffers: [PeerBuffer]) {
        access.enter(); defer { access.leave() }
        for buffer in peerBuffers where buffer.peer >= 0 && buffer.peer < RaftLimits.clusterSizeMax {
            let (peer, dropped) = (buffer.peer, buffer.framesDropped)
            peerBufferedBytes[peer]?.set(Int64(buffer.bufferedBytes))
            if dropped > framesDroppedSeen[peer] {
                peerFramesDropped[peer]?.increment(by: Int64(dropped - framesDroppedSeen[peer]))
                framesDroppedSeen[peer] = dropped
            }
        }
    }

    /// Sets the gauges from `node` (before a scrape).
    func refresh(_ node: RaftNode, proposalsPending pending: Int) {
        access.enter(); defer { access.leave() }
        term.set(Int64(node.currentTerm))
        isLeader.set(Int64(node.role == .leader ? 1 : 0))
        hasLeader.set(Int64(node.leaderID != nil ? 1 : 0))
        commitIndex.set(Int64(node.commitIndex))
        appliedIndex.set(Int64(lastAppliedIndex))
        logEntries.set(Int64(node.log.lastIndex))
        proposalsPending.set(Int64(pending))
        voters.set(Int64(node.configuration.voters.count))
        learners.set(Int64(node.configuration.learners.count))
        configurationIndex.set(Int64(node.configurationIndex))
        configurationCommitted.set(Int64(node.configurationIndex <= node.commitIndex ? 1 : 0))
        process.refresh()
    }

    /// Records that the node (re)started with `commitIndex` entries already delivered in an
    /// earlier incarnation or replayed now.
    public func started(commitIndex: Int) {
        access.enter(); defer { access.leave() }
        lastAppliedIndex = max(lastAppliedIndex, commitIndex)
    }
}
