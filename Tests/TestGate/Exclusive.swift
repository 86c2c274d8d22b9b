import Testing

/// Tests that wait on real processes, sockets or deadlines, and tests that keep a core busy
/// for seconds, take turns: at most one of them runs at a time, while short tests still run in
/// parallel beside it. Without this, plain (parallel) `swift test` on a 2-core machine runs a
/// model-checker search on each cooperative thread while a process test waits for a leader,
/// and the waiting test's own continuation cannot run before its deadline passes.
///
/// Apply it to a suite (`@Suite("…", .exclusive)`): every test case in it takes the turn. A
/// test of such a suite that needs a time limit says `.exclusive(timeLimit:)`: the limit counts
/// from when the test takes its turn (Swift Testing's own `.timeLimit` would count the wait).
public struct ExclusiveTrait: TestTrait, SuiteTrait, TestScoping {
    /// How long a test may run once it has the turn (nil: no limit).
    public var timeLimit: Duration?

    public var isRecursive: Bool { true }

    /// One scope per test case; none around a whole suite (that would hold the turn while
    /// its tests wait for it).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // A test-level `.exclusive(timeLimit:)` inside a suite-level `.exclusive` runs in the
        // turn its suite's scope took already.
        if ExclusiveTurn.isHeld { return try await Self.run(function, within: timeLimit) }
        await ExclusiveTurn.shared.acquire()
        do {
            try await ExclusiveTurn.$isHeld.withValue(true) { try await Self.run(function, within: timeLimit) }
        } catch {
            await ExclusiveTurn.shared.release()
            throw error
        }
        await ExclusiveTurn.shared.release()
    }

    /// Runs `function`, recording an issue and cancelling it if it outlasts `limit`.
    private static func run(_ function: @Sendable () async throws -> Void, within limit: Duration?) async throws {
        guard let limit else { return try await function() }
        try await withoutActuallyEscaping(function) { body in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await body(); return true }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return false
                }
                if try await group.next() == false {
                    Issue.record("time limit exceeded: still running \(limit) after taking its turn")
                }
                group.cancelAll()
            }
        }
    }
}

extension Trait where Self == ExclusiveTrait {
    /// Runs each test of the suite alone among the other `.exclusive` tests (`ExclusiveTrait`).
    public static var exclusive: Self { ExclusiveTrait() }

    /// `.exclusive`, with a time limit that counts from when the test takes its turn.
    public static func exclusive(timeLimit: Duration) -> Self { ExclusiveTrait(timeLimit: timeLimit) }
}

/// The turn exclusive tests take, first come first served, across every test target of the
/// process.
actor ExclusiveTurn {
    static let shared = ExclusiveTurn()
    /// Whether the running task holds the turn.
    @TaskLocal static var isHeld = false
    private var isTaken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard isTaken else {
            isTaken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { isTaken = false } else { waiting.removeFirst().resume() }
    }
}
