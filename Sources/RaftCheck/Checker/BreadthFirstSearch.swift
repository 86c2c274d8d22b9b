import Synchronization

/// Level-synchronous breadth-first search: all workers expand the states of depth `d`, then
/// all expand those of depth `d + 1`. Levels are held in chunks that are released as soon as
/// they are expanded, so memory peaks at about one level and a half.
enum BreadthFirstSearch {
    /// States per chunk: large enough to amortize taking one, small enough to balance load.
    static let chunkEntries = 2048

    /// A batch of states of one level; only the worker that took it touches it.
    final class Chunk<State: Sendable>: @unchecked Sendable {
        var entries: [FrontierEntry<State>]
        init(_ entries: [FrontierEntry<State>]) { self.entries = entries }
    }

    /// Chunks of the next level, appended by every worker.
    final class LevelBuilder<State: Sendable>: Sendable {
        let chunks = Mutex<[Chunk<State>]>([])
        func append(_ entries: [FrontierEntry<State>]) {
            let chunk = Chunk(entries)
            chunks.withLock { $0.append(chunk) }
        }
    }

    static func run<M: Model>(_ context: SearchContext<M>) {
        var level = chunked(context.seed())
        while !level.isEmpty && !context.isStopped {
            level = expand(level, context)
        }
    }

    private static func chunked<State>(_ entries: [FrontierEntry<State>]) -> [Chunk<State>] {
        stride(from: 0, to: entries.count, by: chunkEntries).map { start in
            Chunk(Array(entries[start..<min(start + chunkEntries, entries.count)]))
        }
    }

    /// Expands every state of `level` and returns the next level (empty at the depth bound).
    private static func expand<M: Model>(_ level: [Chunk<M.State>], _ context: SearchContext<M>) -> [Chunk<M.State>] {
        let next = LevelBuilder<M.State>()
        let nextChunk = Atomic<Int>(0)
        let depthMax = context.options.depthMax
        WorkerThreads.run(count: context.options.threadCount) { _ in
            var actions: [M.Action] = []
            var scratch: [(M.State, Fingerprint)] = []
            var counters = LocalCounters()
            var output: [FrontierEntry<M.State>] = []
            output.reserveCapacity(chunkEntries)
            while !context.isStopped {
                let index = nextChunk.add(1, ordering: .relaxed).oldValue
                guard index < level.count else { break }
                let chunk = level[index]
                let entries = chunk.entries
                chunk.entries = [] // release this part of the level as soon as it is expanded
                for entry in entries where !context.isStopped {
                    context.expand(entry, actions: &actions, scratch: &scratch, counters: &counters) { successor, insertion in
                        guard insertion == .inserted, successor.depth < depthMax else { return }
                        output.append(successor)
                        if output.count == chunkEntries {
                            next.append(output)
                            output.removeAll(keepingCapacity: true)
                        }
                    }
                }
            }
            if !output.isEmpty { next.append(output) }
            context.flush(&counters)
        }
        return next.chunks.withLock { $0 }
    }
}
