/// One node's log rebuilt from its `append`, `truncate` and `start` events, stored relative
/// to the committed log: entries `1...matched` are known equal to the committed sequence and
/// not stored again; only the rest (uncommitted or not yet checked) is kept. Memory per node
/// is bounded by its uncommitted suffix, not by the length of the run.
struct LogShadow {
    /// Entries in the log.
    private(set) var length = 0
    /// Entries `1...matched` equal the committed log's.
    private(set) var matched = 0
    private var tailTerms: [UInt64] = []
    private var tailDigests: [UInt64] = []
    private var tailHead = 0

    /// Entries whose content is unknown because their events were lost.
    private(set) var unknownEntryCount = 0

    private var tailCount: Int { tailTerms.count - tailHead }

    /// Term and digest of entry `index` (`1...length`); the term is
    /// `CommittedLog.unknownTerm` when its events were lost.
    func entry(_ index: Int, committed: CommittedLog) -> (term: UInt64, digest: UInt64) {
        if index <= matched { return (committed.term(index), committed.digest(index)) }
        let position = tailHead + index - matched - 1
        return (tailTerms[position], tailDigests[position])
    }

    /// Writes entries at `index...`; returns `false` if `index` is past the end (a gap: the
    /// missing entries become unknown).
    mutating func append(at index: Int, terms: [UInt64], digests: [UInt64], committed: CommittedLog) -> Bool {
        var contiguous = true
        if index > length + 1 {
            contiguous = false
            padUnknown(to: index - 1)
        }
        for offset in terms.indices {
            let position = index + offset
            if position <= matched {
                if committed.term(position) == terms[offset] && committed.digest(position) == digests[offset] { continue }
                unfold(from: position, committed: committed)
            }
            if position <= length {
                let slot = tailHead + position - matched - 1
                if tailTerms[slot] == CommittedLog.unknownTerm { unknownEntryCount -= 1 }
                tailTerms[slot] = terms[offset]
                tailDigests[slot] = digests[offset]
            } else {
                tailTerms.append(terms[offset])
                tailDigests.append(digests[offset])
                length += 1
            }
        }
        return contiguous
    }

    /// Keeps the first `newLength` entries.
    mutating func truncate(to newLength: Int) {
        guard newLength < length else { return }
        if newLength <= matched {
            matched = newLength
            tailTerms.removeAll(keepingCapacity: true)
            tailDigests.removeAll(keepingCapacity: true)
            tailHead = 0
            unknownEntryCount = 0
        } else {
            let keep = tailHead + newLength - matched
            for position in keep..<tailTerms.count where tailTerms[position] == CommittedLog.unknownTerm { unknownEntryCount -= 1 }
            tailTerms.removeSubrange(keep...)
            tailDigests.removeSubrange(keep...)
        }
        length = newLength
    }

    /// A restart: the durable log has `durableLength` entries. Entries past it were never
    /// durable; entries missing below it had their events lost and become unknown.
    mutating func restart(durableLength: Int) {
        if durableLength < length { truncate(to: durableLength) } else { padUnknown(to: durableLength) }
    }

    /// The previous incarnation's trace was cut by a crash: its lost last events may have
    /// truncated the log and written other entries in their place, so every entry above
    /// `keptLength` may differ from what the events said and becomes unknown. The first
    /// `keptLength` entries (those the node had committed) stay.
    mutating func forget(above keptLength: Int, committed: CommittedLog) {
        precondition(keptLength >= 0, "kept length \(keptLength) is negative")
        guard keptLength < length else { return }
        if keptLength < matched { unfold(from: keptLength + 1, committed: committed) }
        for position in (tailHead + keptLength - matched)..<tailTerms.count where tailTerms[position] != CommittedLog.unknownTerm {
            tailTerms[position] = CommittedLog.unknownTerm
            tailDigests[position] = 0
            unknownEntryCount += 1
        }
        assert(unknownEntryCount <= tailCount, "more unknown entries than unmatched ones")
    }

    /// Replaces entry `index` with `term` and `digest` if it is unknown (an event pinned it:
    /// a commit of a known committed entry, a delivery, the leader's log it agreed with);
    /// a known entry, or one outside the unmatched part of the log, stays as it is.
    mutating func fillUnknown(_ index: Int, term: UInt64, digest: UInt64) {
        guard index > matched && index <= length else { return }
        let position = tailHead + index - matched - 1
        guard tailTerms[position] == CommittedLog.unknownTerm else { return }
        tailTerms[position] = term
        tailDigests[position] = digest
        unknownEntryCount -= 1
    }

    /// Moves entries equal to the committed log's into the matched prefix, up to `limit`, the
    /// node's commit index: an unknown entry there is one the node committed, so once the
    /// committed log knows that index the entry is taken to be the committed one.
    mutating func fold(upTo limit: Int, committed: CommittedLog) {
        while matched < limit && tailCount > 0 && committed.isKnown(matched + 1) {
            if tailTerms[tailHead] == CommittedLog.unknownTerm {
                unknownEntryCount -= 1
            } else if tailTerms[tailHead] != committed.term(matched + 1) || tailDigests[tailHead] != committed.digest(matched + 1) {
                break
            }
            tailHead += 1
            matched += 1
        }
        if tailHead > 4_096 && tailHead * 2 > tailTerms.count {
            tailTerms.removeSubrange(..<tailHead)
            tailDigests.removeSubrange(..<tailHead)
            tailHead = 0
        }
    }

    private mutating func padUnknown(to newLength: Int) {
        guard newLength > length else { return }
        let added = newLength - length
        tailTerms.append(contentsOf: repeatElement(CommittedLog.unknownTerm, count: added))
        tailDigests.append(contentsOf: repeatElement(0, count: added))
        unknownEntryCount += added
        length = newLength
    }

    /// Makes entries `from...matched` explicit again (an overwrite inside the matched prefix).
    private mutating func unfold(from index: Int, committed: CommittedLog) {
        var terms: [UInt64] = []
        var digests: [UInt64] = []
        for position in index...matched {
            terms.append(committed.term(position))
            digests.append(committed.digest(position))
        }
        tailTerms.replaceSubrange(..<tailHead, with: terms)
        tailDigests.replaceSubrange(..<tailHead, with: digests)
        tailHead = 0
        matched = index - 1
    }
}
