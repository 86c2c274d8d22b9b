/// One client operation of a concurrent history: what was asked, when, and how it ended,
/// on one clock.
public struct HistoryOperation<Input: Sendable, Output: Sendable>: Sendable {
    /// How an operation ended.
    public enum Outcome: Sendable {
        /// It returned `output` at `at`.
        case returned(Output, at: Int64)
        /// Nobody knows (Jepsen's `info`: a timeout, a lost connection): it may take effect at
        /// any time after its invocation, or never, and its output is unconstrained.
        case unknown
    }

    /// The client (process) that ran it.
    public var client: Int
    public var input: Input
    /// When it was invoked, in any monotonic unit (nanoseconds in the lab).
    public var invokedAt: Int64
    public var outcome: Outcome

    public init(client: Int, input: Input, invokedAt: Int64, outcome: Outcome) {
        if case .returned(_, let at) = outcome { precondition(at >= invokedAt, "an operation returns after its invocation") }
        self.client = client
        self.input = input
        self.invokedAt = invokedAt
        self.outcome = outcome
    }

    /// What it returned, `nil` when unknown.
    public var output: Output? {
        if case .returned(let output, _) = outcome { return output }
        return nil
    }

    /// When it returned; `nil` when unknown (its return is after everything else).
    public var returnedAt: Int64? {
        if case .returned(_, let at) = outcome { return at }
        return nil
    }
}
