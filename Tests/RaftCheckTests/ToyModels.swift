import RaftCheck

/// Two counters `a` and `b`, each incremented up to `limit`: every state `(a, b)` with
/// `a, b ≤ limit` is reachable, `(a, b)` at depth `a + b + 1`, so counts are known by hand.
struct CounterGrid: Model {
    struct State: Hashable, Sendable { var a: Int; var b: Int }
    enum Action: Hashable, Sendable { case incrementA, incrementB }

    var limit: Int
    /// Fails once `a + b` reaches this (an always-property, for counterexample tests).
    var sumMax: Int = .max
    /// Holds when `(a, b)` equals this (a sometimes-property).
    var target = State(a: -1, b: -1)
    /// Whether incrementing `a` while `b` is odd breaks a property of steps.
    var forbidsIncrementingAWhenBOdd = false

    var properties: [Property] {
        [.always("sum bounded"), .sometimes("target reached"), .alwaysAcrossSteps("a only moves when b is even")]
    }

    func initialStates() -> [State] { [State(a: 0, b: 0)] }

    func actions(in state: State, into actions: inout [Action]) {
        if state.a < limit { actions.append(.incrementA) }
        if state.b < limit { actions.append(.incrementB) }
    }

    func step(_ state: State, _ action: Action) -> Step<State>? {
        var next = state
        var mask = PropertyMask.all
        switch action {
        case .incrementA:
            next.a += 1
            if forbidsIncrementingAWhenBOdd && state.b % 2 == 1 { mask.remove(PropertyMask(position: 2)) }
        case .incrementB:
            next.b += 1
        }
        return Step(state: next, transitionMask: mask)
    }

    func fingerprint(of state: State) -> Fingerprint {
        WordHash.hash([UInt64(state.a), UInt64(state.b)])
    }

    func evaluate(_ state: State) -> PropertyMask {
        var mask = PropertyMask.all
        if state.a + state.b >= sumMax { mask.remove(PropertyMask(position: 0)) }
        if state != target { mask.remove(PropertyMask(position: 1)) }
        return mask
    }

    func label(of action: Action) -> String { action == .incrementA ? "a+1" : "b+1" }

    /// Distinct states with at most `steps` increments.
    func uniqueCount(depthMax: Int) -> Int {
        let steps = depthMax - 1
        var count = 0
        for a in 0...limit { for b in 0...limit where a + b <= steps { count += 1 } }
        return count
    }

    /// Generated states (stateright's count): the initial one plus every successor of
    /// every state with fewer than `steps` increments.
    func stateCount(depthMax: Int) -> Int {
        let steps = depthMax - 1
        var count = 1
        for a in 0...limit {
            for b in 0...limit where a + b < steps {
                count += (a < limit ? 1 : 0) + (b < limit ? 1 : 0)
            }
        }
        return count
    }
}

/// A fork: from `start` go `left` or `right`; `left` ends in `leftEnd` (a dead end),
/// `right` ends in `rightEnd`. "reaches rightEnd" is an eventually-property that the left
/// branch breaks; with `loops`, `leftEnd` steps back to `start` instead of ending.
struct Fork: Model {
    enum State: Int, Hashable, Sendable { case start, left, right, leftEnd, rightEnd }
    typealias Action = State

    var loops = false

    var properties: [Property] { [.eventually("reaches rightEnd")] }

    func initialStates() -> [State] { [.start] }

    func actions(in state: State, into actions: inout [Action]) {
        switch state {
        case .start: actions += [.left, .right]
        case .left: actions.append(.leftEnd)
        case .right: actions.append(.rightEnd)
        case .leftEnd: if loops { actions.append(.start) }
        case .rightEnd: break
        }
    }

    func step(_ state: State, _ action: Action) -> Step<State>? { Step(state: action) }
    func fingerprint(of state: State) -> Fingerprint { WordHash.hash([UInt64(state.rawValue)]) }
    func evaluate(_ state: State) -> PropertyMask { state == .rightEnd ? .all : .none }
    func label(of action: Action) -> String { "\(action)" }
}
