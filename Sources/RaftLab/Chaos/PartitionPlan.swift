import RaftCore
import RaftRuntime

/// The network rules of one partition step: which nodes drop traffic with which peers, in
/// which direction, and how the trace names it. Both ends of every cut link drop, so no
/// message in flight slips through.
struct PartitionPlan {
    /// Control commands per node.
    var rules: [NodeID: [ControlCommand]] = [:]
    /// The side cut off from the rest (the `targets` of the `partition` and `heal` events):
    /// the isolated leader, the minority, or the node whose traffic is lost one way.
    var cutOff: [NodeID]
    /// The partition as the trace's `detail` shows it, e.g. `{0,1} | {2,3,4}`.
    var detail: String

    /// The plan of `step` in a cluster of `nodes` where `leader` leads (nil only for a split).
    init(step: ChaosSchedule.Step, leader: NodeID?, nodes: [NodeID]) {
        switch step.kind {
        case .partitionLeader:
            let isolated = leader!
            let others = nodes.filter { $0 != isolated }
            cutOff = [isolated]
            detail = "leader \(isolated) isolated: \(NodeGroups.describe([isolated])) | \(NodeGroups.describe(others))"
            Self.cut([isolated], from: others, into: &rules)
        case .partitionSplit:
            let minority = step.minority!
            let majority = nodes.filter { !minority.contains($0) }
            cutOff = minority
            detail = "\(NodeGroups.describe(minority)) | \(NodeGroups.describe(majority))"
            Self.cut(minority, from: majority, into: &rules)
        case .partitionOneWay:
            let node = leader!
            let others = nodes.filter { $0 != node }
            cutOff = [node]
            if step.losesOutbound ?? true {
                detail = "one-way: \(node) -> \(NodeGroups.describe(others)) lost"
                rules[node, default: []].append(.dropPeers(peers: NodeSet(others), direction: .outbound))
                for other in others { rules[other, default: []].append(.dropPeers(peers: NodeSet([node]), direction: .inbound)) }
            } else {
                detail = "one-way: \(NodeGroups.describe(others)) -> \(node) lost"
                rules[node, default: []].append(.dropPeers(peers: NodeSet(others), direction: .inbound))
                for other in others { rules[other, default: []].append(.dropPeers(peers: NodeSet([node]), direction: .outbound)) }
            }
        case .killLeader, .kill, .pause, .pauseLeader, .transferLeader, .addMember, .removeMember, .killDuringInstall:
            preconditionFailure("\(step.kind) is not a partition")
        }
        precondition(!cutOff.isEmpty && cutOff.count < nodes.count, "a partition cuts off a proper, non-empty side")
    }

    /// Both sides drop each other's traffic both ways.
    private static func cut(_ side: [NodeID], from rest: [NodeID], into rules: inout [NodeID: [ControlCommand]]) {
        for node in side { rules[node, default: []].append(.dropPeers(peers: NodeSet(rest), direction: .both)) }
        for node in rest { rules[node, default: []].append(.dropPeers(peers: NodeSet(side), direction: .both)) }
    }
}
