import Linearizability
import RaftKV

/// Anomalies planted in histories of `AtomicStoreHistory`.
enum RegisterHistory {
    typealias Operation = KeyValueLinearizability.Operation

    /// A get (its index) and a value it must not return: one written by `w1` of its key, when a
    /// later write `w2` of the key (invoked after `w1` returned) took effect before the get was
    /// invoked. Written values are unique, so nothing writes `w1`'s value again: a stale read.
    static func staleRead(in history: [Operation]) -> (Int, String?)? {
        for (index, read) in history.enumerated() {
            guard case .get(let key) = read.input, case .value(let seen)? = read.output else { continue }
            let effective = history.filter { $0.input.key == key && tookEffect($0) }
            for w2 in effective where w2.returnedAt! < read.invokedAt {
                for w1 in effective where w1.returnedAt! < w2.invokedAt {
                    if let value = writtenValue(w1), value != seen { return (index, value) }
                }
            }
        }
        return nil
    }

    /// Whether the operation changed its key: a put, a delete, or a cas that swapped.
    private static func tookEffect(_ operation: Operation) -> Bool {
        switch operation.input {
        case .get: return false
        case .put, .delete: return true
        case .cas: return operation.output == .ok
        }
    }

    /// The value a put or a successful cas wrote.
    private static func writtenValue(_ operation: Operation) -> String? {
        switch operation.input {
        case .put(_, let value): return value
        case .cas(_, _, let to): return to
        case .get, .delete: return nil
        }
    }
}
