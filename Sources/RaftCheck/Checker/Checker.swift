import Foundation
import Synchronization

/// Explores every state of a `Model` up to a depth bound and reports what it discovers.
///
/// ```swift
/// let checker = Checker(model: model, options: CheckerOptions(depthMax: 10, threadCount: 2))
/// let result = checker.run(reportEvery: 1) { progress in print(progress.stateCount) }
/// for discovery in result.discoveries { print(discovery.property.name, discovery.actions) }
/// ```
///
/// A checker runs once. `progress` and `cancel()` may be called from any thread while
/// `run` is in progress, which is how a web explorer runs a search in the background.
public final class Checker<M: Model>: Sendable {
    private let context: SearchContext<M>
    private let hasRun = Atomic<Bool>(false)

    /// A checker of `model` with `options`.
    public init(model: M, options: CheckerOptions) {
        context = SearchContext(model: model, options: options)
    }

    /// The model being checked.
    public var model: M { context.model }
    /// The options of this search.
    public var options: CheckerOptions { context.options }

    /// Counters so far.
    public var progress: CheckProgress { context.progress }

    /// Asks the workers to stop; `run` returns soon after with `StopReason.cancelled`.
    public func cancel() { context.stop(.cancelled) }

    /// Searches until the space within the depth bound is exhausted, every property has a
    /// discovery, or the search is stopped; calls `report` every `reportEvery` seconds
    /// meanwhile (from another thread).
    public func run(reportEvery interval: Double? = nil,
                    report: @escaping @Sendable (CheckProgress) -> Void = { _ in }) -> CheckResult<M> {
        precondition(!hasRun.exchange(true, ordering: .relaxed), "a Checker runs once; make another for a new search")
        let reporter = interval.map { ProgressReporter(interval: $0, progress: { [context] in context.progress },
                                                        report: report) }
        switch context.options.strategy {
        case .breadthFirst: BreadthFirstSearch.run(context)
        case .depthFirst: DepthFirstSearch.run(context)
        }
        reporter?.stop()
        let discoveries = context.takeRecords()
            .map { position, record in
                PathReconstruction.discovery(of: context.properties[position], record, model: context.model,
                                             visited: context.visited)
            }
            .sorted { $0.property.name < $1.property.name }
        return CheckResult(progress: context.progress, discoveries: discoveries,
                           stopReason: context.stopReason ?? .exhausted,
                           visitedSetBytes: context.visited.allocatedBytes)
    }
}

/// Calls a report closure every interval on its own thread until stopped.
final class ProgressReporter: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(interval: Double, progress: @escaping @Sendable () -> CheckProgress,
         report: @escaping @Sendable (CheckProgress) -> Void) {
        precondition(interval > 0, "report interval must be positive")
        let thread = Thread { [stopped, finished] in
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                report(progress())
            }
            finished.signal()
        }
        thread.name = "checker-progress"
        thread.start()
    }

    /// Stops reporting and waits until the reporter thread is done.
    func stop() {
        stopped.signal()
        finished.wait()
    }
}
