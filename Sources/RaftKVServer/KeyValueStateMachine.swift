import RaftCore
import RaftKV
import RaftRuntime
import Synchronization

/// The key-value store as a node's state machine (`RaftConfig.stateMachine`): each committed
/// entry is a `KeyValueCommand`, applied in log order, and its `KeyValueResult` is the reply
/// the proposing client gets. Snapshots are the store's canonical bytes (keys and sessions).
public final class KeyValueStateMachine: StateMachine {
    /// Touched on the node's loop only; the mutex makes it `Sendable`, uncontended.
    private let state = Mutex((store: KeyValueStore(), problem: String?.none))

    public init() {}

    public func apply(index: Int, entry: Entry) -> [UInt8] {
        state.withLock { state in
            guard !entry.isProtocolEntry else {
                state.store.skip(index)
                return []
            }
            do {
                let command = try KeyValueCodec.decodeCommand(entry.payload)
                return KeyValueCodec.encode(state.store.apply(command, at: index))
            } catch {
                // Clients encode through `KeyValueClientSession`; bytes of another
                // application committed to this cluster are skipped, with no reply.
                state.store.skip(index)
                return []
            }
        }
    }

    public func snapshot() -> [UInt8] {
        state.withLock { $0.store.snapshot() }
    }

    public func restore(_ snapshot: Snapshot) {
        state.withLock { state in
            do {
                state.store = try KeyValueStore(snapshot: snapshot.data)
                state.problem = nil
            } catch {
                // Not a store this build wrote (a peer of another application, or a newer
                // format): start empty at the snapshot's index rather than stop the node,
                // and say so.
                state.store = KeyValueStore()
                state.problem = "snapshot through index \(snapshot.index) is not a key-value store: \(error)"
            }
        }
    }

    /// A copy of the store as applied so far (for tests, status pages and reads).
    public var store: KeyValueStore { state.withLock { $0.store } }

    /// Why the last restore could not read its snapshot, if it could not.
    public var problem: String? { state.withLock { $0.problem } }
}
