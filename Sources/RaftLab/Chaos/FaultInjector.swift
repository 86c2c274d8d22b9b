import Foundation
import RaftCore
import RaftRuntime
import RaftTrace

/// Carries out a chaos schedule's faults on a running cluster and undoes them, recording
/// each fault and each heal as a `nemesis` event in `chaos.jsonl.gz` (flushed at once, so
/// the record survives even if the chaos process dies).
///
/// Faults never overlap: `inject` is called only when nothing is active. Used from one task.
final class FaultInjector {
    /// A fault that struck and is not healed yet.
    struct ActiveFault {
        var step: ChaosSchedule.Step
        /// The nodes the fault cut off, killed or paused (the `targets` of its events).
        var targets: [NodeID]
        /// Partitions: the nodes that were told to drop traffic (they must be told to heal).
        var ruledNodes: [NodeID] = []
        /// What the user reads.
        var text: String
    }

    /// A fault (or heal) as it happened, for the console.
    struct Happening {
        var timestampUs: Int64
        var text: String
    }

    let launcher: ClusterLauncher
    let trace: TraceWriter
    let nodes: [NodeID]
    private(set) var active: ActiveFault?
    /// Control commands that could not be delivered (a node that died on its own, ...).
    private(set) var warnings: [String] = []

    /// Seconds to wait for a node's answer to a status or control request.
    static let answerSeconds = 1.0
    /// Seconds to wait for a leader before a fault aimed at it is skipped.
    static let leaderWaitSeconds = 5.0

    init(launcher: ClusterLauncher, trace: TraceWriter) {
        self.launcher = launcher
        self.trace = trace
        nodes = launcher.client.nodeIDs
    }

    /// Injects `step`; returns what happened, or nil when it was skipped (no leader to aim
    /// at within `leaderWaitSeconds`).
    func inject(_ step: ChaosSchedule.Step) async throws -> Happening? {
        precondition(active == nil, "faults never overlap")
        var leader: NodeStatus?
        if step.kind.targetsLeader {
            leader = await currentLeader()
            guard leader != nil else { return nil }
        }
        let startedUs = TraceClock.nowUs()
        let fault: ActiveFault
        switch step.kind {
        case .killLeader, .kill:
            let victim = leader?.id ?? step.node!
            let role = leader.map { "leader of term \($0.term)" } ?? "chosen by the seed"
            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            try record(.kill, [victim], role, at: startedUs)
            fault = ActiveFault(step: step, targets: [victim], text: "kill -9 node \(victim) (\(role))")
        case .pause, .pauseLeader:
            let victim = leader?.id ?? step.node!
            let role = leader.map { "leader of term \($0.term)" } ?? "chosen by the seed"
            launcher.processes.signal(victim, SIGSTOP)
            try record(.pause, [victim], role, at: startedUs)
            fault = ActiveFault(step: step, targets: [victim], text: "pause node \(victim) (SIGSTOP, \(role))")
        case .partitionLeader, .partitionSplit, .partitionOneWay:
            let plan = PartitionPlan(step: step, leader: leader?.id, nodes: nodes)
            try record(.partition, plan.cutOff, plan.detail, at: startedUs)
            await apply(plan.rules)
            fault = ActiveFault(step: step, targets: plan.cutOff, ruledNodes: plan.rules.keys.sorted(), text: "partition: \(plan.detail)")
        case .transferLeader:
            let from = leader!.id
            let drawn = step.node ?? nodes[0]
            let target = drawn != from ? drawn : nodes[(nodes.firstIndex(of: drawn)! + 1) % nodes.count]
            let detail = "node \(from) (leader of term \(leader!.term)) to node \(target)"
            try record(.transfer, [from, target], detail, at: startedUs)
            do {
                _ = try await launcher.client.transferLeaderAsync(at: from, to: target)
            } catch {
                warnings.append("leadership transfer \(detail): \(error)")
            }
            fault = ActiveFault(step: step, targets: [from, target], text: "hand leadership from \(detail)")
        }
        active = fault
        return Happening(timestampUs: startedUs, text: fault.text)
    }

