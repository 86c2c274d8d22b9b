import Foundation
import TestGate
import Testing

/// raft-lite's dinner example, run as a user would: three guests, one decision, and a guest
/// that restarts with its state in memory hears every proposal again.
@Suite("Dinner example", .exclusive)
struct DinnerExampleTests {
    @Test("three guests print the same restaurant, and so does a guest after its restart")
    func guestsAgree() throws {
        let (status, text) = try runExample("dinner")
        let decisions = text.split(separator: "\n").filter { $0.hasPrefix("Guest ") }.map { $0.split(separator: "at ").last! }
        #expect(status == 0, "\(text)")
        #expect(decisions.count == 4 && Set(decisions).count == 1, "\(text)")
        #expect(text.contains("Guest 2, restarted, heard every proposal"), "\(text)")
    }
}
