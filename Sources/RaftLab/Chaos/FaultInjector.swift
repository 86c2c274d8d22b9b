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
    /// The members now: the founding nodes, changed by `add-member` and `remove-member`.
    private(set) var nodes: [NodeID]
    /// The founding nodes, in the order the schedule drew from.
    private let founders: [NodeID]
    private(set) var active: ActiveFault?
    /// Control commands that could not be delivered (a node that died on its own, ...).
    private(set) var warnings: [String] = []
    /// Why the last `inject` that returned nil skipped its fault.
    private(set) var skipReason = ""

    /// Seconds to wait for a node's answer to a status or control request.
    static let answerSeconds = 1.0
    /// Seconds to wait for a leader before a fault aimed at it is skipped.
    static let leaderWaitSeconds = 5.0

    init(launcher: ClusterLauncher, trace: TraceWriter) {
        self.launcher = launcher
        self.trace = trace
        nodes = launcher.client.nodeIDs
        founders = nodes
    }

    /// Seconds a membership change may take (a new member catches up first).
    static let membershipSeconds = 20.0

    /// The member the schedule's `id` stands for now: itself while it is a member, else the
    /// member at its founding position (a node the schedule drew may have been replaced).
    func resolve(_ id: NodeID) -> NodeID {
        if nodes.contains(id) { return id }
        return nodes[(founders.firstIndex(of: id) ?? max(id, 0)) % nodes.count]
    }

    /// `step` with the nodes it names resolved to current members.
    private func resolved(_ step: ChaosSchedule.Step) -> ChaosSchedule.Step {
        var step = step
        step.node = step.node.map(resolve)
        if let minority = step.minority {
            var mapped: [NodeID] = []
            for id in minority.map(resolve) where !mapped.contains(id) { mapped.append(id) }
            step.minority = mapped.sorted()
        }
        return step
    }

    /// Adds a fresh member through `raftlab member add`'s steps (the launcher starts it and
    /// its client adopts it); returns its id, or nil (with a warning) when the change did not
    /// complete.
    private func addMember(_ why: String) async -> NodeID? {
        do {
            let added = try await MembershipOperator.add(run: launcher.run.layout.directory, id: nil, learnerOnly: false,
                                                         timeout: .milliseconds(Int64(Self.membershipSeconds * 1000)), say: { _ in }).id
            nodes.append(added)
            return added
        } catch {
            warnings.append("add a member (\(why)): \(error)")
            return nil
        }
    }

    /// Removes member `id` through `raftlab member remove`'s steps (the launcher stops it and
    /// its client retires it); false (with a warning) when the change did not complete.
    private func removeMember(_ id: NodeID, _ why: String) async -> Bool {
        do {
            _ = try await MembershipOperator.remove(run: launcher.run.layout.directory, id: id,
                                                    timeout: .milliseconds(Int64(Self.membershipSeconds * 1000)), say: { _ in })
            nodes.removeAll { $0 == id }
            return true
        } catch {
            warnings.append("remove node \(id) (\(why)): \(error)")
            return false
        }
    }

    /// Injects `step`; returns what happened, or nil when it was skipped (`skipReason`: no
    /// leader to aim at within `leaderWaitSeconds`, or a membership change that did not
    /// complete).
    func inject(_ planned: ChaosSchedule.Step) async throws -> Happening? {
        precondition(active == nil, "faults never overlap")
        let step = resolved(planned)
        var leader: NodeStatus?
        if step.kind.targetsLeader {
            leader = await currentLeader()
            guard leader != nil else {
                skipReason = "no leader within \(Int(Self.leaderWaitSeconds)) s"
                return nil
            }
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
        case .killDuringInstall:
            guard let every = launcher.cluster.snapshotEvery else {
                skipReason = "it needs --snapshot-every (a leader must compact past the victim's log)"
                return nil
            }
            guard let leaderNow = await currentLeader() else {
                skipReason = "no leader within \(Int(Self.leaderWaitSeconds)) s"
                return nil
            }
            var victim = step.node!
            if victim == leaderNow.id { victim = nodes[(nodes.firstIndex(of: victim)! + 1) % nodes.count] }
            let victimLog = (try? await launcher.client.statusAsync(victim, timeout: .seconds(1)))?.lastIndex ?? 0
            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            try record(.kill, [victim], "to die again inside a snapshot install", at: startedUs)
            // The leader's snapshot must cover the victim's log and the entries kept behind it.
            let needed = victimLog + min(RaftLimits.entriesKeptAfterSnapshot, every) + every + 1
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            while clock.now < deadline, (await currentLeader()?.commitIndex ?? 0) < needed || launcher.processes.isRunning(victim) {
                try? await Task.sleep(for: .milliseconds(20))
            }
            try launcher.processes.start(victim, environment: [Failpoints.environmentVariable: "snapshot-written@\(victim)?install=1*kill"])
            fault = ActiveFault(step: step, targets: [victim],
                                text: "kill -9 node \(victim), started again to die inside its snapshot install")
        case .addMember:
            guard let added = await addMember("the fault") else {
                skipReason = "the new member did not join within \(Int(Self.membershipSeconds)) s (see the warnings)"
                return nil
            }
            try record(.addMember, [added], "joined as a learner, caught up, promoted", at: startedUs)
            fault = ActiveFault(step: step, targets: [added], text: "add node \(added) as a member")
        case .removeMember:
            let victim = step.node!
            guard await removeMember(victim, "the fault") else {
                skipReason = "node \(victim)'s removal did not complete within \(Int(Self.membershipSeconds)) s (see the warnings)"
                return nil
            }
            try record(.removeMember, [victim], "removed and stopped", at: startedUs)
            fault = ActiveFault(step: step, targets: [victim], text: "remove node \(victim) from the members")
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
        case .killDuringInstall:
            let victim = fault.targets[0]
            var note = "it died inside its snapshot install"
            if launcher.processes.isRunning(victim) {
                // The failpoint did not fire (no install came): start it without it.
                note = "it had not installed a snapshot"
                launcher.processes.kill9(victim)
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(5)
                while launcher.processes.isRunning(victim), clock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            }
            try launcher.processes.start(victim)
            try record(.restart, [victim], reason ?? note, at: startedUs)
            text = "restart node \(victim) (\(note))"
        case .addMember:
            let added = fault.targets[0]
            if await removeMember(added, "the fault's end") {
                try record(.removeMember, [added], reason, at: startedUs)
                text = "remove node \(added) again"
            } else {
                text = "node \(added) stays a member (its removal did not complete)"
            }
        case .removeMember:
            if let replacement = await addMember("the fault's end") {
                try record(.addMember, [replacement], reason, at: startedUs)
                text = "add node \(replacement) in place of node \(fault.targets[0])"
            } else {
                text = "no member replaces node \(fault.targets[0]) (its addition did not complete)"
            }
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
