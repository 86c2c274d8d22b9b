import RaftCore

/// What a node answers an operator's membership change (`WireFrame.changeMembership`,
/// `RaftSession.changeMembership`): the leader appended it at `index` (in force now; it
/// counts once that index commits), or it was refused and why.
public enum MembershipAnswer: Hashable, Sendable, CustomStringConvertible {
    /// The new configuration is the log entry at `index`.
    case appended(index: Int)
    /// Not appended: `reason` says why (`MembershipRefusal`'s text, e.g. "not the leader").
    case refused(reason: String)

    public var description: String {
        switch self {
        case .appended(let index): return "appended at index \(index)"
        case .refused(let reason): return "refused: \(reason)"
        }
    }
}
