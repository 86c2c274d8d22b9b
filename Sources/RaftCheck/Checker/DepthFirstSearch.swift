import Foundation

/// Depth-first search: each worker runs its own stack, and hands the bottom half of it to
/// a waiting worker (stateright's "job market").
///
/// A state reached again along a shorter path is expanded again (the visited set records
/// the smallest depth seen), so with a depth bound the search finds exactly the states that
/// breadth-first search finds, though it may generate more duplicates on the way.
enum DepthFirstSearch {
    /// States a worker expands between two looks at the job market.
    static let blockStates = 1024

    /// Stacks waiting for a worker, and who is waiting for one.
    final class JobMarket<State: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [[FrontierEntry<State>]]
        private var waitingCount = 0
        private let workerCount: Int
        private var isFinished = false

        init(initial: [FrontierEntry<State>], workerCount: Int) {
            jobs = initial.isEmpty ? [] : [initial]
            self.workerCount = workerCount
        }

        /// Blocks until a job is available (returns it) or every worker is idle (returns nil).
        func take(stopped: () -> Bool) -> [FrontierEntry<State>]? {
            condition.lock()
            defer { condition.unlock() }
            waitingCount += 1
            while true {
                if isFinished || stopped() {
                    isFinished = true
                    condition.broadcast()
                    return nil
                }
                if let job = jobs.popLast() {
                    waitingCount -= 1
                    return job
                }
                if waitingCount == workerCount {
                    isFinished = true
                    condition.broadcast()
                    return nil
                }
                condition.wait()
            }
        }

        /// Whether some worker waits for work (read without the lock: a hint only).
        var hasWaitingWorker: Bool {
            condition.lock()
            defer { condition.unlock() }
            return waitingCount > 0 && jobs.isEmpty
        }

        func offer(_ job: [FrontierEntry<State>]) {
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        /// Wakes every waiting worker so that it notices a stop.
        func wakeAll() {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
    }

    static func run<M: Model>(_ context: SearchContext<M>) {
        let threadCount = context.options.threadCount
        let market = JobMarket(initial: context.seed(), workerCount: threadCount)
        let depthMax = context.options.depthMax
        WorkerThreads.run(count: threadCount) { _ in
            var actions: [M.Action] = []
            var scratch: [(M.State, Fingerprint)] = []
            var counters = LocalCounters()
            while let job = market.take(stopped: { context.isStopped }) {
                var stack = job
                while !stack.isEmpty && !context.isStopped {
                    for _ in 0..<blockStates {
                        guard let entry = stack.popLast() else { break }
                        context.expand(entry, actions: &actions, scratch: &scratch, counters: &counters) { successor, _ in
                            if successor.depth < depthMax { stack.append(successor) }
                        }
                    }
                    if threadCount > 1 && stack.count > 1 && market.hasWaitingWorker {
                        // The bottom of the stack holds the shallowest states: the most work.
                        let half = stack.count / 2
                        market.offer(Array(stack[..<half]))
                        stack.removeFirst(half)
                    }
                }
                if context.isStopped { market.wakeAll() }
            }
            context.flush(&counters)
        }
    }
}
