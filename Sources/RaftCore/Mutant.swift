/// Deliberate bugs that tests, the model checker and chaos experiments switch on to prove
/// that they catch unsafe code. Never set outside a test or a checker run.
///
/// While a mutant is active the core's own safety preconditions are silenced, so that the
/// broken behaviour reaches the cluster-wide properties instead of stopping at the first
/// local assertion.
public enum Mutant: String, Hashable, Sendable, CaseIterable, Codable {
    /// Grant a vote without checking that the candidate's log is up to date.
    case grantVoteWithoutLogCheck = "vote-without-log-check"
    /// Forget the vote on restart (so a node can vote twice in one term).
    case forgetVoteOnRestart = "forget-vote-on-restart"
    /// Commit the highest index a majority holds even if it is from an older term (figure 8).
    case commitOlderTermByCounting = "commit-older-term"
    /// Keep a follower's conflicting entries instead of truncating them.
    case skipConflictTruncation = "skip-truncation"
    /// Adopt a higher term without stepping down from leader or candidate.
    case noStepDownOnHigherTerm = "no-step-down"
    /// Count a vote granted in an earlier term towards the current election.
    case countStaleVotes = "count-stale-votes"
    /// Use `n / 2` instead of `n / 2 + 1` as the majority.
    case majorityOffByOne = "majority-off-by-one"
    /// The node as it ran before the ordering fix: every request (vote requests and forwards
    /// too, not only a leader's log requests) leaves before the batch's durable write, and
    /// vote grants are matched by term alone, not by campaign. A vote request can then vouch
    /// for a term, vote and log that a crash loses, and the restarted node counts the grants
    /// its previous incarnation asked for.
    case sendBeforePersist = "send-before-persist"
    /// Take the application's snapshot through the end of the log instead of the index it
    /// asked for (its applied, committed one): entries that may never commit are compacted
    /// into the snapshot and counted as committed.
    case snapshotAheadOfCommit = "snapshot-ahead-of-commit"

    /// Append a membership change while another one is still uncommitted: a configuration
    /// two servers away from the committed one can then form a majority disjoint from it.
    case twoChangesAtOnce = "two-changes-at-once"
    /// Ask every server the candidate knows of for its vote, learners and servers of the
    /// founding configuration (removed since, perhaps) included, and count every grant: a
    /// server without a vote helps elect a leader.
    case voteFromRemovedMember = "vote-from-removed-member"

    /// Grant every vote a candidate asks for because its leader handed leadership to it
    /// (`VoteRequest.transfer`), skipping the usual checks (a vote already cast in the term,
    /// the candidate's log): a transfer only looks past check-quorum's leader lease.
    case transferVoteUnchecked = "transfer-vote-unchecked"

    /// Whether grants are matched by term alone (the campaign is not checked).
    var ignoresCampaign: Bool { self == .countStaleVotes || self == .sendBeforePersist }
}

extension RaftNode {
    /// A safety precondition that holds for the correct protocol; silenced under a mutant.
    func requireSafe(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        guard options.mutant == nil else { return }
        precondition(condition(), message())
    }
}
