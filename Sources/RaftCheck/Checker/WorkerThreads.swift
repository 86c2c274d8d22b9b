import Foundation

/// Runs a body on several dedicated threads and waits for all of them.
///
/// Dedicated threads (not a shared pool) because depth-first workers block while they wait
/// for work, which a pool sized to the cores could turn into a deadlock.
enum WorkerThreads {
    /// Stack bytes per worker thread.
    static let stackBytes = 8 << 20

    /// Calls `body(index)` for every index in `0..<count`, each on its own thread (the
    /// caller's thread when `count` is 1), and returns when all calls have returned.
    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        precondition(count >= 1, "at least one worker")
        if count == 1 {
            body(0)
            return
        }
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                body(index)
                group.leave()
            }
            thread.stackSize = stackBytes
            thread.name = "checker-\(index)"
            thread.start()
        }
        group.wait()
    }
}