    /// Undoes the active fault (if any): restart, resume or heal.
    func healActive(reason: String? = nil) async throws -> Happening? {
        guard let fault = active else { return nil }
        let startedUs = TraceClock.nowUs()
        let text: String
        switch fault.step.kind {
        case .killLeader, .kill:
            for victim in fault.targets { try launcher.processes.start(victim) }
            try record(.restart, fault.targets, reason, at: startedUs)
            text = "restart node \(NodeGroups.list(fault.targets))"
        case .pause, .pauseLeader:
            for victim in fault.targets { launcher.processes.signal(victim, SIGCONT) }
            try record(.resume, fault.targets, reason, at: startedUs)
            text = "resume node \(NodeGroups.list(fault.targets)) (SIGCONT)"
        case .partitionLeader, .partitionSplit, .partitionOneWay:
            try record(.heal, fault.targets, reason, at: startedUs)
            await apply(Dictionary(uniqueKeysWithValues: fault.ruledNodes.map { ($0, [ControlCommand.heal]) }))
            text = "heal the network"
        case .transferLeader:
            text = "leadership transfer over" // nothing to undo
        }
        active = nil
        return Happening(timestampUs: startedUs, text: text + (reason.map { " (\($0))" } ?? ""))
    }

    /// The end of the chaos period: undoes the active fault, then makes sure every node runs,
    /// is not paused, and drops nothing.
    func healEverything() async throws -> [Happening] {
        var happened: [Happening] = []
        if let healed = try await healActive(reason: "final heal") { happened.append(healed) }
        for node in nodes where !launcher.processes.isRunning(node) {
            let startedUs = TraceClock.nowUs()
            try launcher.processes.start(node)
            try record(.restart, [node], "final heal: it had died", at: startedUs)
            happened.append(Happening(timestampUs: startedUs, text: "restart node \(node) (it had died on its own)"))
        }
        await apply(Dictionary(uniqueKeysWithValues: nodes.map { ($0, [ControlCommand.heal]) }), quiet: true)
        try trace.flush()
        return happened
    }

    /// The leader with the highest term among the nodes that answer now, waiting up to
    /// `leaderWaitSeconds` for one.
    func currentLeader() async -> NodeStatus? {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(Self.leaderWaitSeconds * 1000))
        while clock.now < deadline {
            let statuses = await statusOfAll()
            if let leader = statuses.leaderOfHighestTerm { return leader }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// The status of every node that answers within `answerSeconds`.
    func statusOfAll() async -> [NodeStatus] {
        let client = launcher.client
        return await withTaskGroup(of: NodeStatus?.self) { group in
            for node in nodes where launcher.processes.isRunning(node) {
                group.addTask { try? await withDeadline(seconds: Self.answerSeconds, "status of node \(node)") { try await client.statusAsync(node) } }
            }
            var statuses: [NodeStatus] = []
            for await status in group { if let status { statuses.append(status) } }
            return statuses
        }
    }

    private func apply(_ rules: [NodeID: [ControlCommand]], quiet: Bool = false) async {
        let client = launcher.client
        let failures: [String] = await withTaskGroup(of: String?.self) { group in
            for (node, commands) in rules {
                group.addTask {
                    do {
                        for command in commands {
                            try await withDeadline(seconds: Self.answerSeconds, "control of node \(node)") { try await client.controlAsync(node, command) }
                        }
                        return nil
                    } catch {
                        return "node \(node) did not take its network rules: \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if !quiet { warnings.append(contentsOf: failures.sorted()) }
    }

    private func record(_ action: NemesisAction, _ targets: [NodeID], _ detail: String?, at timestampUs: Int64) throws {
        try trace.write(.nemesis(action: action, targets: targets.sorted(), detail: detail), term: 0, timestampUs: timestampUs)
        try trace.flush()
    }
}

extension NodeGroups {
    /// `3` or `1,3`.
    static func list(_ nodes: [NodeID]) -> String { nodes.sorted().map(String.init).joined(separator: ",") }
}
