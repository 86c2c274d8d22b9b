import Foundation
import RaftCheck
import Synchronization

/// The explorer's background search: at most one `RaftChecker` at a time, on its own model
/// (so that its tables are freed when it ends), run on a thread of its own while the page
/// polls `status`.
///
/// Starting a search cancels the one in progress, whose result is then dropped.
public final class SearchSession: Sendable {
    /// Deepest search the explorer runs: depth 12 of the default model is 7.8 M unique states
    /// and about 0.5 GB; depth 14 would be 113 M states and 6.6 GB (docs/MODEL.md).
    public static let depthMax = 12

    private struct Current {
        var status = SearchStatus.idle
        var checker: RaftChecker?
    }

    private let configuration: RaftModelConfiguration
    private let threadCount: Int
    private let current = Mutex(Current())
    /// Entered while a search thread runs, so that `cancelAndWait` can wait for all of them.
    private let running = DispatchGroup()

    /// A session searching models of `configuration` on `threadCount` worker threads.
    public init(configuration: RaftModelConfiguration, threadCount: Int) {
        precondition(threadCount >= 1 && threadCount <= CheckerOptions.threadCountMax, "thread count \(threadCount)")
        self.configuration = configuration
        self.threadCount = threadCount
    }

    /// The current or last search, with live counters while it runs.
    public var status: SearchStatus {
        current.withLock { current in
            var status = current.status
            if let checker = current.checker { status.progress = Self.progress(checker.progress) }
            return status
        }
    }

    /// Starts a search for `request` in the background and returns its first status; a 400
    /// for a depth out of range, a 404 naming the first step of `request.from` that is not enabled.
    @discardableResult
    public func start(_ request: SearchRequest) throws(ExplorerError) -> SearchStatus {
        guard (1...Self.depthMax).contains(request.depth) else {
            throw ExplorerError(status: 400, "depth must be in 1...\(Self.depthMax), got \(request.depth)")
        }
        let from = request.from ?? []
        guard from.count <= ExplorerPath.stepCountMax else {
            throw ExplorerError(status: 400, "from has \(from.count) steps; at most \(ExplorerPath.stepCountMax) are allowed")
        }
        let model: RaftModel
        do {
            model = try RaftModel.starting(after: from, configuration)
        } catch {
            throw ExplorerError.notEnabled(error, prefix: "from: ")
        }
        let checker = RaftChecker(model: model, options: CheckerOptions(
            depthMax: request.depth, threadCount: threadCount, strategy: .breadthFirst,
            stopsAtFirstCounterexample: request.stopAtCounterexample ?? false))
        let status = current.withLock { current in
            current.checker?.cancel()
            current.checker = checker
            current.status = SearchStatus(state: "running", id: current.status.id + 1, request: request,
                                          progress: Self.progress(checker.progress), stopReason: nil, discoveries: [])
            return current.status
        }
        running.enter()
        let thread = Thread { [self] in
            let result = checker.run()
            finish(id: status.id, checker: checker, result: result, from: from)
            running.leave()
        }
        thread.name = "explore-search-\(status.id)"
        thread.start()
        return status
    }

    /// Asks the running search (if any) to stop; its status becomes `cancelled` with what it
    /// found so far once its threads notice, which is soon.
    @discardableResult
    public func cancel() -> SearchStatus {
        current.withLock { $0.checker?.cancel() }
        return status
    }

    /// Cancels any search and waits until every search thread has ended (for shutting down);
    /// returns whether they ended within `timeoutSeconds`.
    @discardableResult
    public func cancelAndWait(timeoutSeconds: Double = 30) -> Bool {
        cancel()
        return running.wait(timeout: .now() + timeoutSeconds) == .success
    }

    private func finish(id: Int, checker: RaftChecker, result: CheckResult<RaftModel>, from: [String]) {
        let model = checker.model
        let discoveries = result.discoveries.map { discovery in
            SearchStatus.DiscoveryEntry(property: discovery.property.name,
                                        classification: discovery.classification.rawValue,
                                        path: from + discovery.actions.map(model.label(of:)))
        }
        current.withLock { current in
            guard current.status.id == id else { return }
            current.checker = nil
            current.status.state = result.stopReason == .cancelled ? "cancelled" : "done"
            current.status.progress = Self.progress(result.progress)
            current.status.stopReason = result.stopReason.rawValue
            current.status.discoveries = discoveries
        }
    }

    private static func progress(_ progress: CheckProgress) -> SearchStatus.Progress {
        SearchStatus.Progress(states: progress.stateCount, unique: progress.uniqueCount, depth: progress.depth,
                              seconds: (progress.elapsedSeconds * 1000).rounded() / 1000)
    }
}
