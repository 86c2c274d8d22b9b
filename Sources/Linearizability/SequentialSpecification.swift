/// What a single copy of an object does, one operation at a time: the specification a
/// concurrent history is checked against (Herlihy & Wing's sequential specification).
public protocol SequentialSpecification: Sendable {
    associatedtype State: Hashable & Sendable
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    /// The state after `input` ran in `state` and returned `output`, or `nil` when it could
    /// not have returned `output` there. A `nil` output is an operation whose outcome is
    /// unknown (it timed out): it ran, and its output is whatever the state makes it.
    func step(_ state: State, _ input: Input, _ output: Output?) -> State?
}
