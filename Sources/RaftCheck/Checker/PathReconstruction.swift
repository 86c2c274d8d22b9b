/// Rebuilds a discovery's path from fingerprints: follow parents back to an initial state,
/// then replay forward, at each step taking the action whose successor has the next
/// fingerprint (the technique TLC and stateright use; no full state is kept per visit).
enum PathReconstruction {
    static func discovery<M: Model>(of property: Property, _ record: DiscoveryRecord<M.Action>, model: M,
                                    visited: VisitedSet) -> Discovery<M> {
        let chain = visited.chain(to: record.endFingerprint)
        guard let initial = model.initialStates().first(where: { fingerprint($0, model) == chain[0] }) else {
            preconditionFailure("no initial state has fingerprint \(chain[0])")
        }
        var states = [initial]
        var actions: [M.Action] = []
        var scratch: [M.Action] = []
        for target in chain.dropFirst() {
            scratch.removeAll(keepingCapacity: true)
            model.actions(in: states[states.count - 1], into: &scratch)
            let found = scratch.lazy.compactMap { action -> (M.Action, M.State)? in
                guard let step = model.step(states[states.count - 1], action),
                      fingerprint(step.state, model) == target else { return nil }
                return (action, step.state)
            }.first
            guard let (action, state) = found else {
                preconditionFailure("no successor has fingerprint \(target): the model is not deterministic")
            }
            actions.append(action)
            states.append(state)
        }
        if let action = record.finalAction {
            guard let step = model.step(states[states.count - 1], action) else {
                preconditionFailure("the final action of a discovery no longer applies")
            }
            actions.append(action)
            states.append(step.state)
        }
        return Discovery(property: property, classification: record.classification, actions: actions, states: states)
    }

    private static func fingerprint<M: Model>(_ state: M.State, _ model: M) -> Fingerprint {
        Fingerprint.make(model.fingerprint(of: state))
    }
}
