import RaftTrace

extension TraceEventType {
    /// A distinct index below `allCases.count`, for counting per type in a flat array.
    var ordinal: Int {
        switch self {
        case .start: return 0
        case .term: return 1
        case .role: return 2
        case .vote: return 3
        case .leader: return 4
        case .propose: return 5
        case .append: return 6
        case .truncate: return 7
        case .commit: return 8
        case .deliver: return 9
        case .persist: return 10
        case .send: return 11
        case .recv: return 12
        case .stop: return 13
        case .forward: return 14
        case .buffered: return 15
        case .proposalRejected: return 16
        case .voteIgnoredInLease: return 17
        case .lostQuorum: return 18
        case .invoke: return 19
        case .ok: return 20
        case .fail: return 21
        case .timeout: return 22
        case .nemesis: return 23
        case .invalidMessage: return 24
        case .snapshot: return 25
        case .install: return 26
        case .transfer: return 27
        case .member: return 28
        }
    }
}
