import Foundation
import RaftCore

/// The faults of one chaos run, planned from its seed before the run starts: what strikes
/// when, for how long, and every random choice (which node, which sides, which direction).
/// Only "the leader" is resolved when a fault strikes, because no seed can say who leads.
///
/// The same seed, nemeses, cluster size and timings give the same schedule, so a failing
/// run's seed reproduces its faults.
public struct ChaosSchedule: Codable, Sendable, Hashable {
    /// One fault: injected at `atSeconds` after the chaos period began, undone
    /// `healAfterSeconds` later.
    public struct Step: Codable, Sendable, Hashable {
        /// Seconds after the chaos period began.
        public var atSeconds: Double
        /// The fault.
        public var kind: NemesisKind
        /// Seconds the fault lasts before it is undone.
        public var healAfterSeconds: Double
        /// The node a `kill` or `pause` strikes (nil for faults aimed at the leader).
        public var node: NodeID?
        /// The minority side of a `partition-split`.
        public var minority: [NodeID]?
        /// For `partition-one-way`: `true` loses the leader's outgoing messages, `false`
        /// the messages sent to it.
        public var losesOutbound: Bool?

        enum CodingKeys: String, CodingKey {
            case atSeconds = "at_s", kind, healAfterSeconds = "heal_after_s", node, minority, losesOutbound = "loses_outbound"
        }

        /// The step in a few words, e.g. `kill node 3` or `split {0,4} | {1,2,3}`.
        public func summary(nodes: [NodeID]) -> String {
            switch kind {
            case .killLeader: return "kill the leader"
            case .kill: return "kill node \(node ?? -1)"
            case .pause: return "pause node \(node ?? -1)"
            case .pauseLeader: return "pause the leader"
            case .partitionLeader: return "isolate the leader"
            case .partitionSplit:
                let minority = minority ?? []
                return "split \(NodeGroups.describe(minority)) | \(NodeGroups.describe(nodes.filter { !minority.contains($0) }))"
            case .partitionOneWay:
                return (losesOutbound ?? true) ? "lose the leader's outgoing messages" : "lose the messages sent to the leader"
            case .transferLeader:
                return "hand leadership over"
            case .addMember:
                return "add a member"
            case .removeMember:
                return "remove node \(node ?? -1)"
            case .killDuringInstall:
                return "kill node \(node ?? -1) inside a snapshot install"
            }
        }
    }

    /// The seed the schedule was drawn from.
    public var seed: UInt64
    /// Faults in the order they strike; they never overlap.
    public var steps: [Step]

    /// Salt mixed into the seed so the schedule's draws differ from the nodes' timeouts,
    /// which come from the same seed.
    static let seedSalt: UInt64 = 0xC4A0_5EED_0000_0001

    /// Plans faults every `intervalSeconds` (the first after one calm interval) until
    /// `durationSeconds`, each lasting `faultSeconds`, cycling through `kinds` in an order
    /// shuffled by the seed (each kind once per cycle).
    public static func plan(seed: UInt64, kinds: [NemesisKind], nodes: [NodeID], intervalSeconds: Double,
                            durationSeconds: Double, faultSeconds: Double) -> ChaosSchedule {
        precondition(!kinds.isEmpty, "no nemesis to schedule")
        precondition(nodes.count >= ChaosOptions.nodesMin, "chaos needs at least \(ChaosOptions.nodesMin) nodes")
        precondition(intervalSeconds > 0 && faultSeconds > 0 && faultSeconds < intervalSeconds, "a fault must end before the next one")
        var random = SplitMix64(seed: seed ^ seedSalt)
        var deck: [NemesisKind] = []
        var steps: [Step] = []
        var at = intervalSeconds
        while at + faultSeconds <= durationSeconds && steps.count < stepsMax {
            if deck.isEmpty { deck = shuffled(kinds, &random) }
            let kind = deck.removeFirst()
            var step = Step(atSeconds: at, kind: kind, healAfterSeconds: faultSeconds)
            switch kind {
            case .kill, .pause, .transferLeader, .removeMember, .killDuringInstall:
                step.node = nodes[draw(nodes.count, &random)] // a transfer's target: the next member if it is the leader
            case .partitionSplit:
                let minoritySize = (nodes.count - 1) / 2
                step.minority = Array(shuffled(nodes, &random).prefix(minoritySize)).sorted()
            case .partitionOneWay:
                step.losesOutbound = random.next() & 1 == 0
            case .killLeader, .pauseLeader, .partitionLeader, .addMember:
                break
            }
            steps.append(step)
            at += intervalSeconds
        }
        return ChaosSchedule(seed: seed, steps: steps)
    }

    /// Most faults one run schedules (a bound on the plan's size).
    public static let stepsMax = 100_000

    /// A uniform draw from `0..<bound`, spelled out so schedules do not depend on the
    /// standard library's algorithms.
    static func draw(_ bound: Int, _ random: inout SplitMix64) -> Int {
        precondition(bound > 0, "empty range")
        return Int(random.next() % UInt64(bound))
    }

    /// A Fisher-Yates shuffle with `draw`.
    static func shuffled<T>(_ items: [T], _ random: inout SplitMix64) -> [T] {
        var items = items
        for position in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(position, draw(position + 1, &random))
        }
        return items
    }
}

/// Sets of node ids as people read them: `{0,3,4}`.
enum NodeGroups {
    static func describe(_ nodes: [NodeID]) -> String {
        "{" + nodes.sorted().map(String.init).joined(separator: ",") + "}"
    }
}
