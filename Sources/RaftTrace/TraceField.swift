/// The JSON fields the scanner knows, with the JSON kind each must have.
enum TraceField: Int, CaseIterable, Sendable {
    case v, ts, node, inc, seq, type, term
    case logLen, commit, vote, from, role, prev, candidate, granted, pre
    case lastIndex, lastTerm, req, index, count, entryTerms, digests, len
    case entryTerm, digest, us, to, msg, mid, reason, heardFrom, client, action, targets, detail
    case reqs, bytes, compacted, aborted, voters, learners

    /// What a field's value must look like.
    enum Kind {
        /// A JSON integer (or `null`, read as absent).
        case integer
        /// `true` or `false`.
        case boolean
        /// A JSON string.
        case string
        /// An array of integers.
        case integers
        /// An array of hex-digit strings.
        case digests
        /// An array of request ids: integers, or strings as `req` allows.
        case requests
    }

    /// The JSON spelling.
    var name: String {
        switch self {
        case .logLen: return "log_len"
        case .lastIndex: return "last_index"
        case .lastTerm: return "last_term"
        case .entryTerms: return "entry_terms"
        case .entryTerm: return "entry_term"
        case .heardFrom: return "heard_from"
        default: return String(describing: self)
        }
    }

    var kind: Kind {
        switch self {
        case .type, .role, .prev, .msg, .digest, .reason, .action, .detail: return .string
        case .granted, .pre, .aborted: return .boolean
        case .entryTerms, .targets, .voters, .learners: return .integers
        case .digests: return .digests
        case .reqs: return .requests
        default: return .integer
        }
    }

    /// This field's bit in a presence mask.
    var bit: UInt64 {
        @inline(__always) get { 1 << UInt64(rawValue) }
    }

    static let table = PackedNameTable(allCases.map { ($0.name, $0) })
}
