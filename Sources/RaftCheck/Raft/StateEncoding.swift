import RaftCore

/// Exact encodings of the model's values as 64-bit words: equal values give equal words and
/// different values different words. Interning compares these, so they decide which states
/// the checker treats as one.
///
/// A node's encoding covers everything that can influence its future behaviour: every
/// stored property of `RaftNode` except `id`-independent constants (`members`, `options`,
/// shared by all nodes of a model) and the two per-step scratch fields (`outbox`, always
/// empty between steps, and `electionTimerReset`, cleared at the start of every step).
/// `StateEncodingTests` fails when `RaftNode` gains a stored property this file does not know.
enum StateEncoding {
    /// Marks an absent optional (no id, term or index reaches it).
    static let absent = UInt64.max

    static func node(_ node: RaftNode) -> [UInt64] {
        self.node(node, renamedBy: nil, abstractingCampaigns: false)
    }

    /// The node's encoding with servers renamed by `renaming` (nil: as they are), and, when
    /// `abstractingCampaigns`, without its incarnation and campaign: the canonical form
    /// `CanonicalFingerprints` hashes (only a campaign's equality with the messages in flight
    /// matters, and that is encoded on the messages).
    static func node(_ node: RaftNode, renamedBy renaming: ServerRenaming?, abstractingCampaigns: Bool) -> [UInt64] {
        let rename = renaming ?? .identity(count: node.progress.count)
        var words: [UInt64] = []
        words.reserveCapacity(24 + node.log.lastIndex * 4 + node.progress.count * 3)
        words.append(UInt64(rename.id(node.id)))
        words.append(node.isRunning ? 1 : 0)
        words.append(node.currentTerm)
        words.append(optional(rename.optional(node.votedFor)))
        words.append(int(node.commitIndex))
        words.append(UInt64(Role.allCases.firstIndex(of: node.role)!))
        words.append(optional(rename.optional(node.leaderID)))
        words.append(rename.bits(node.votesReceived))
        words.append(rename.bits(node.recentlyActive))
        append(node.snapshot, to: &words)
        words.append(int(node.log.compactedIndex))
        words.append(node.log.compactedTerm)
        append(node.log.entries, to: &words, rename)
        if let incoming = node.incomingSnapshot {
            words += [1, int(incoming.index), incoming.term, int(incoming.totalBytes)]
            append(incoming.bytes, to: &words)
        } else {
            words.append(0)
        }
        words.append(UInt64(node.progress.count))
        var renamedProgress = node.progress
        for (id, follower) in node.progress.enumerated() { renamedProgress[rename.id(id)] = follower }
        for follower in renamedProgress {
            words.append(int(follower.sentLength))
            words.append(int(follower.ackedLength))
            words.append((follower.isProbing ? 1 : 0) | (follower.probeInFlight ? 2 : 0) | (follower.snapshotChunkInFlight ? 4 : 0))
            words.append(int(follower.snapshotIndex))
            words.append(int(follower.snapshotBytesAcked))
        }
        words.append(UInt64(node.bufferedProposals.count))
        for proposal in node.bufferedProposals { append(proposal, to: &words, rename) }
        words.append(UInt64(node.unconfirmedForwards.count))
        for proposal in node.unconfirmedForwards { append(proposal, to: &words, rename) }
        if !abstractingCampaigns {
            words.append(node.incarnation)
            append(node.campaign, to: &words)
        }
        words.append(int(node.durableLength))
        words.append(optional(rename.optional(node.transferTarget)))
        return words
    }

    static func persistentState(_ state: PersistentState) -> [UInt64] {
        persistentState(state, renamedBy: nil, abstractingCampaigns: false)
    }

    /// The disk's encoding, renamed, and without its incarnation when `abstractingCampaigns`
    /// (a restart always starts an incarnation newer than every campaign in flight).
    static func persistentState(_ state: PersistentState, renamedBy renaming: ServerRenaming?,
                                abstractingCampaigns: Bool) -> [UInt64] {
        let rename = renaming ?? .identity(count: RaftModelConfiguration.serverCountMax)
        var words: [UInt64] = [state.currentTerm, optional(rename.optional(state.votedFor)), int(state.commitIndex),
                               state.appliedIndex.map(int) ?? absent]
        if !abstractingCampaigns { words.append(state.incarnation) }
        append(state.snapshot, to: &words)
        words += [int(state.compactedIndex), state.compactedTerm]
        append(state.entries, to: &words, rename)
        return words
    }

    static func item(_ item: NetworkItem) -> [UInt64] {
        self.item(item, renamedBy: nil, campaignIsCurrent: nil)
    }

