import Synchronization

/// A state waiting to be expanded, with what the search knows about the path to it.
struct FrontierEntry<State: Sendable>: Sendable {
    var state: State
    var fingerprint: Fingerprint
    /// States on the path to here, this one included (initial states are at depth 1).
    var depth: Int
    /// Eventually-properties that have not held anywhere on the path to here.
    var pendingEventually: PropertyMask
}

/// Where a discovery ends: a state, or a state plus the step out of it (for a property of
/// steps, the successor may have been reached first along another path).
struct DiscoveryRecord<Action: Sendable>: Sendable {
    var classification: DiscoveryClassification
    var endFingerprint: Fingerprint
    var finalAction: Action?
}

/// Counters a worker accumulates locally and publishes in batches, so that threads do not
/// fight over one cache line for every state.
struct LocalCounters {
    static let flushEvery = 512
    var states = 0
    var depth = 0
    var sinceFlush = 0
}

/// Everything the workers of one search share: the model, the visited set, the counters,
/// the discoveries and the stop flag.
final class SearchContext<M: Model>: Sendable {
    let model: M
    let options: CheckerOptions
    let properties: [Property]
    let visited = VisitedSet()
    let startedAt = ContinuousClock.now

    let alwaysStateMask: PropertyMask
    let alwaysTransitionMask: PropertyMask
    let sometimesStateMask: PropertyMask
    let sometimesTransitionMask: PropertyMask
    let eventuallyMask: PropertyMask
    private let declaredMask: PropertyMask

    private let stateCount = Atomic<Int>(0)
    private let depthReached = Atomic<Int>(0)
    private let discoveredBits = Atomic<UInt64>(0)
    private let stopCode = Atomic<Int>(0)
    private let records = Mutex<[Int: DiscoveryRecord<M.Action>]>([:])

    init(model: M, options: CheckerOptions) {
        let properties = model.properties
        precondition(properties.count <= PropertyMask.capacity, "at most \(PropertyMask.capacity) properties")
        precondition(Set(properties.map(\.name)).count == properties.count, "property names must be distinct")
        self.model = model
        self.options = options
        self.properties = properties
        alwaysStateMask = .positions(of: properties) { $0.expectation == .always && $0.scope == .state }
        alwaysTransitionMask = .positions(of: properties) { $0.expectation == .always && $0.scope == .transition }
        sometimesStateMask = .positions(of: properties) { $0.expectation == .sometimes && $0.scope == .state }
        sometimesTransitionMask = .positions(of: properties) { $0.expectation == .sometimes && $0.scope == .transition }
        eventuallyMask = .positions(of: properties) { $0.expectation == .eventually }
        declaredMask = .positions(of: properties) { _ in true }
    }

    // MARK: Stopping

    var stopReason: StopReason? {
        switch stopCode.load(ordering: .relaxed) {
        case 1: return .everyPropertyDiscovered
        case 2: return .counterexampleFound
        case 3: return .cancelled
        default: return nil
        }
    }

    var isStopped: Bool { stopCode.load(ordering: .relaxed) != 0 }

    func stop(_ reason: StopReason) {
        let code: Int
        switch reason {
        case .exhausted: return
        case .everyPropertyDiscovered: code = 1
        case .counterexampleFound: code = 2
        case .cancelled: code = 3
        }
        _ = stopCode.compareExchange(expected: 0, desired: code, ordering: .relaxed)
    }

    // MARK: Counters

    var progress: CheckProgress {
        CheckProgress(stateCount: stateCount.load(ordering: .relaxed), uniqueCount: visited.count,
                      depth: depthReached.load(ordering: .relaxed),
                      elapsedSeconds: (ContinuousClock.now - startedAt).seconds)
    }

