/// When a driver carries out an output relative to the durable write of the batch it belongs
/// to: the ordering contract of `RaftNode`, as the one function every driver uses (the node
/// host, the simulators and the model checker, which crashes nodes between the stages).
///
/// A batch is one or more steps whose outputs are carried out together:
/// 1. `.beforeWrite` sends may leave at once: a leader's log requests only (Raft thesis
///    §10.2.1, the leader writes its new entries in parallel with replicating them). Its
///    term is durable already (its vote requests left only after it was), a follower
///    acknowledges only what it made durable itself, and the leader counts its own copy only
///    after `.persisted`.
/// 2. `.write`: every `.persist` of the batch, made durable with one write (and one fsync
///    where it changes the term, the vote or the log) — then `.persisted` is stepped.
/// 3. `.afterWrite`: everything else, in order — vote requests and grants (they vouch for the
///    term, vote and log), append responses, forwarded proposals, deliveries, rejections.
///
/// Timer resets (`.resetTimer`) and trace events have no durable effect and are
/// `.afterWrite` too, though a driver may arm timers at once.
public enum OutputStage: Hashable, Sendable {
    /// May be carried out before the batch's durable write.
    case beforeWrite
    /// Part of the batch's durable write.
    case write
    /// Only after the batch's write is durable.
    case afterWrite
}

extension ProtocolOptions {
    /// The stage of `output` in a node running with these options.
    @inline(__always)
    public func stage(of output: Output) -> OutputStage {
        switch output {
        case .send(let message): return sendsBeforeWrite(message) ? .beforeWrite : .afterWrite
        case .persist: return .write
        case .deliver, .restore, .resetTimer, .rejectProposal, .dropMessage, .trace, .membershipChanged,
             .membershipChangeRefused: return .afterWrite
        }
    }

    /// Whether `message` may leave before the durable write of its batch.
    @inline(__always)
    public func sendsBeforeWrite(_ message: Message) -> Bool {
        if mutant == .sendBeforePersist { return message.isRequest }
        if case .logRequest = message.body { return true }
        return false
    }
}
