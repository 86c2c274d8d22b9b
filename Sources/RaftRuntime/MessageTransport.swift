import RaftCore

/// Carries a node's messages to its peers. `send` may only queue; `flush` is called once at
/// the end of every batch, after the batch's durable changes are on disk.
public protocol MessageTransport: AnyObject {
    /// Queues `message` for `message.to` (loss is allowed: Raft retries).
    func send(_ message: Message)
    /// Writes everything queued.
    func flush()
}
