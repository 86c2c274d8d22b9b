import Foundation
@testable import RaftLab
import RaftCore
import Testing

/// The seeded schedule and the options of `raftlab chaos`: no processes, milliseconds.
@Suite("Chaos schedule and options")
struct ChaosScheduleTests {
    func options(seed: UInt64, nemeses: [NemesisKind] = NemesisKind.allCases) -> ChaosOptions {
        var options = ChaosOptions()
        options.seed = seed
        options.nemeses = nemeses
        options.intervalSeconds = 2
        options.durationSeconds = 60
        return options
    }

    @Test("one seed gives one schedule; another seed gives another")
    func seedFixesTheSchedule() {
        let first = options(seed: 11).schedule
        #expect(first == options(seed: 11).schedule)
        #expect(first != options(seed: 12).schedule)
        #expect(first.seed == 11)
    }

    @Test("faults start one interval apart, never overlap, and all heal before the duration ends")
    func stepsDoNotOverlap() {
        let schedule = options(seed: 5).schedule
        #expect(schedule.steps.count == 29, "faults at 2, 4, ..., 58 s, each healed 1 s later")
        for (position, step) in schedule.steps.enumerated() {
            #expect(step.atSeconds == Double(position + 1) * 2)
            #expect(step.healAfterSeconds == 1)
            #expect(step.atSeconds + step.healAfterSeconds <= 60)
        }
    }

    @Test("every kind comes once per cycle, in an order the seed shuffles")
    func kindsCycleEvenly() {
        let kinds = NemesisKind.allCases
        var orders: Set<[NemesisKind]> = []
        for seed in 1...20 as ClosedRange<UInt64> {
            let steps = options(seed: seed).schedule.steps
            for cycle in 0..<(steps.count / kinds.count) {
                let slice = steps[(cycle * kinds.count)..<((cycle + 1) * kinds.count)].map(\.kind)
                #expect(Set(slice) == Set(kinds), "seed \(seed) cycle \(cycle)")
                orders.insert(slice)
            }
        }
        #expect(orders.count > 10, "the order is shuffled, not fixed")
    }

    @Test("choices drawn from the seed are valid: a node of the cluster, a proper minority, a direction")
    func choicesAreValid() {
        for seed in 1...50 as ClosedRange<UInt64> {
            for step in options(seed: seed).schedule.steps {
                switch step.kind {
                case .kill, .pause, .transferLeader, .removeMember, .killDuringInstall:
                    #expect((0..<5).contains(step.node ?? -1))
                case .partitionSplit:
                    let minority = step.minority ?? []
                    #expect(minority.count == 2 && Set(minority).count == 2 && minority.allSatisfy { (0..<5).contains($0) })
                case .partitionOneWay:
                    #expect(step.losesOutbound != nil)
                case .killLeader, .pauseLeader, .partitionLeader, .addMember:
                    #expect(step.node == nil && step.minority == nil)
                }
            }
        }
    }

    @Test("--nemesis words, groups and mistakes")
    func parsesNemesisLists() throws {
        #expect(try NemesisKind.parseList("kill-leader,kill,pause,partition")
                == [.killLeader, .kill, .pause, .partitionLeader, .partitionSplit, .partitionOneWay])
        #expect(try NemesisKind.parseList("kill, kill,pause-leader") == [.kill, .pauseLeader])
        #expect(try NemesisKind.parseList("all") == NemesisKind.allCases)
        #expect(throws: LabError.self) { try NemesisKind.parseList("kill,explode") }
        #expect(throws: LabError.self) { try NemesisKind.parseList("") }
        do {
            _ = try NemesisKind.parseList("kill,explode")
        } catch let error as LabError {
            #expect(error.description.contains("'explode'") && error.description.contains("kill-leader"))
        }
    }

    @Test("bad options give one line naming the flag")
    func validation() {
        func problem(_ change: (inout ChaosOptions) -> Void) -> String? {
            var options = ChaosOptions()
            change(&options)
            do {
                try options.validate()
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.cluster.nodes = 2 }?.hasPrefix("--nodes") == true)
        #expect(problem { $0.intervalSeconds = 0 }?.hasPrefix("--interval") == true)
        #expect(problem { $0.durationSeconds = -1 }?.hasPrefix("--duration") == true)
        #expect(problem { $0.faultSeconds = 5 }?.hasPrefix("--fault-duration") == true)
        #expect(problem { $0.durationSeconds = 6 }?.hasPrefix("--duration") == true, "5 s interval + 2.5 s fault does not fit in 6 s")
        #expect(problem { $0.cluster.requestTimeoutMs = 0 }?.hasPrefix("--request-timeout") == true)
        for text in [problem { $0.cluster.nodes = 2 }, problem { $0.faultSeconds = 5 }] {
            #expect(text?.contains("\n") == false)
        }
    }

    @Test("the reproducing command names every setting and the seed")
    func reproduceCommand() {
        var options = options(seed: 3, nemeses: [.killLeader, .partitionSplit])
        options.faultSeconds = 0.5
        options.cluster.clients = 2
        options.cluster.checkQuorum = false
        let command = options.reproduceCommand(seed: 77)
        #expect(command.hasPrefix("raftlab chaos --nodes 5 --nemesis kill-leader,partition-split --interval 2 --duration 60 --fault-duration 0.5"))
        #expect(command.contains("--election-timeout 150-300 --heartbeat 50 --no-check-quorum --clients 2"))
        #expect(command.hasSuffix("--request-timeout 1000 --seed 77"))
    }
}
