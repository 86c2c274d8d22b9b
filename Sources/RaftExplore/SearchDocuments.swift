/// The body of `POST /.search`: how deep to search, and from where.
public struct SearchRequest: Codable, Hashable, Sendable {
    /// Depth bound, as `raftlab check --depth` (states on a path, the start state included).
    public var depth: Int
    /// Labels of a path to start from (default: the initial state). Discoveries then extend it.
    public var from: [String]?
    /// Stop at the first counterexample to an always-property (default false).
    public var stopAtCounterexample: Bool?

    /// A search to `depth` from the end of `from`.
    public init(depth: Int, from: [String]? = nil, stopAtCounterexample: Bool? = nil) {
        self.depth = depth
        self.from = from
        self.stopAtCounterexample = stopAtCounterexample
    }
}

/// What the background search is doing or found (`GET /.search`).
public struct SearchStatus: Codable, Hashable, Sendable {
    /// `idle` (no search yet), `running`, `done` (finished on its own) or `cancelled`.
    public var state: String
    /// Increases with every search started; lets a page ignore an older search's answer.
    public var id: Int
    /// The request of the current or last search (`nil` when idle).
    public var request: SearchRequest?
    /// Counters so far.
    public var progress: Progress
    /// Why the search ended (`exhausted`, `everyPropertyDiscovered`, `counterexampleFound`,
    /// `cancelled`); `nil` while running.
    public var stopReason: String?
    /// What it found, ordered by property name; complete paths from the initial state.
    public var discoveries: [DiscoveryEntry]

    /// Search counters (as `raftlab check` prints them).
    public struct Progress: Codable, Hashable, Sendable {
        /// States generated, duplicates included.
        public var states: Int
        /// Distinct states.
        public var unique: Int
        /// Deepest depth reached.
        public var depth: Int
        /// Seconds since the search started.
        public var seconds: Double
    }

    /// One discovery.
    public struct DiscoveryEntry: Codable, Hashable, Sendable {
        /// The property's name.
        public var property: String
        /// `example` (a sometimes-property holds) or `counterexample` (an always-property fails).
        public var classification: String
        /// Action labels from the initial state: open it at `/#/` + these labels.
        public var path: [String]
    }

    /// No search has run.
    static let idle = SearchStatus(state: "idle", id: 0, request: nil,
                                   progress: Progress(states: 0, unique: 0, depth: 0, seconds: 0),
                                   stopReason: nil, discoveries: [])
}
