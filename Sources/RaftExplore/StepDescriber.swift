import RaftCheck
import RaftCore

/// Turns a model action into a `StateDocument.StepDescription`, reading the delivered item
/// from the state the action is taken in (the model labels a delivery by its item).
enum StepDescriber {
    /// `action`, labelled `label`, taken in the state `before` shows.
    static func describe(_ action: RaftAction, label: String, in before: ClusterSnapshot) -> StateDocument.StepDescription {
        switch action {
        case .deliver(let reference):
            guard let envelope = before.network.first(where: { $0.label == label }) else {
                preconditionFailure("delivered item \"\(label)\" is not in flight before the step")
            }
            return StateDocument.StepDescription(label: label, kind: "deliver", node: reference.to,
                                                 from: ItemSummary.sender(of: envelope.item),
                                                 message: ItemSummary.name(of: envelope.item), timer: nil,
                                                 summary: ItemSummary.summary(of: envelope.item))
        case .timeout(let id, let kind):
            return StateDocument.StepDescription(label: label, kind: "timeout", node: id, from: nil, message: nil,
                                                 timer: kind.rawValue, summary: "\(kind.rawValue) timeout")
        case .crash(let id):
            return StateDocument.StepDescription(label: label, kind: "crash", node: id, from: nil, message: nil,
                                                 timer: nil, summary: "crash")
        case .restart(let id):
            return StateDocument.StepDescription(label: label, kind: "restart", node: id, from: nil, message: nil,
                                                 timer: nil, summary: "restart")
        case .crashInBatch(let crash):
            return StateDocument.StepDescription(label: label, kind: "crash", node: crash.server, from: nil, message: nil,
                                                 timer: nil, summary: "crash inside a batch after \(crash.durableChanges) of \(crash.changeCount) writes")
        case .snapshot(let id):
            return StateDocument.StepDescription(label: label, kind: "snapshot", node: id, from: nil, message: nil,
                                                 timer: nil, summary: "snapshot through the commit index")
        case .changeMembership(let id, let change):
            return StateDocument.StepDescription(label: label, kind: "membership", node: id, from: nil, message: nil,
                                                 timer: nil, summary: "\(change) (asked of the leader)")
        case .transferLeadership(let id, let target):
            return StateDocument.StepDescription(label: label, kind: "transfer", node: id, from: nil, message: nil,
                                                 timer: nil, summary: "hand leadership to \(target) (asked of the leader)")
        }
    }
}
