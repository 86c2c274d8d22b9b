/// How the checker searches.
public struct CheckerOptions: Hashable, Sendable {
    /// Order of exploration.
    public enum Strategy: String, Hashable, Sendable, CaseIterable {
        /// Level by level: every state at depth `d` is expanded before any at `d + 1`, so each
        /// discovery's path is a shortest one. Needs memory for two levels of states.
        case breadthFirst = "bfs"
        /// Deepest first: memory for one path's siblings only. A state reached again at a
        /// smaller depth is expanded again, so the same states are found as breadth-first.
        case depthFirst = "dfs"
    }

    /// States on a path, initial state included: states at this depth are generated,
    /// fingerprinted and checked, but not expanded (stateright's `target_max_depth`).
    public var depthMax: Int
    /// Worker threads.
    public var threadCount: Int
    /// Breadth-first or depth-first.
    public var strategy: Strategy
    /// Stop as soon as an always-property fails (instead of when every property has a
    /// discovery or the space is exhausted).
    public var stopsAtFirstCounterexample: Bool

    /// Options for a search to `depthMax` on `threadCount` threads.
    public init(depthMax: Int, threadCount: Int = 1, strategy: Strategy = .breadthFirst,
                stopsAtFirstCounterexample: Bool = false) {
        precondition(depthMax >= 1 && depthMax <= VisitedSet.depthMax,
                     "depth \(depthMax) outside 1...\(VisitedSet.depthMax)")
        precondition(threadCount >= 1 && threadCount <= Self.threadCountMax,
                     "thread count \(threadCount) outside 1...\(Self.threadCountMax)")
        self.depthMax = depthMax
        self.threadCount = threadCount
        self.strategy = strategy
        self.stopsAtFirstCounterexample = stopsAtFirstCounterexample
    }

    /// Most worker threads a search may use.
    public static let threadCountMax = 256
}

/// Counters of a running or finished search.
public struct CheckProgress: Hashable, Sendable {
    /// States generated, initial ones included, duplicates included (stateright's `states`).
    public var stateCount: Int
    /// Distinct states (stateright's `unique`).
    public var uniqueCount: Int
    /// Deepest depth reached so far (the initial states are at depth 1).
    public var depth: Int
    /// Seconds since the search started.
    public var elapsedSeconds: Double
}

/// Whether a discovery shows a property holding or failing.
public enum DiscoveryClassification: String, Hashable, Sendable {
    /// A sometimes-property holds at the end of the path.
    case example
    /// An always-property fails at the end of the path, or an eventually-property never
    /// holds along a complete path.
    case counterexample
}

/// A property the search found holding or failing, with a path from an initial state.
public struct Discovery<M: Model>: Sendable {
    /// The property.
    public var property: Property
    /// Example or counterexample.
    public var classification: DiscoveryClassification
    /// The actions from the initial state (`states[0]`).
    public var actions: [M.Action]
    /// The states along the path: one more than `actions`.
    public var states: [M.State]
}

/// Why a search ended.
public enum StopReason: String, Hashable, Sendable {
    /// Every state within the depth bound was explored.
    case exhausted
    /// Every property has a discovery: nothing is left to find.
    case everyPropertyDiscovered
    /// An always-property failed and the options ask to stop there.
    case counterexampleFound
    /// `Checker.cancel()` was called.
    case cancelled
}

/// What a finished search found.
public struct CheckResult<M: Model>: Sendable {
    /// Final counters.
    public var progress: CheckProgress
    /// Discoveries ordered by property name (as stateright prints them).
    public var discoveries: [Discovery<M>]
    /// Why the search ended.
    public var stopReason: StopReason
    /// Bytes the visited set occupied at the end.
    public var visitedSetBytes: Int

    /// Whether some always- or eventually-property failed.
    public var hasCounterexample: Bool { discoveries.contains { $0.classification == .counterexample } }

    /// The discovery for the property called `name`, if any.
    public func discovery(named name: String) -> Discovery<M>? {
        discoveries.first { $0.property.name == name }
    }
}
