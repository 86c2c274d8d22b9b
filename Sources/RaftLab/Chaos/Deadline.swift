import Foundation

/// Runs `operation` and gives up after `seconds`: a node that is paused (SIGSTOP) or wedged
/// never answers, and chaos must not wait for it forever. The operation keeps running in
/// the background after a timeout; its late result is dropped.
func withDeadline<T: Sendable>(seconds: Double, _ what: String,
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    precondition(seconds > 0, "a deadline must be in the future")
    let gate = DeadlineGate<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.arm(continuation)
        gate.timer = Task {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            gate.finish(.failure(LabError("\(what): no answer within \(seconds) s")))
        }
        Task {
            do { gate.finish(.success(try await operation())) } catch { gate.finish(.failure(error)) }
        }
    }
}

/// Resumes a continuation once: with whichever of the operation and the timer ends first.
private final class DeadlineGate<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    /// The timeout's sleeping task: cancelled when the operation ends first, so polls at
    /// tens per second do not leave as many sleepers behind.
    var timer: Task<Void, Never>? {
        get { lock.withLock { timerTask } }
        set { lock.withLock { timerTask = newValue } }
    }
    private var timerTask: Task<Void, Never>?

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func finish(_ result: Result<T, any Error>) {
        let (waiting, timer): (CheckedContinuation<T, any Error>?, Task<Void, Never>?) = lock.withLock {
            defer {
                continuation = nil
                timerTask = nil
            }
            return (continuation, timerTask)
        }
        timer?.cancel()
        waiting?.resume(with: result)
    }
}
