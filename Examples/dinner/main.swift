// raft-lite's dinner example with raftlab: three guests, each a Raft node in this process,
// each proposes a restaurant; the cluster commits the proposals in one total order, and the
// first one committed is where everyone goes. Every guest prints the same decision; then one
// guest restarts, hears every proposal again and decides the same.
//
//   swift run dinner
import Foundation
import RaftRuntime

let options = ["Ratskeller", "Pizzeria Ristorante Lachoni", "KFC"]
let guests = Array(options.indices)

// Each run starts from fresh state; the sockets live in a private directory.
let workDirectory = FileManager.default.temporaryDirectory
    .appendingPathComponent("raftlab-dinner-\(ProcessInfo.processInfo.processIdentifier)").path
try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])

let peers = Dictionary(uniqueKeysWithValues: guests.map { ($0, PeerAddress.unix(path: "\(workDirectory)/guest-\($0).sock")) })

func config(_ guest: Int) -> RaftConfig {
    RaftConfig(peers: peers, self: guest, dataDirectory: "\(workDirectory)/data-\(guest)")
}

/// Reads until all three proposals are in: the first one committed is the decision.
func decision(_ session: RaftSession) async -> String {
    var heard: [String] = []
    for await message in session.messages {
        heard.append(String(decoding: message.bytes, as: UTF8.self))
        if heard.count == options.count { break }
    }
    return heard.first ?? "nowhere"
}

// Every guest's node must stay up until all guests have decided: a guest that leaves early
// could take the majority with it.
var sessions: [RaftSession] = []
for guest in guests { sessions.append(try await Raft(config: config(guest)).run()) }

var decisions = await withTaskGroup(of: (String, String).self) { group in
    for (guest, session) in zip(guests, sessions) {
        group.addTask {
            session.send(Array(options[guest].utf8))
            return ("Guest \(guest)", await decision(session))
        }
    }
    var decisions: [(String, String)] = []
    for await decision in group { decisions.append(decision) }
    return decisions.sorted { $0.0 < $1.0 }
}

// The last guest steps out and comes back. Its notes lived in memory, so it runs again from
// its data directory with `appliedIndex: nil` (it applied nothing that survived): the node
// delivers every committed message again from the start, and the guest decides again.
let returning = guests.last!
await sessions[returning].shutdown()
var comeback = config(returning)
comeback.appliedIndex = nil
sessions[returning] = try await Raft(config: comeback).run()
decisions.append(("Guest \(returning), restarted,", await decision(sessions[returning])))
for session in sessions { await session.shutdown() }
try? FileManager.default.removeItem(atPath: workDirectory) // `exit` below would skip a `defer`

for (guest, place) in decisions { print("\(guest) heard every proposal: we'll have dinner at \(place)!") }
let agreed = Set(decisions.map(\.1)).count == 1
print(agreed ? "All \(guests.count) guests agree, before and after a restart." : "The guests disagree: this is a bug.")
exit(agreed ? 0 : 1)
