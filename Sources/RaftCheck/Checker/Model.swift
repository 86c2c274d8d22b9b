/// A system the checker explores: initial states, the actions enabled in a state, the
/// state each action leads to, a fingerprint per state, and named properties.
///
/// The checker never looks inside a state: it stores states of the frontier, keys its
/// visited set by `fingerprint(of:)`, and asks the model which properties hold. Everything
/// must be deterministic: the same state and action always give the same successor and the
/// same fingerprint within one model instance (paths are rebuilt by replaying actions).
///
/// A model is shared by every worker thread, so its methods must be safe to call
/// concurrently.
public protocol Model: Sendable {
    /// One global state of the system.
    associatedtype State: Sendable
    /// One step that may happen in a state.
    associatedtype Action: Sendable

    /// The properties to check, in a fixed order: the masks below use their positions as
    /// bit numbers (at most `PropertyMask.capacity` properties).
    var properties: [Property] { get }

    /// The states the system starts in.
    func initialStates() -> [State]

    /// Appends the actions enabled in `state` to `actions` (which the caller empties first).
    func actions(in state: State, into actions: inout [Action])

    /// The state `action` leads to from `state`, with the mask of the transition-scoped
    /// properties that hold across this step (set every bit when there are none); `nil`
    /// when the action has no effect and so yields no successor.
    func step(_ state: State, _ action: Action) -> Step<State>?

    /// A 64-bit hash of an exact, canonical encoding of `state`: two different states get
    /// different fingerprints except by hash chance, and equal states always get equal ones.
    func fingerprint(of state: State) -> Fingerprint

    /// The state-scoped properties whose condition holds in `state`, as a mask.
    func evaluate(_ state: State) -> PropertyMask

    /// A short, readable, unambiguous label for `action` (what a path prints per line).
    func label(of action: Action) -> String
}

/// A successor produced by `Model.step`.
public struct Step<State: Sendable>: Sendable {
    /// The state after the action.
    public var state: State
    /// Transition-scoped properties that hold across the step.
    public var transitionMask: PropertyMask

    /// A successor `state`; `transitionMask` defaults to "every transition property holds".
    public init(state: State, transitionMask: PropertyMask = .all) {
        self.state = state
        self.transitionMask = transitionMask
    }
}

extension Model {
    /// Every successor of `state` with the action that leads to it, in action order.
    public func successors(of state: State) -> [(action: Action, state: State)] {
        var actions: [Action] = []
        self.actions(in: state, into: &actions)
        return actions.compactMap { action in step(state, action).map { (action, $0.state) } }
    }
}
