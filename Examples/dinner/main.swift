// raft-lite's dinner example with raftlab: three guests, each a Raft node in this process,
// each proposes a restaurant; the cluster commits the proposals in one total order, and the
// first one committed is where everyone goes. Every guest prints the same decision.
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
defer { try? FileManager.default.removeItem(atPath: workDirectory) }

let peers = Dictionary(uniqueKeysWithValues: guests.map { ($0, PeerAddress.unix(path: "\(workDirectory)/guest-\($0).sock")) })

// Every guest's node must stay up until all guests have decided: a guest that leaves early
// could take the majority with it.
var sessions: [RaftSession] = []
for guest in guests {
    let config = RaftConfig(peers: peers, self: guest, dataDirectory: "\(workDirectory)/data-\(guest)")
    sessions.append(try await Raft(config: config).run())
}

let decisions = await withTaskGroup(of: (Int, String).self) { group in
    for (guest, session) in zip(guests, sessions) {
        group.addTask {
            session.send(Array(options[guest].utf8))
            // Read until all three proposals are in: the first one committed is the decision.
            var heard: [String] = []
            for await message in session.messages {
                heard.append(String(decoding: message.bytes, as: UTF8.self))
                if heard.count == options.count { break }
            }
            return (guest, heard.first ?? "nowhere")
        }
    }
    var decisions: [(Int, String)] = []
    for await decision in group { decisions.append(decision) }
    return decisions.sorted { $0.0 < $1.0 }
}
for session in sessions { await session.shutdown() }

for (guest, place) in decisions { print("Guest \(guest): we'll have dinner at \(place)!") }
let agreed = Set(decisions.map(\.1)).count == 1
print(agreed ? "All \(decisions.count) guests agree." : "The guests disagree: this is a bug.")
exit(agreed ? 0 : 1)
