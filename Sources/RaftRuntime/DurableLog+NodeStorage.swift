import RaftCore

/// The durable log is what a node host persists to outside tests.
extension DurableLog: NodeStorage {
    public var location: String { path }
}
