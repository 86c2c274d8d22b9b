import RaftCheck

/// The model the explorer serves (`GET /.model`): its settings, its properties and the
/// explorer's limits.
public struct ModelDocument: Codable, Hashable, Sendable {
    /// All settings on one line.
    public var description: String
    /// Number of servers.
    public var servers: Int
    /// `unordered-nonduplicating`, `unordered-duplicating` or `ordered`.
    public var network: String
    /// `stop` or `restart`.
    public var crash: String
    /// Most servers down at once.
    public var maxCrashes: Int
    /// `lite` or `full`.
    public var profile: String
    /// The deliberate bug switched on, if any.
    public var mutant: String?
    /// The properties in mask order.
    public var properties: [PropertyInfo]
    /// Deepest search `POST /.search` accepts.
    public var searchDepthMax: Int
    /// Longest path `/.states/…` accepts.
    public var pathStepCountMax: Int

    /// A property's name and kind.
    public struct PropertyInfo: Codable, Hashable, Sendable {
        /// Name, e.g. `Election Safety`.
        public var name: String
        /// `always`, `sometimes` or `eventually`.
        public var expectation: String
        /// `state` or `transition`.
        public var scope: String
    }

    /// The document for `model`.
    init(_ model: RaftModel) {
        let configuration = model.configuration
        description = configuration.description
        servers = configuration.serverCount
        network = configuration.network.rawValue
        crash = configuration.crashMode.rawValue
        maxCrashes = configuration.effectiveCrashCountMax
        profile = configuration.profile.rawValue
        mutant = configuration.mutant?.rawValue
        properties = model.properties.map {
            PropertyInfo(name: $0.name, expectation: $0.expectation.rawValue, scope: $0.scope.rawValue)
        }
        searchDepthMax = SearchSession.depthMax
        pathStepCountMax = ExplorerPath.stepCountMax
    }
}
