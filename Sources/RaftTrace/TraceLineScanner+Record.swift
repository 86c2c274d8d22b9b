/// Turning the scanned fields into a `TraceRecord`, checking each type's required fields.
extension TraceLineScanner {
    func buildOutcome() throws -> Outcome {
        guard has(.type) else { throw TraceLineError(reason: "missing field 'type'") }
        guard let type = try interned(.type, in: typeTable) else {
            return .unknownType(name: try string(.type), timestampUs: has(.ts) ? try int64(.ts) : nil)
        }
        // A node's line must carry every common field; a client's or nemesis's line needs only
        // `type` and `ts` (docs/TRACE_FORMAT.md), so other tools' client logs can be read.
        let fromNode = type.source == .node
        let version = fromNode || has(.v) ? try int(.v) : TraceSchema.version
        guard version == TraceSchema.version else {
            throw TraceLineError(reason: "field 'v': schema version \(version) is not supported (this reader knows \(TraceSchema.version))")
        }
        let node = fromNode || has(.node) ? try nodeID() : -1
        let term: UInt64 = fromNode || has(.term) ? try unsigned(.term) : 0
        let incarnation = fromNode || has(.inc) ? try int(.inc) : 0
        let sequence = fromNode || has(.seq) ? try unsigned(.seq) : TraceRecord.sequenceAbsent
        let record = TraceRecord(version: version, timestampUs: try int64(.ts), node: node, incarnation: incarnation,
                                 sequence: sequence, term: term, body: try body(of: type))
        return .record(record)
    }

    private func body(of type: TraceEventType) throws -> TraceBody {
        switch type {
        case .start:
            return .start(logLength: try int(.logLen), commitIndex: try int(.commit), votedFor: try optionalInt(.vote))
        case .term:
            return .term(from: try unsigned(.from))
        case .role:
            return .role(try role(.role), previous: has(.prev) ? try role(.prev) : nil)
        case .vote:
            return .vote(candidate: try int(.candidate), granted: try bool(.granted), preVote: has(.pre) && trueBooleans & TraceField.pre.bit != 0)
        case .leader:
            return .leader(lastIndex: try int(.lastIndex), lastTerm: try unsigned(.lastTerm))
        case .propose:
            return .propose(request: try unsigned(.req), index: try int(.index))
        case .append:
            guard has(.entryTerms) else { throw missing(.entryTerms) }
            guard has(.digests) else { throw missing(.digests) }
            let count = try int(.count)
            guard entryTerms.count == count && digests.count == count else {
                throw TraceLineError(reason: "type 'append': 'count' is \(count) but 'entry_terms' has \(entryTerms.count) and 'digests' \(digests.count) elements")
            }
            if has(.reqs) {
                guard requests.count == count else {
                    throw TraceLineError(reason: "type 'append': 'count' is \(count) but 'reqs' has \(requests.count) elements")
                }
                return .append(index: try int(.index), entryTerms: entryTerms, digests: digests, requests: requests)
            }
            return .append(index: try int(.index), entryTerms: entryTerms, digests: digests)
        case .truncate:
            return .truncate(length: try int(.len))
        case .commit:
            return .commit(index: try int(.index))
        case .deliver:
            if has(.entryTerms) || has(.digests) || has(.reqs) { return try deliverRun() }
            guard has(.digest) else { throw missing(.digest) }
            guard escaped & TraceField.digest.bit == 0,
                  let digest = TraceDigest.parse(stringStarts[TraceField.digest.rawValue]!, count: stringLengths[TraceField.digest.rawValue]) else {
                throw TraceLineError(reason: "field 'digest' is not a 16-digit hex digest")
            }
            // `req` absent or null: an entry no client asked for (a leader's no-op), as `0`.
            return .deliver(index: try int(.index), entryTerm: try unsigned(.entryTerm), digest: digest,
                            request: has(.req) ? try unsigned(.req) : 0)
        case .persist:
            return .persist(index: try int(.index), durationUs: try int(.us))
        case .send:
            return .send(to: try int(.to), message: try messageKind(), messageID: try unsigned(.mid))
        case .recv:
            return .recv(from: try int(.from), message: try messageKind(), messageID: try unsigned(.mid))
        case .stop:
            return .stop
        case .forward:
            return .forward(count: try int(.count), to: try int(.to))
        case .buffered:
            return .buffered(count: try int(.count))
        case .proposalRejected:
            return .proposalRejected(request: try unsigned(.req), reason: try requiredString(.reason), index: try optionalInt(.index))
        case .voteIgnoredInLease:
            return .voteIgnoredInLease(candidate: try int(.candidate))
        case .lostQuorum:
            return .lostQuorum(heardFrom: try int(.heardFrom))
        case .invalidMessage:
            return .invalidMessage(from: try int(.from), reason: try requiredString(.reason))
        case .snapshot:
            return .snapshot(index: try int(.index), entryTerm: try unsigned(.entryTerm), bytes: try int(.bytes),
                             compacted: try int(.compacted))
        case .install:
            return .install(index: try int(.index), entryTerm: try unsigned(.entryTerm), bytes: try int(.bytes))
        case .transfer:
            return .transfer(to: try int(.to), aborted: try bool(.aborted))
        case .member:
            guard has(.voters) else { throw missing(.voters) }
            guard has(.learners) else { throw missing(.learners) }
            return .member(index: try int(.index), voters: voters, learners: learners)
        case .invoke:
            return .invoke(client: try clientID(), request: try unsigned(.req))
        case .ok:
            return .ok(client: try clientID(), request: try unsigned(.req), index: try optionalInt(.index))
        case .fail:
            return .fail(client: try clientID(), request: try unsigned(.req), reason: has(.reason) ? try string(.reason) : nil)
        case .timeout:
            return .timeout(client: try clientID(), request: try unsigned(.req))
        case .nemesis:
            guard has(.action) else { throw missing(.action) }
            let action = try interned(.action, in: Self.actions) ?? NemesisAction(rawValue: try string(.action))
            guard has(.targets) else { throw missing(.targets) }
            return .nemesis(action: action, targets: targets, detail: has(.detail) ? try string(.detail) : nil)
        }
    }

