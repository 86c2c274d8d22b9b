/// Names one campaign of one candidate, so that a vote counts only for the campaign that
/// asked for it.
///
/// Terms alone do not tell campaigns apart: a node that crashes before its new term is
/// durable comes back in the older term and may campaign in the same term again, and a
/// pre-candidate asks for the same next term in every round. A grant echoed from an earlier
/// incarnation or an earlier pre-vote round vouches for a log the candidate may no longer
/// have, so the candidate ignores it. Within one incarnation and one term there is at most
/// one real election, and pre-vote rounds are numbered.
public struct CampaignID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The candidate's incarnation: its durable storage counts every start (1, 2, …).
    public var incarnation: UInt64
    /// For a pre-vote: which of the candidate's pre-vote rounds in its current term, during
    /// this incarnation (1, 2, …). For a real election: `0` (a node campaigns at most once per
    /// term in one incarnation).
    public var round: UInt64

    public init(incarnation: UInt64, round: UInt64) {
        self.incarnation = incarnation
        self.round = round
    }

    /// No campaign yet (a node that never started one).
    public static let none = CampaignID(incarnation: 0, round: 0)

    public static func < (lhs: CampaignID, rhs: CampaignID) -> Bool {
        (lhs.incarnation, lhs.round) < (rhs.incarnation, rhs.round)
    }

    public var description: String { "\(incarnation).\(round)" }
}
