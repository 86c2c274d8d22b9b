import Foundation

/// Waits until `condition` holds, polling every 10 ms, for at most `timeout` (generous: CI
/// machines are slow and noisy). Returns whether it held; never sleeps a fixed time.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
