/// One spelling of each refusal everywhere: a name (traces, client histories, logs) and a
/// code (the wire), with the number it carries.
extension ProposalRejection {
    /// The stable snake_case name: `invalid_request_id`, `payload_too_large`, `buffer_full`,
    /// `too_many_hops`, `too_many_uncommitted`, `duplicate`.
    public var name: String {
        switch self {
        case .invalidRequestID: return "invalid_request_id"
        case .payloadTooLarge: return "payload_too_large"
        case .bufferFull: return "buffer_full"
        case .tooManyHops: return "too_many_hops"
        case .tooManyUncommitted: return "too_many_uncommitted"
        case .duplicate: return "duplicate"
        }
    }

    /// The wire code (docs/WIRE_FORMAT.md): 1 to 6 in the order of `name`'s list.
    public var code: UInt8 {
        switch self {
        case .invalidRequestID: return 1
        case .payloadTooLarge: return 2
        case .bufferFull: return 3
        case .tooManyHops: return 4
        case .tooManyUncommitted: return 5
        case .duplicate: return 6
        }
    }

    /// The number the refusal carries: the payload's bytes, the duplicate's log index, else 0.
    public var detail: Int {
        switch self {
        case .payloadTooLarge(let bytes): return bytes
        case .duplicate(let index): return index
        case .invalidRequestID, .bufferFull, .tooManyHops, .tooManyUncommitted: return 0
        }
    }

    /// The refusal with wire code `code` carrying `detail`; `nil` for an unknown code, or a
    /// detail other than 0 where the refusal carries no number (one byte form per refusal).
    public init?(code: UInt8, detail: Int) {
        switch code {
        case 2: self = .payloadTooLarge(bytes: detail)
        case 6: self = .duplicate(index: detail)
        case 1 where detail == 0: self = .invalidRequestID
        case 3 where detail == 0: self = .bufferFull
        case 4 where detail == 0: self = .tooManyHops
        case 5 where detail == 0: self = .tooManyUncommitted
        default: return nil
        }
    }
}
