import RaftCore

/// Samples the replication round trip to each follower: the time from a log request to the
/// first acknowledgement that covers it. At most one sample per follower is in flight, so a
/// sample starts at most once per round trip and costs two clock reads.
///
/// A request that is not answered within `abandonAfterNs` (the follower is down or
/// partitioned) is dropped rather than reported as one huge round trip when the follower
/// comes back; the next request starts a new sample. Pure: the caller passes the time.
struct PeerRoundTrips {
    /// A sample older than this is abandoned.
    static let abandonAfterNs: UInt64 = 2_000_000_000

    private struct Probe {
        var sentNs: UInt64
        /// The acknowledgement (log length) that answers the request.
        var expectedAck: Int
    }

    /// Indexed by follower id.
    private var probes: [Probe?]

    init(clusterSizeMax: Int = RaftLimits.clusterSizeMax) {
        probes = Array(repeating: nil, count: clusterSizeMax)
    }

    /// A log request left for `peer` at `nowNs`.
    mutating func sent(_ request: LogRequest, to peer: NodeID, nowNs: UInt64) {
        if let probe = probes[peer], nowNs &- probe.sentNs < Self.abandonAfterNs { return }
        probes[peer] = Probe(sentNs: nowNs, expectedAck: request.prefixLength + request.suffix.count)
    }

    /// `peer` answered a log request at `nowNs`; returns the sampled round trip in
    /// nanoseconds when this answer covers the sampled request.
    mutating func answered(_ response: LogResponse, from peer: NodeID, nowNs: UInt64) -> UInt64? {
        guard let probe = probes[peer] else { return nil }
        let elapsed = nowNs &- probe.sentNs
        if elapsed >= Self.abandonAfterNs || !response.success {
            // Too old to mean anything, or refused (the leader backs off and probes again).
            probes[peer] = nil
            return nil
        }
        guard response.ack >= probe.expectedAck else { return nil }
        probes[peer] = nil
        return elapsed
    }

    /// Forgets every sample (the node stopped leading: answers to an old term's requests
    /// say nothing about the round trip now).
    mutating func reset() {
        for peer in probes.indices { probes[peer] = nil }
    }
}