    /// The item's encoding, renamed; with `campaignIsCurrent` given, a vote message's campaign
    /// is encoded only as whether it is its candidate's campaign in progress.
    static func item(_ item: NetworkItem, renamedBy renaming: ServerRenaming?, campaignIsCurrent: Bool?) -> [UInt64] {
        let rename = renaming ?? .identity(count: RaftModelConfiguration.serverCountMax)
        var words: [UInt64] = []
        switch item {
        case .clientRequest(let to, let proposal):
            words.append(0)
            words.append(UInt64(rename.id(to)))
            append(proposal, to: &words, rename)
        case .message(let message):
            words.append(1)
            words.append(UInt64(rename.id(message.from)))
            words.append(UInt64(rename.id(message.to)))
            words.append(message.term)
            append(message.body, to: &words, rename, campaignIsCurrent: campaignIsCurrent)
        }
        return words
    }

    static func changes(_ changes: [PersistentChange]) -> [UInt64] {
        var words: [UInt64] = [UInt64(changes.count)]
        let rename = ServerRenaming.identity(count: RaftModelConfiguration.serverCountMax)
        for change in changes {
            switch change {
            case .hardState(let term, let votedFor):
                words += [0, term, optional(votedFor)]
            case .append(let firstIndex, let entries):
                words += [1, int(firstIndex)]
                append(entries, to: &words, rename)
            case .truncate(let length):
                words += [2, int(length)]
            case .commit(let index):
                words += [3, int(index)]
            case .snapshot(let snapshot):
                words.append(4)
                append(snapshot, to: &words)
            case .compact(let index, let term):
                words += [5, int(index), term]
            }
        }
        return words
    }

    private static func append(_ body: Message.Body, to words: inout [UInt64], _ rename: ServerRenaming,
                               campaignIsCurrent: Bool?) {
        switch body {
        case .voteRequest(let request):
            words += [0, int(request.logLength), request.lastLogTerm, (request.preVote ? 1 : 0) | (request.transfer ? 2 : 0)]
            if let current = campaignIsCurrent { words.append(current ? 1 : 0) } else { append(request.campaign, to: &words) }
        case .voteResponse(let response):
            words += [1, response.granted ? 1 : 0, response.preVote ? 1 : 0]
            if let current = campaignIsCurrent { words.append(current ? 1 : 0) } else { append(response.campaign, to: &words) }
        case .logRequest(let request):
            words += [2, int(request.prefixLength), request.prefixTerm, int(request.leaderCommit)]
            append(request.suffix, to: &words, rename)
        case .logResponse(let response):
            words += [3, int(response.ack), response.success ? 1 : 0, int(response.conflictHint), response.conflictTerm]
        case .forward(let forward):
            words += [4, int(forward.hops), UInt64(forward.proposals.count)]
            for proposal in forward.proposals { append(proposal, to: &words, rename) }
        case .forwardRejected(let rejected):
            words += [5, UInt64(rejected.rejections.count)]
            for rejection in rejected.rejections {
                words += [rename.request(rejection.request), UInt64(rejection.reason.code), int(rejection.reason.detail)]
            }
        case .snapshotChunk(let chunk):
            words += [6, int(chunk.index), chunk.snapshotTerm, rename.bits(chunk.configuration.voters),
                      rename.bits(chunk.configuration.learners), int(chunk.totalBytes), int(chunk.offset)]
            append(chunk.bytes, to: &words)
        case .snapshotResponse(let response):
            words += [7, int(response.index), int(response.receivedBytes), response.installed ? 1 : 0]
        case .timeoutNow:
            words.append(8)
        }
    }

    /// A snapshot: index, term, configuration, data. (Snapshots and symmetry do not go
    /// together in a model, so neither the data nor the configuration is renamed.)
    private static func append(_ snapshot: Snapshot, to words: inout [UInt64]) {
        words += [int(snapshot.index), snapshot.term, snapshot.configuration.voters.bits, snapshot.configuration.learners.bits]
        append(snapshot.data, to: &words)
    }

    private static func append(_ entries: [Entry], to words: inout [UInt64], _ rename: ServerRenaming) {
        words.append(UInt64(entries.count))
        for entry in entries {
            words.append(entry.term)
            words.append(rename.request(entry.request))
            append(rename.payload(entry.payload, of: entry.request), to: &words)
        }
    }

    private static func append(_ campaign: CampaignID, to words: inout [UInt64]) {
        words.append(campaign.incarnation)
        words.append(campaign.round)
    }

    private static func append(_ proposal: Proposal, to words: inout [UInt64], _ rename: ServerRenaming) {
        words.append(rename.request(proposal.request))
        words.append(optional(rename.optional(proposal.origin)))
        append(rename.payload(proposal.payload, of: proposal.request), to: &words)
    }

    /// Length, then the bytes packed eight to a word.
    private static func append(_ bytes: [UInt8], to words: inout [UInt64]) {
        words.append(UInt64(bytes.count))
        var word: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            word |= UInt64(byte) << UInt64((offset % 8) * 8)
            if offset % 8 == 7 {
                words.append(word)
                word = 0
            }
        }
        if bytes.count % 8 != 0 { words.append(word) }
    }

    @inline(__always)
    private static func int(_ value: Int) -> UInt64 { UInt64(bitPattern: Int64(value)) }
    @inline(__always)
    private static func optional(_ id: NodeID?) -> UInt64 { id.map { UInt64($0) } ?? absent }
}
