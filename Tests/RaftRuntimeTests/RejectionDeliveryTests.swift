import Foundation
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// A refusal reaches the client that is waiting for it, wherever the refusal was made: a
/// proposal at a follower refused by the leader fails at once with the leader's reason (before
/// issue 14 no message carried it and the client waited out its timeout).
@Suite("Rejections reach the client", .serialized, .exclusive)
struct RejectionDeliveryTests {
    @Test("a follower's clients get the leader's too-many-uncommitted refusals as codes, none times out")
    func leaderRefusalsReachAFollowersClients() async throws {
        let directory = try RaftLibraryTests.makeDirectory("refusals")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configs = RaftLibraryTests.configs(size: 3, directory: directory)
        for index in configs.indices { configs[index].tuning.options.uncommittedEntriesMax = 4 }
        var sessions: [RaftSession] = []
        for config in configs { sessions.append(try await Raft(config: config).run()) }

        _ = try await sessions[0].propose(Array("first".utf8), timeout: .seconds(30))
        let leader = try #require(try await sessions[0].status().leader)
        let follower = sessions[(leader + 1) % 3]
        #expect(try await follower.status().leader == leader)
        // Far more proposals at once than the leader takes uncommitted: most are refused. A
        // refusal that did not come back would wait out the 120 s and fail the test as a timeout.
        let outcomes = await withTaskGroup(of: Result<Int, RaftError>.self) { group in
            for number in 0..<400 {
                group.addTask {
                    do {
                        return .success(try await follower.propose(Array("p\(number)".utf8), timeout: .seconds(120)))
                    } catch let error as RaftError {
                        return .failure(error)
                    } catch {
                        return .failure(.timedOut)
                    }
                }
            }
            var outcomes: [Result<Int, RaftError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let committed = outcomes.filter { if case .success = $0 { return true } else { return false } }.count
        let refused = outcomes.filter { $0 == .failure(.rejected(.tooManyUncommitted)) }.count
        #expect(committed + refused == 400, "every proposal committed or was refused for too many uncommitted entries")
        #expect(refused > 0 && committed > 0, "\(committed) committed, \(refused) refused")
        for session in sessions { await session.shutdown() }
    }
}
