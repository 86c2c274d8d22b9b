/// Options that cannot work, found before a node starts.
extension ProtocolOptions {
    /// An option that cannot work: which one, its value, and why (one line).
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The `ProtocolOptions` property.
        public var option: String
        /// Its value.
        public var value: Int
        /// What it would break.
        public var reason: String

        public init(option: String, value: Int, reason: String) {
            self.option = option
            self.value = value
            self.reason = reason
        }

        public var description: String { "ProtocolOptions.\(option) \(value) \(reason)" }
    }

    /// The first option that cannot work, or `nil`. The runtime adds what its wire frames
    /// can carry (`NodeTuning.problem`).
    public var problem: Problem? {
        if entriesPerAppendMax < 1 || entriesPerAppendMax > RaftLimits.entriesPerMessageMax {
            return Problem(option: "entriesPerAppendMax", value: entriesPerAppendMax,
                           reason: "is outside 1...\(RaftLimits.entriesPerMessageMax) (a follower refuses more entries per request)")
        }
        if appendPayloadBytesMax < 1 {
            return Problem(option: "appendPayloadBytesMax", value: appendPayloadBytesMax, reason: "must be at least 1")
        }
        if proposalPayloadBytesMax < 0 {
            return Problem(option: "proposalPayloadBytesMax", value: proposalPayloadBytesMax, reason: "is negative")
        }
        if bufferedProposalsMax < 0 {
            return Problem(option: "bufferedProposalsMax", value: bufferedProposalsMax, reason: "is negative")
        }
        if entriesInFlightMax < 1 {
            return Problem(option: "entriesInFlightMax", value: entriesInFlightMax,
                           reason: "must be at least 1 (no entry could ever be sent)")
        }
        if entriesKeptAfterSnapshot < 0 {
            return Problem(option: "entriesKeptAfterSnapshot", value: entriesKeptAfterSnapshot, reason: "is negative")
        }
        if snapshotChunkBytesMax < 1 {
            return Problem(option: "snapshotChunkBytesMax", value: snapshotChunkBytesMax,
                           reason: "must be at least 1 (no snapshot could ever be sent)")
        }
        if uncommittedEntriesMax < 1 {
            return Problem(option: "uncommittedEntriesMax", value: uncommittedEntriesMax,
                           reason: "must be at least 1 (every proposal would be refused)")
        }
        return nil
    }
}