    /// A `deliver` of a run of entries (docs/TRACE_FORMAT.md, "Entries in runs"): `index`,
    /// `count` and one `entry_terms`, `digests` and `reqs` element per entry; not mixed with
    /// the one-entry fields.
    private func deliverRun() throws -> TraceBody {
        guard !has(.entryTerm) && !has(.digest) && !has(.req) else {
            throw TraceLineError(reason: "type 'deliver': 'entry_term', 'digest' and 'req' (one entry) mixed with 'entry_terms', 'digests' and 'reqs' (a run)")
        }
        guard has(.entryTerms) else { throw missing(.entryTerms) }
        guard has(.digests) else { throw missing(.digests) }
        guard has(.reqs) else { throw missing(.reqs) }
        let count = try int(.count)
        guard count >= 1 else { throw TraceLineError(reason: "type 'deliver': 'count' must be at least 1") }
        guard entryTerms.count == count && digests.count == count && requests.count == count else {
            throw TraceLineError(reason: "type 'deliver': 'count' is \(count) but 'entry_terms' has \(entryTerms.count), 'digests' \(digests.count) and 'reqs' \(requests.count) elements")
        }
        return .deliverRun(index: try int(.index), entryTerms: entryTerms, digests: digests, requests: requests)
    }

    // MARK: Field access

    @inline(__always)
    private func has(_ field: TraceField) -> Bool { present & field.bit != 0 }

    private func missing(_ field: TraceField) -> TraceLineError {
        TraceLineError(reason: "missing field '\(field.name)'")
    }

    @inline(__always)
    private func unsigned(_ field: TraceField) throws -> UInt64 {
        guard has(field) else { throw missing(field) }
        return integers[field.rawValue]
    }

    @inline(__always)
    private func int(_ field: TraceField) throws -> Int {
        let value = try unsigned(field)
        guard value <= UInt64(Int.max) else { throw TraceLineError(reason: "field '\(field.name)': number out of range") }
        return Int(value)
    }

    private func int64(_ field: TraceField) throws -> Int64 { Int64(try int(field)) }

    private func optionalInt(_ field: TraceField) throws -> Int? {
        has(field) ? try int(field) : nil
    }

    private func nodeID() throws -> Int {
        let magnitude = try unsigned(.node)
        guard magnitude <= UInt64(Int32.max) else { throw TraceLineError(reason: "field 'node': number out of range") }
        return nodeIsNegative ? -Int(magnitude) : Int(magnitude)
    }

    private func clientID() throws -> Int { has(.client) ? try int(.client) : 0 }

    private func bool(_ field: TraceField) throws -> Bool {
        guard has(field) else { throw missing(field) }
        return trueBooleans & field.bit != 0
    }

    private func requiredString(_ field: TraceField) throws -> String {
        guard has(field) else { throw missing(field) }
        return try string(field)
    }

    private func role(_ field: TraceField) throws -> TraceRole {
        guard has(field) else { throw missing(field) }
        guard let role = try interned(field, in: Self.roles) else {
            throw TraceLineError(reason: "field '\(field.name)': '\(try string(field))' is not a role (follower, precandidate, candidate, leader)")
        }
        return role
    }

    private func messageKind() throws -> TraceMessageKind {
        guard has(.msg) else { throw missing(.msg) }
        return try interned(.msg, in: Self.messageKinds) ?? TraceMessageKind(rawValue: try string(.msg))
    }
}
