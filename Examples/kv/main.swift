// A replicated key-value store on raftlab's public API: three nodes in this process, each
// applying the same commands to its own copy of the store (`KeyValueStateMachine`). Clients
// number their requests, so a retry of a request that already ran gets its first answer and
// runs no second time. Then a node restarts and rebuilds the store from its disk.
//
//   swift run kv
import Foundation
import RaftKV
import RaftKVServer
import RaftRuntime

let workDirectory = FileManager.default.temporaryDirectory
    .appendingPathComponent("raftlab-kv-\(ProcessInfo.processInfo.processIdentifier)").path
try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
let nodes = [0, 1, 2]
let peers = Dictionary(uniqueKeysWithValues: nodes.map { ($0, PeerAddress.unix(path: "\(workDirectory)/node-\($0).sock")) })
var machines = nodes.map { _ in KeyValueStateMachine() }

@MainActor func config(_ node: Int) -> RaftConfig {
    var config = RaftConfig(peers: peers, self: node, dataDirectory: "\(workDirectory)/data-\(node)")
    config.deliversMessages = false // the state machine takes the entries
    config.stateMachine = machines[node]
    config.snapshotEveryEntries = 50
    return config
}

var sessions: [RaftSession] = []
for node in nodes { sessions.append(try await Raft(config: config(node)).run()) }

var failures: [String] = []
@MainActor func expect(_ what: String, _ result: KeyValueResult, _ wanted: KeyValueResult) {
    print("  \(what.padding(toLength: 36, withPad: " ", startingAt: 0)) → \(result)")
    if result != wanted { failures.append("\(what): \(result), expected \(wanted)") }
}

print("Alice talks to node 0, Bob to node 2:")
let alice = KeyValueClientSession(session: sessions[0])
let bob = KeyValueClientSession(session: sessions[2])
expect("alice: put city Berlin", try await alice.run(.put(key: "city", value: "Berlin")), .ok)
expect("bob:   get city", try await bob.run(.get(key: "city")), .value("Berlin"))
expect("bob:   cas city Berlin → Paris", try await bob.run(.cas(key: "city", expected: "Berlin", new: "Paris")), .ok)
expect("alice: cas city Berlin → Rome", try await alice.run(.cas(key: "city", expected: "Berlin", new: "Rome")),
       .casFailed(current: "Paris"))

print("Bob's answer was lost, say, and he asks again: his cas runs once, the answer is the first one:")
expect("bob:   put guests 2", try await bob.run(.put(key: "guests", value: "2")), .ok)
expect("bob:   cas guests 2 → 3", try await bob.run(.cas(key: "guests", expected: "2", new: "3")), .ok)
expect("bob:   cas guests 2 → 3 (retry)", try await bob.retry(.cas(key: "guests", expected: "2", new: "3")), .ok)
expect("alice: get guests", try await alice.run(.get(key: "guests")), .value("3"))

print("Node 1 restarts and rebuilds its store from its snapshot and log:")
for round in 0..<60 { _ = try await alice.run(.put(key: "round", value: "\(round)")) } // past a snapshot
await sessions[1].shutdown()
machines[1] = KeyValueStateMachine()
sessions[1] = try await Raft(config: config(1)).run()
let carol = KeyValueClientSession(session: sessions[1])
expect("carol: get city (on node 1)", try await carol.run(.get(key: "city")), .value("Paris"))
let restored = machines[1].store
print("  node 1 holds \(restored.values.count) keys through index \(restored.appliedIndex), \(restored.sessionCount) client sessions")
if restored.read("guests") != "3" { failures.append("node 1 lost guests after its restart") }

for session in sessions { await session.shutdown() }
try? FileManager.default.removeItem(atPath: workDirectory) // `exit` below would skip a `defer`
print(failures.isEmpty ? "Every answer was the one a single copy would give." : "Wrong answers: \(failures)")
exit(failures.isEmpty ? 0 : 1)
