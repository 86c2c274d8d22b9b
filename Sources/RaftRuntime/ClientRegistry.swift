import NIOCore
import RaftCore

/// Proposals waiting for their delivery at this node, by request id. The library's
/// `propose` and the lab's client connections both wait here. Deadlines are checked by one
/// sweep per `sweepIntervalMs` (not a timer per proposal, which costs a schedule and a cancel
/// on every commit). Confined to the host's loop.
final class ClientRegistry: @unchecked Sendable {
    /// How a waiting proposal ends: its log index and reply, or why it will not get one.
    typealias Completion = (Result<Committed, RaftError>) -> Void

    /// How often expired proposals are looked for.
    static let sweepIntervalMs: Int64 = 100

    private let eventLoop: any EventLoop
    private var waiting: [RequestID: Waiter] = [:]
    private var sweep: RepeatedTask?
    /// Records commit latencies, pending counts and timeouts, if set.
    var metrics: NodeMetrics?

    private struct Waiter {
        var completion: Completion
        var registeredAt: NIODeadline
        var deadline: NIODeadline
    }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Proposals currently waiting.
    var count: Int {
        eventLoop.preconditionInEventLoop()
        return waiting.count
    }

    /// Waits for `request`: `completion` runs once, on the loop, with its index, its
    /// rejection, or `.timedOut` about `timeout` later. Returns false (and completes at once)
    /// when too many proposals wait already.
    @discardableResult
    func register(request: RequestID, timeout: Duration, completion: @escaping Completion) -> Bool {
        eventLoop.preconditionInEventLoop()
        guard waiting.count < RuntimeLimits.clientRequestsWaitingMax else {
            metrics?.proposalFailed()
            completion(.failure(.rejected(.bufferFull)))
            return false
        }
        let now = NIODeadline.now()
        if let previous = waiting.updateValue(Waiter(completion: completion, registeredAt: now, deadline: now + TimeAmount(timeout)),
                                              forKey: request) {
            previous.completion(.failure(.rejected(.duplicate(index: 0))))
        }
        if sweep == nil {
            sweep = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(Self.sweepIntervalMs),
                                                   delay: .milliseconds(Self.sweepIntervalMs)) { [weak self] _ in
                self?.expire()
            }
        }
        return true
    }

    /// Registers `request` and runs `submit` on the loop, then suspends until it completes.
    func await(request: RequestID, timeout: Duration, submit: @escaping @Sendable () -> Void) async throws -> Committed {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Committed, any Error>) in
            eventLoop.execute { [self] in
                let registered = register(request: request, timeout: timeout) { result in
                    continuation.resume(with: result.mapError { $0 as any Error })
                }
                if registered { submit() }
            }
        }
    }

    /// An entry was delivered here: completes the proposal that carried it, with the state
    /// machine's `reply`.
    func delivered(index: Int, entry: Entry, reply: [UInt8] = []) {
        eventLoop.preconditionInEventLoop()
        guard !entry.isProtocolEntry, !waiting.isEmpty else { return }
        finish(entry.request, .success(Committed(index: index, reply: reply)))
    }

    /// The core refused `request` (a duplicate is not a refusal: see `RaftSession`).
    func rejected(request: RequestID, reason: ProposalRejection) {
        eventLoop.preconditionInEventLoop()
        finish(request, .failure(.rejected(reason)))
    }

    /// The node stopped on its own: every waiting proposal ends now as timed out (it may
    /// still commit through the other nodes).
    func abandonAll() {
        eventLoop.preconditionInEventLoop()
        let requests = Array(waiting.keys)
        for request in requests { finish(request, .failure(.timedOut)) }
        close()
    }

    /// Stops the sweep (the node is stopping); waiting proposals are left to time out with it.
    func close() {
        eventLoop.preconditionInEventLoop()
        sweep?.cancel()
        sweep = nil
    }

    private func expire() {
        let now = NIODeadline.now()
        var expired: [RequestID] = []
        for (request, waiter) in waiting where waiter.deadline <= now { expired.append(request) }
        for request in expired { finish(request, .failure(.timedOut)) }
    }

    private func finish(_ request: RequestID, _ result: Result<Committed, RaftError>) {
        guard let waiter = waiting.removeValue(forKey: request) else { return }
        switch result {
        case .success:
            metrics?.proposalCommitted(latencyNs: NIODeadline.now().uptimeNanoseconds &- waiter.registeredAt.uptimeNanoseconds)
        case .failure(.timedOut):
            metrics?.proposalFailed() // the core counts its own refusals
        case .failure:
            break
        }
        waiter.completion(result)
    }
}
