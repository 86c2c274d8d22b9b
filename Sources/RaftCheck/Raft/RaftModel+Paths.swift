import RaftCore

/// A path of action labels could not be followed.
public struct ReplayError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Position of the failing label in the path (0-based).
    public var stepIndex: Int
    /// The label that matched no enabled action.
    public var label: String
    /// Labels of the actions enabled at that point.
    public var enabledLabels: [String]

    public var description: String {
        "action \"\(label)\" is not enabled after \(stepIndex) step(s); enabled: "
            + (enabledLabels.isEmpty ? "none" : enabledLabels.map { "\"\($0)\"" }.joined(separator: ", "))
    }
}

/// One enabled step out of a state, for an explorer: the action, its label, the state it
/// leads to, and whether it breaks a property of steps.
public struct LabeledStep: Sendable {
    public var action: RaftAction
    public var label: String
    public var state: ClusterState
    /// Transition properties that hold across this step (`RaftProperties.all` positions).
    public var transitionMask: PropertyMask
}

/// Following paths of labels, the form in which paths are printed, stored and replayed.
extension RaftModel {
    /// Every enabled step out of `state`, in action order.
    public func enabledSteps(from state: ClusterState) -> [LabeledStep] {
        var actions: [RaftAction] = []
        self.actions(in: state, into: &actions)
        return actions.compactMap { action in
            step(state, action).map {
                LabeledStep(action: action, label: label(of: action), state: $0.state, transitionMask: $0.transitionMask)
            }
        }
    }

    /// The states along `labels` from the initial state (one more than `labels`), or the
    /// first label that matches no enabled action.
    public func path(following labels: [String]) throws(ReplayError) -> [LabeledStep] {
        try path(from: initialState, following: labels)
    }

    /// The states along `labels` from `start`.
    func path(from start: ClusterState, following labels: [String]) throws(ReplayError) -> [LabeledStep] {
        var state = start
        var steps: [LabeledStep] = []
        for (index, label) in labels.enumerated() {
            let enabled = enabledSteps(from: state)
            guard let next = enabled.first(where: { $0.label == label }) else {
                throw ReplayError(stepIndex: index, label: label, enabledLabels: enabled.map(\.label))
            }
            steps.append(next)
            state = next.state
        }
        return steps
    }

    /// The state at the end of `labels`.
    public func state(after labels: [String]) throws(ReplayError) -> ClusterState {
        try path(following: labels).last?.state ?? initialState
    }

    /// Names of the properties that fail in `state` or (when `step` is given) across the
    /// step into it, always-properties only.
    public func failingAlwaysProperties(in state: ClusterState, reachedBy step: LabeledStep? = nil) -> [String] {
        let holding = evaluate(state).intersection(step?.transitionMask ?? .all)
        return properties.enumerated()
            .filter { $0.element.expectation == .always && !holding.contains(position: $0.offset) }
            .filter { $0.element.scope == .state || step != nil }
            .map(\.element.name)
    }
}
