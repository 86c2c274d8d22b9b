@testable import RaftLab
import RaftCore
import RaftRuntime
import Testing

/// The rules a chaos partition puts on a node's transport.
@Suite("Partition rules")
struct PartitionRulesTests {
    @Test("dropping peers cuts exactly the links and directions named; heal restores every link")
    func dropAndHeal() {
        let rules = PartitionRules()
        #expect(rules.sends(to: 1) && rules.accepts(from: 1))
        let inForce = rules.apply(.dropPeers(peers: NodeSet([1, 2]), direction: .outbound))
        #expect(inForce.dropOut == [1, 2] && inForce.dropIn.isEmpty)
        #expect(!rules.sends(to: 1) && !rules.sends(to: 2) && rules.sends(to: 3))
        #expect(rules.accepts(from: 1) && rules.accepts(from: 2))
        rules.apply(.dropPeers(peers: NodeSet([3]), direction: .inbound))
        #expect(!rules.accepts(from: 3) && rules.sends(to: 3))
        rules.apply(.heal)
        #expect(rules.sends(to: 1) && rules.sends(to: 2) && rules.accepts(from: 3))
    }
}
