import RaftCore
import RaftRuntime
import Synchronization

/// The state machine of a lab node (`raftlab up --snapshot-every N`): what it applied, as a
/// count and a running digest of every entry (index, term, payload digest). It is small, but
/// it is a real state: a snapshot carries it, a restore resumes it, and two nodes that applied
/// the same entries hold the same bytes, so a wrong install shows up as diverging digests.
final class LabStateMachine: StateMachine {
    private struct State {
        var index = 0
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    }
    /// Touched on the node's loop only; the mutex is there for `Sendable`, uncontended.
    private let state = Mutex(State())

    func apply(index: Int, entry: Entry) -> [UInt8] {
        state.withLock { state in
            precondition(index == state.index + 1, "applied index \(index) after \(state.index)")
            for word in [UInt64(index), entry.term, entry.digest] {
                state.digest = (state.digest ^ word) &* 0x0000_0100_0000_01b3
            }
            state.index = index
        }
        return [] // the lab's clients need the index only
    }

    func snapshot() -> [UInt8] {
        state.withLock { state in Self.bytes(UInt64(state.index)) + Self.bytes(state.digest) }
    }

    func restore(_ snapshot: Snapshot) {
        // A snapshot this machine did not write (a foreign node's) restarts the count at its index.
        let words = snapshot.data.count == 16 ? (Self.word(snapshot.data, at: 0), Self.word(snapshot.data, at: 8)) : (UInt64(snapshot.index), 0)
        state.withLock { state in
            state.index = snapshot.index
            state.digest = words.1
        }
    }

    /// The index applied last and the digest of everything through it.
    var applied: (index: Int, digest: UInt64) { state.withLock { ($0.index, $0.digest) } }

    private static func bytes(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    private static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}
