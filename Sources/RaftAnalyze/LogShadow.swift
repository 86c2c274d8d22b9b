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

    /// Replaces unknown entry `index` (`> matched`) with the committed one.
    mutating func fillUnknown(_ index: Int, term: UInt64, digest: UInt64) {
        let position = tailHead + index - matched - 1
        guard tailTerms[position] == CommittedLog.unknownTerm else { return }
        tailTerms[position] = term
        tailDigests[position] = digest
        unknownEntryCount -= 1
    }

    /// Moves entries equal to the committed log's into the matched prefix, up to `limit`.
    mutating func fold(upTo limit: Int, committed: CommittedLog) {
        while matched < limit && tailCount > 0 && committed.isKnown(matched + 1)
            && tailTerms[tailHead] == committed.term(matched + 1) && tailDigests[tailHead] == committed.digest(matched + 1) {
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
