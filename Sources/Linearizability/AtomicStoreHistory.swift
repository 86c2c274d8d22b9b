import RaftKV

/// Histories of an ideal key-value store, in which each operation takes effect at one instant
/// inside its interval: linearizable by construction. For tests and benchmarks of the checker
/// (a real run's history comes from the lab's client trace).
public enum AtomicStoreHistory {
    public typealias Operation = KeyValueLinearizability.Operation

    /// `count` operations of `clients` closed-loop clients over `keys` keys: 40% gets, 30%
    /// puts, 20% compare-and-sets (from a value written earlier, so some succeed), 10%
    /// deletes. Written values are unique (`v<number>`). Times are in arbitrary units.
    public static func generate(clients: Int, operations count: Int, keys: Int,
                                using random: inout some RandomNumberGenerator) -> [Operation] {
        precondition(clients > 0 && keys > 0 && count >= 0, "clients and keys must be positive")
        var clientFree = Array(repeating: Int64(0), count: clients)
        var planned: [(effect: Int64, client: Int, input: KeyValueOperation, invoked: Int64, returned: Int64)] = []
        planned.reserveCapacity(count)
        for number in 0..<count {
            let client = Int.random(in: 0..<clients, using: &random)
            let invoked = clientFree[client] + Int64.random(in: 0...5, using: &random)
            let effect = invoked + Int64.random(in: 0...20, using: &random)
            let returned = effect + Int64.random(in: 0...20, using: &random)
            clientFree[client] = returned + 1
            let key = "k\(Int.random(in: 0..<keys, using: &random))"
            let input: KeyValueOperation
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4: input = .get(key: key)
            case 4..<7: input = .put(key: key, value: "v\(number)")
            case 7..<9: input = .cas(key: key, expected: "v\(Int.random(in: 0..<max(number, 1), using: &random))", new: "v\(number)")
            default: input = .delete(key: key)
            }
            planned.append((effect, client, input, invoked, returned))
        }
        planned.sort { ($0.effect, $0.client) < ($1.effect, $1.client) }
        var store: [String: String] = [:]
        return planned.map { plan in
            let output: KeyValueResult
            switch plan.input {
            case .get(let key): output = .value(store[key])
            case .put(let key, let value): store[key] = value; output = .ok
            case .delete(let key): store[key] = nil; output = .ok
            case .cas(let key, let from, let to):
                if store[key] == from { store[key] = to; output = .ok } else { output = .casFailed(current: store[key]) }
            }
            return Operation(client: plan.client, input: plan.input, invokedAt: plan.invoked,
                             outcome: .returned(output, at: plan.returned))
        }
    }
}
