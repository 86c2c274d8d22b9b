import Foundation
import RaftCheck
import RaftCore

/// What the explorer's server serves, without the HTTP: one shared `RaftModel` for stepping
/// through states, and one background search at a time.
///
/// ```swift
/// let explorer = Explorer(RaftModelConfiguration(serverCount: 3, mutant: .noStepDownOnHigherTerm))
/// let document = try explorer.stateDocument(at: ["Timeout(0, election)"])
/// print(document.actions.map(\.step.label))
/// ```
///
/// Every method may be called from any thread: the model is safe to share, and the search
/// session locks its own state.
public final class Explorer: Sendable {
    /// The model every path is followed in.
    public let model: RaftModel
    /// The background search (`POST /.search`).
    public let search: SearchSession

    /// An explorer of a new model of `configuration` (which must be valid), searching on
    /// `searchThreadCount` threads (default: every core but one, so that the page stays
    /// responsive while a search runs).
    public init(_ configuration: RaftModelConfiguration, searchThreadCount: Int? = nil) {
        precondition(configuration.problem == nil, configuration.problem ?? "")
        model = RaftModel(configuration)
        search = SearchSession(configuration: configuration,
                               threadCount: searchThreadCount ?? max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
    }

    /// The model's settings, properties and the explorer's limits.
    public var modelDocument: ModelDocument { ModelDocument(model) }

    /// The steps along `labels` from the initial state, or a 404 naming the first step that is
    /// not enabled (and what is enabled there).
    public func steps(following labels: [String]) throws(ExplorerError) -> [LabeledStep] {
        guard labels.count <= ExplorerPath.stepCountMax else {
            throw ExplorerError(status: 400, "the path has \(labels.count) steps; at most \(ExplorerPath.stepCountMax) are allowed")
        }
        do {
            return try model.path(following: labels)
        } catch {
            throw ExplorerError.notEnabled(error)
        }
    }

    /// The state at the end of `labels`, described for the page (see `StateDocument`).
    public func stateDocument(at labels: [String]) throws(ExplorerError) -> StateDocument {
        let steps = try steps(following: labels)
        let states = [model.initialState] + steps.map(\.state)
        let snapshots = states.map(model.snapshot(of:))
        let current = states[states.count - 1]
        let snapshot = snapshots[snapshots.count - 1]

        let holding = model.evaluate(current).intersection(steps.last?.transitionMask ?? .all)
        let properties = model.properties.enumerated().map { position, property in
            StateDocument.PropertyStatus(name: property.name, expectation: property.expectation.rawValue,
                                         scope: property.scope.rawValue, holds: holding.contains(position: position))
        }
        var violations = model.violations(in: current).map(\.description)
        for (position, property) in model.properties.enumerated()
        where property.scope == .transition && property.expectation == .always && !holding.contains(position: position) {
            violations.append("\(property.name) violated by the last step")
        }
        // An action "breaks" what holds now and fails after it (or fails across the step itself).
        let failingNow = Set(model.failingAlwaysProperties(in: current))
        let actions = model.enabledSteps(from: current).map { step in
            StateDocument.ActionEntry(step: StepDescriber.describe(step.action, label: step.label, in: snapshot),
                                      breaks: model.failingAlwaysProperties(in: step.state, reachedBy: step)
                                          .filter { !failingNow.contains($0) })
        }
        return StateDocument(model: model.configuration.description,
                             path: pathSteps(steps, snapshots: snapshots),
                             servers: snapshot.servers.map(ServerViewBuilder.view),
                             network: snapshot.network.map(Self.networkEntry),
                             properties: properties, violations: violations, actions: actions)
    }

    /// The path's steps with what a sequence diagram needs: when each delivered item was
    /// sent, and how the acting node's role and term changed.
    private func pathSteps(_ steps: [LabeledStep], snapshots: [ClusterSnapshot]) -> [StateDocument.PathStep] {
        var sends = SendTracker(consumesDeliveries: model.configuration.network != .unorderedDuplicating,
                                initial: snapshots[0])
        return steps.enumerated().map { offset, step in
            let before = snapshots[offset], after = snapshots[offset + 1]
            let description = StepDescriber.describe(step.action, label: step.label, in: before)
            let sentAt = sends.advance(delivering: description.kind == "deliver" ? step.label : nil,
                                       before: before, after: after, step: offset + 1)
            let was = before.servers[description.node], now = after.servers[description.node]
            let roleAfter = now.status == .running ? now.node?.role.rawValue : nil
            let roleBefore = was.status == .running ? was.node?.role.rawValue : nil
            let termAfter = ServerViewBuilder.term(of: now), termBefore = ServerViewBuilder.term(of: was)
            return StateDocument.PathStep(step: description, sentAtStep: sentAt, roleAfter: roleAfter,
                                          termAfter: termAfter,
                                          changedRoleOrTerm: roleAfter != nil && (roleAfter != roleBefore || termAfter != termBefore),
                                          failing: model.failingAlwaysProperties(in: step.state, reachedBy: step))
        }
    }

    private static func networkEntry(_ envelope: ClusterSnapshot.Envelope) -> StateDocument.NetworkEntry {
        StateDocument.NetworkEntry(label: envelope.label, from: ItemSummary.sender(of: envelope.item),
                                   to: envelope.item.to, message: ItemSummary.name(of: envelope.item),
                                   summary: ItemSummary.summary(of: envelope.item), count: envelope.count,
                                   deliverable: envelope.isDeliverable)
    }
}
