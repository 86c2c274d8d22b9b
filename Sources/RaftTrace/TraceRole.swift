/// A node's role as written in `role` events (`role` and `prev` fields).
public enum TraceRole: String, CaseIterable, Hashable, Sendable {
    case follower
    case preCandidate = "precandidate"
    case candidate
    case leader
}
