import RaftCore
import RaftSim

/// A lean in-memory cluster for measuring the protocol core alone: FIFO delivery, no
/// invariant checks, persists only counted. Clients keep `proposalsInFlight` proposals
/// outstanding at the leader, in batches of `batchSize`.
public struct CoreBenchmark {
    /// Inputs given to nodes.
    public private(set) var steps = 0
    /// Entries delivered at the leader.
    public private(set) var commits = 0
    /// Messages carried.
    public private(set) var messages = 0

    private var nodes: [RaftNode]
    private var queue: [Message] = []
    private var queueHead = 0
    private var nextRequest: RequestID = 1
    private var outstanding = 0
    private let leader: NodeID = 0
    private let batchSize: Int
    private let proposalsInFlight: Int
    private let payload: [UInt8]

    /// A cluster of `nodeCount` nodes with node 0 elected leader.
    public init(nodeCount: Int, options: ProtocolOptions, batchSize: Int, proposalsInFlight: Int, payloadBytes: Int) {
        precondition(batchSize >= 1 && proposalsInFlight >= batchSize)
        let members = Array(0..<nodeCount)
        nodes = members.map { RaftNode(id: $0, members: members, options: options) }
        self.batchSize = batchSize
        self.proposalsInFlight = proposalsInFlight
        payload = Array(repeating: 0x61, count: payloadBytes)
        for id in members { carry(nodes[id].stepAsBatch(.restart(.initial)), from: id) }
        carry(nodes[leader].stepAsBatch(.electionTimeout), from: leader)
        drain()
        precondition(nodes[leader].role == .leader, "benchmark cluster failed to elect node 0")
    }

    /// Runs until at least `stepsMin` more steps were taken.
    public mutating func run(stepsMin: Int) {
        let target = steps + stepsMin
        while steps < target {
            while outstanding + batchSize <= proposalsInFlight {
                var batch: [Proposal] = []
                batch.reserveCapacity(batchSize)
                for _ in 0..<batchSize {
                    batch.append(Proposal(request: nextRequest, payload: payload))
                    nextRequest += 1
                }
                outstanding += batchSize
                carry(nodes[leader].stepAsBatch(.propose(batch)), from: leader)
            }
            if queueHead == queue.count {
                carry(nodes[leader].stepAsBatch(.heartbeatTimeout), from: leader)
            }
            deliverOne()
        }
    }

    private mutating func drain() {
        while queueHead < queue.count { deliverOne() }
    }

    private mutating func deliverOne() {
        guard queueHead < queue.count else { return }
        let message = queue[queueHead]
        queueHead += 1
        if queueHead > 4096 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        messages += 1
        carry(nodes[message.to].stepAsBatch(.receive(message)), from: message.to)
    }

    private mutating func carry(_ outputs: [Output], from id: NodeID) {
        steps += 1
        for output in outputs {
            switch output {
            case .send(let message):
                queue.append(message)
            case .deliver:
                if id == leader {
                    commits += 1
                    outstanding -= 1
                }
            case .persist, .restore, .resetTimer, .trace, .rejectProposal, .dropMessage, .membershipChanged, .membershipChangeRefused:
                break
            }
        }
    }
}
