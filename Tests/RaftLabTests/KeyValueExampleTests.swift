import Foundation
import TestGate
import Testing

/// The key-value example, run as a user would: three nodes, two clients, a retried cas that
/// runs once, and a node that rebuilds the store from its disk.
@Suite("Key-value example", .exclusive)
struct KeyValueExampleTests {
    @Test("every answer is a single copy's: the retried cas gets its first answer, the restarted node holds the store")
    func answersAreASingleCopys() throws {
        let (status, text) = try runExample("kv")
        #expect(status == 0, "\(text)")
        #expect(text.contains("cas guests 2 → 3 (retry)      → ok"), "\(text)")
        #expect(text.contains("get guests                    → value 3"), "\(text)")
        #expect(text.contains("Every answer was the one a single copy would give."), "\(text)")
    }
}
