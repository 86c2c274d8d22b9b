import NIOCore

/// A re-armable timer on one event loop that does not reschedule on every reset: resets only
/// move a deadline, and the single scheduled task re-arms itself when it fires early.
/// Confined to its event loop.
final class LoopTimer: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private let action: () -> Void
    private var deadline: NIODeadline?
    private var scheduled: Scheduled<Void>?
    private var scheduledDeadline: NIODeadline?

    /// A disarmed timer that runs `action` on `eventLoop` when it fires.
    init(eventLoop: any EventLoop, action: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.action = action
    }

    /// Whether the timer will fire.
    var isArmed: Bool { deadline != nil }

    /// (Re)arms the timer to fire after `delay`, forgetting the earlier deadline.
    func arm(after delay: TimeAmount) {
        eventLoop.preconditionInEventLoop()
        let newDeadline = NIODeadline.now() + delay
        deadline = newDeadline
        if let current = scheduledDeadline, current <= newDeadline { return }
        scheduled?.cancel()
        schedule(at: newDeadline)
    }

    /// Disarms the timer.
    func cancel() {
        eventLoop.preconditionInEventLoop()
        deadline = nil
        scheduled?.cancel()
        scheduled = nil
        scheduledDeadline = nil
    }

    private func schedule(at when: NIODeadline) {
        scheduledDeadline = when
        scheduled = eventLoop.scheduleTask(deadline: when) { [weak self] in self?.fire() }
    }

    private func fire() {
        scheduled = nil
        scheduledDeadline = nil
        guard let deadline else { return }
        if NIODeadline.now() < deadline {
            schedule(at: deadline)
            return
        }
        self.deadline = nil
        action()
    }
}
