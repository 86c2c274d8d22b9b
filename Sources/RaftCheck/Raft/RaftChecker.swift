/// A search of a `RaftModel`: `Checker<RaftModel>` behind a non-generic type.
///
/// Calling a generic `Checker` from another module runs its unspecialized code (every
/// model call through a witness table); going through this type lets the compiler
/// specialize the whole search for the Raft model inside this module, which is about twice
/// as fast. Use it from the command line and the explorer; use `Checker` for other models.
public final class RaftChecker: Sendable {
    private let checker: Checker<RaftModel>

    /// A search of `model` with `options`.
    public init(model: RaftModel, options: CheckerOptions) {
        checker = Checker(model: model, options: options)
    }

    /// The model being checked.
    public var model: RaftModel { checker.model }
    /// Counters so far (callable from any thread while `run` is in progress).
    public var progress: CheckProgress { checker.progress }
    /// Asks the search to stop soon (`StopReason.cancelled`).
    public func cancel() { checker.cancel() }

    /// Runs the search; see `Checker.run(reportEvery:report:)`.
    public func run(reportEvery interval: Double? = nil,
                    report: @escaping @Sendable (CheckProgress) -> Void = { _ in }) -> CheckResult<RaftModel> {
        checker.run(reportEvery: interval, report: report)
    }
}
