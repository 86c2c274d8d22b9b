/// Per-entry facts of lines that may carry many entries, read one entry at a time: every
/// consumer sees a run of entries exactly as the same entries in lines of one entry each
/// (docs/TRACE_FORMAT.md, "Entries in runs").
extension TraceBody {
    /// Calls `body` for each entry this line delivers, in index order: once for a `deliver`
    /// of one entry, once per entry for a run (`deliverRun`), never for other events.
    @inline(__always)
    public func forEachDelivery(_ body: (_ index: Int, _ entryTerm: UInt64, _ digest: UInt64, _ request: UInt64) throws -> Void) rethrows {
        switch self {
        case .deliver(let index, let entryTerm, let digest, let request):
            try body(index, entryTerm, digest, request)
        case .deliverRun(let index, let entryTerms, let digests, let requests):
            precondition(digests.count == entryTerms.count && requests.count == entryTerms.count,
                         "deliver run: \(entryTerms.count) terms, \(digests.count) digests, \(requests.count) requests")
            for offset in entryTerms.indices {
                try body(index + offset, entryTerms[offset], digests[offset], requests[offset])
            }
        default:
            break
        }
    }

    /// Calls `body` for each client request this line says the node (as leader) accepted,
    /// with its log index, in index order: a `propose` line's request, or each non-zero id
    /// of an `append` line's `reqs` (`0` marks an entry no client asked for, such as a new
    /// leader's no-op). Never for other events.
    @inline(__always)
    public func forEachProposal(_ body: (_ request: UInt64, _ index: Int) throws -> Void) rethrows {
        switch self {
        case .propose(let request, let index):
            try body(request, index)
        case .append(let index, _, _, let requests?):
            for (offset, request) in requests.enumerated() where request != 0 { try body(request, index + offset) }
        default:
            break
        }
    }

}