    func flush(_ counters: inout LocalCounters) {
        stateCount.add(counters.states, ordering: .relaxed)
        var seen = depthReached.load(ordering: .relaxed)
        while counters.depth > seen {
            let (exchanged, original) = depthReached.compareExchange(expected: seen, desired: counters.depth,
                                                                      ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
        counters.states = 0
        counters.sinceFlush = 0
    }

    // MARK: Discoveries

    private var discovered: PropertyMask { PropertyMask(rawValue: discoveredBits.load(ordering: .relaxed)) }

    func record(_ position: Int, _ classification: DiscoveryClassification, end: Fingerprint, finalAction: M.Action?) {
        let isNew = records.withLock { records in
            guard records[position] == nil else { return false }
            records[position] = DiscoveryRecord(classification: classification, endFingerprint: end,
                                                finalAction: finalAction)
            return true
        }
        guard isNew else { return }
        let bits = discoveredBits.bitwiseOr(PropertyMask(position: position).rawValue, ordering: .relaxed).newValue
        if classification == .counterexample && options.stopsAtFirstCounterexample { stop(.counterexampleFound) }
        if PropertyMask(rawValue: bits).isSuperset(of: declaredMask) { stop(.everyPropertyDiscovered) }
    }

    func takeRecords() -> [Int: DiscoveryRecord<M.Action>] { records.withLock { $0 } }

    /// Checks the state-scoped always- and sometimes-properties not yet discovered.
    func checkNewState(_ state: M.State, _ fingerprint: Fingerprint) {
        let pending = alwaysStateMask.union(sometimesStateMask).subtracting(discovered)
        guard !pending.isEmpty else { return }
        let holding = model.evaluate(state)
        pending.intersection(alwaysStateMask).subtracting(holding).forEachPosition { position in
            record(position, .counterexample, end: fingerprint, finalAction: nil)
        }
        pending.intersection(sometimesStateMask).intersection(holding).forEachPosition { position in
            record(position, .example, end: fingerprint, finalAction: nil)
        }
    }

    // MARK: Searching

    /// Inserts and checks the initial states; returns those to expand (none when the depth
    /// bound is 1).
    func seed() -> [FrontierEntry<M.State>] {
        var entries: [FrontierEntry<M.State>] = []
        var counters = LocalCounters()
        for state in model.initialStates() {
            counters.states += 1
            counters.depth = 1
            let fingerprint = Fingerprint.make(model.fingerprint(of: state))
            guard visited.insert(fingerprint, parent: VisitedSet.noParent, depth: 1) == .inserted else { continue }
            checkNewState(state, fingerprint)
            entries.append(FrontierEntry(state: state, fingerprint: fingerprint, depth: 1,
                                         pendingEventually: eventuallyMask))
        }
        flush(&counters)
        return options.depthMax > 1 ? entries : []
    }

    /// Generates the successors of `entry`, records them in the visited set, checks the new
    /// ones, and hands every successor that is new or newly shortened to `visit`.
    ///
    /// All successors are generated and their visited-set slots prefetched before any is
    /// looked up, so that their cache misses overlap (`scratch` holds them meanwhile).
    func expand(_ entry: FrontierEntry<M.State>, actions: inout [M.Action], scratch: inout [(M.State, Fingerprint)],
                counters: inout LocalCounters, visit: (FrontierEntry<M.State>, VisitedSet.Insertion) -> Void) {
        precondition(entry.depth < options.depthMax, "a state at the depth bound is never expanded")
        var pending = entry.pendingEventually
        if !pending.isEmpty { pending.subtract(model.evaluate(entry.state)) }
        actions.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        model.actions(in: entry.state, into: &actions)
        for action in actions {
            guard let step = model.step(entry.state, action) else { continue }
            checkTransition(step.transitionMask, from: entry.fingerprint, by: action)
            let fingerprint = Fingerprint.make(model.fingerprint(of: step.state))
            visited.prefetch(fingerprint)
            scratch.append((step.state, fingerprint))
        }
        counters.states += scratch.count
        let nextDepth = entry.depth + 1
        for (state, fingerprint) in scratch {
            let insertion = visited.insert(fingerprint, parent: entry.fingerprint, depth: nextDepth,
                                           allowsShortening: options.strategy == .depthFirst)
            if insertion == .inserted {
                counters.depth = max(counters.depth, nextDepth)
                checkNewState(state, fingerprint)
            }
            if insertion != .present {
                visit(FrontierEntry(state: state, fingerprint: fingerprint, depth: nextDepth,
                                    pendingEventually: pending), insertion)
            }
        }
        if scratch.isEmpty {
            pending.intersection(eventuallyMask).subtracting(discovered).forEachPosition { position in
                record(position, .counterexample, end: entry.fingerprint, finalAction: nil)
            }
        }
        counters.sinceFlush += 1
        if counters.sinceFlush >= LocalCounters.flushEvery { flush(&counters) }
    }

    @inline(__always)
    private func checkTransition(_ holding: PropertyMask, from fingerprint: Fingerprint, by action: M.Action) {
        let failing = alwaysTransitionMask.subtracting(holding)
        let examples = sometimesTransitionMask.intersection(holding)
        guard !failing.isEmpty || !examples.isEmpty else { return }
        let pending = PropertyMask.all.subtracting(discovered)
        failing.intersection(pending).forEachPosition { position in
            record(position, .counterexample, end: fingerprint, finalAction: action)
        }
        examples.intersection(pending).forEachPosition { position in
            record(position, .example, end: fingerprint, finalAction: action)
        }
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
