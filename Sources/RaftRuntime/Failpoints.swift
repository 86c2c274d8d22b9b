#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

/// Test hooks inside a node host's batch, switched on only by the environment variable
/// `RAFTLAB_FAILPOINTS` (like etcd's gofail): crash tests use them to kill a real node
/// process exactly inside a window of the ordering contract, or to shape a schedule that
/// timing alone would rarely produce.
///
/// The variable holds terms separated by `;`, each `site[@node][?condition]=[count*]action`:
///
/// | site | where it fires |
/// | --- | --- |
/// | `receive` | a peer's message arrives, before it joins a batch |
/// | `batch` | a batch's inputs were stepped, before any of its outputs is carried out |
/// | `before-write` | the batch's early sends (a leader's log requests) left; its durable write has not begun |
/// | `after-write` | the durable write is done; the batch's other sends have not left |
/// | `sync` | the batch's durable write is about to be made (its write and fdatasync) |
/// | `snapshot-written` | the batch's snapshot file is durable, its log records not yet (the window a restart must finish) |
///
/// | condition | holds when |
/// | --- | --- |
/// | `start` | the batch is the incarnation's first (its restart) |
/// | `appended` | the batch appended entries to the log |
/// | `vote-request` | (`receive`) the message is a vote request; (batch sites) the batch sends one |
/// | `log-request` | (`receive`) the message is a log request; (batch sites) the batch sends one |
/// | `install` | (`receive`) the message is a snapshot chunk; (batch sites) the batch installs a leader's snapshot |
///
/// | action | effect |
/// | --- | --- |
/// | `kill` | `SIGKILL` this process (what `kill -9` does) |
/// | `sleep(ms)` | block the node's loop for `ms` milliseconds |
/// | `delay(ms)` | (`receive` only) the message joins a batch `ms` milliseconds later |
/// | `timeout` | (`batch` only) an election timeout joins this batch (stepped after its inputs) |
/// | `eio`, `enospc` | (`sync` only) the write fails as the disk would: fdatasync with EIO, or the write with ENOSPC |
///
/// `@node` limits a term to that node id; `count*` limits it to that many firings. Example:
/// `batch@2?appended=1*timeout;before-write@2?vote-request=1*kill`.
public struct Failpoints: Sendable, Hashable {
    /// The environment variable read by `fromEnvironment(node:)`.
    public static let environmentVariable = "RAFTLAB_FAILPOINTS"
    /// Longest `sleep` or `delay` accepted, in milliseconds.
    public static let waitMsMax = 60_000

    /// Where a failpoint fires.
    public enum Site: String, Sendable, Hashable, CaseIterable {
        case receive
        case batch
        case beforeWrite = "before-write"
        case afterWrite = "after-write"
        case sync
        case snapshotWritten = "snapshot-written"
    }

    /// What must hold for a term to fire.
    public enum Condition: String, Sendable, Hashable, CaseIterable {
        case start
        case appended
        case voteRequest = "vote-request"
        case logRequest = "log-request"
        case install
    }

    /// What a term does.
    public enum Action: Sendable, Hashable {
        case kill
        case sleep(milliseconds: Int)
        case delay(milliseconds: Int)
        case timeout
        /// The durable write fails with this errno (`EIO` at fdatasync, `ENOSPC` at write).
        case diskError(errno: Int32)
    }

    /// One parsed term.
    public struct Term: Sendable, Hashable {
        public var site: Site
        public var node: NodeID?
        public var condition: Condition?
        public var action: Action
        /// Firings left (`nil`: unlimited).
        public var remaining: Int?
    }

    /// The terms in force, for this node only.
    public private(set) var terms: [Term]

    /// No failpoints (what every node runs with unless the variable is set).
    public static let none = Failpoints(terms: [])

    /// Whether any term is in force.
    public var isEmpty: Bool { terms.isEmpty }

    init(terms: [Term]) { self.terms = terms }

    /// The terms of `spec` that apply to node `node`, or an error naming the bad term.
    public static func parse(_ spec: String, node: NodeID) throws(FailpointError) -> Failpoints {
        var terms: [Term] = []
        for text in spec.split(separator: ";", omittingEmptySubsequences: true) {
            let term = try parseTerm(String(text).trimmingSpaces)
            if term.node == nil || term.node == node { terms.append(term) }
        }
        return Failpoints(terms: terms)
    }

    /// The failpoints `RAFTLAB_FAILPOINTS` names for node `node` (none when it is unset).
    public static func fromEnvironment(node: NodeID) throws(FailpointError) -> Failpoints {
        guard let value = getenv(environmentVariable) else { return .none }
        return try parse(String(cString: value), node: node)
    }

    /// The action of the first live term at `site` whose condition `holds`, consuming one
    /// firing of it.
    public mutating func fire(_ site: Site, where holds: (Condition) -> Bool) -> Action? {
        for position in terms.indices where terms[position].site == site {
            let term = terms[position]
            if let remaining = term.remaining, remaining <= 0 { continue }
            if let condition = term.condition, !holds(condition) { continue }
            if let remaining = term.remaining { terms[position].remaining = remaining - 1 }
            return term.action
        }
        return nil
    }

    private static func parseTerm(_ text: String) throws(FailpointError) -> Term {
        func fail(_ reason: String) -> FailpointError { FailpointError(term: text, reason: reason) }
        guard let equals = text.firstIndex(of: "=") else { throw fail("expected site=action") }
        var left = Substring(text[..<equals])
        var right = Substring(text[text.index(after: equals)...])
        var condition: Condition?
        if let question = left.firstIndex(of: "?") {
            let name = String(left[left.index(after: question)...])
            guard let parsed = Condition(rawValue: name) else {
                throw fail("unknown condition '\(name)' (known: \(Condition.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            condition = parsed
            left = left[..<question]
        }
        var node: NodeID?
        if let at = left.firstIndex(of: "@") {
            let digits = left[left.index(after: at)...]
            guard let id = Int(digits), id >= 0, id < RaftLimits.clusterSizeMax else {
                throw fail("bad node id '\(digits)'")
            }
            node = id
            left = left[..<at]
        }
        guard let site = Site(rawValue: String(left)) else {
            throw fail("unknown site '\(left)' (known: \(Site.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var remaining: Int?
        if let star = right.firstIndex(of: "*") {
            guard let count = Int(right[..<star]), count >= 1 else { throw fail("bad count '\(right[..<star])'") }
            remaining = count
            right = right[right.index(after: star)...]
        }
        let action = try parseAction(right, fail: fail)
        switch (site, action) {
        case (.receive, .timeout): throw fail("'timeout' fires at the batch site only")
        case (.sync, .kill), (.sync, .sleep), (.sync, .delay), (.sync, .timeout): throw fail("the sync site takes 'eio' or 'enospc' only")
        case (_, .diskError) where site != .sync: throw fail("'eio' and 'enospc' fire at the sync site only")
        case (.batch, .delay), (.beforeWrite, .delay), (.afterWrite, .delay), (.snapshotWritten, .delay):
            throw fail("'delay' fires at the receive site only")
        case (.snapshotWritten, .timeout): throw fail("'timeout' fires at the batch site only")
        default: break
        }
        return Term(site: site, node: node, condition: condition, action: action, remaining: remaining)
    }

    private static func parseAction(_ text: Substring, fail: (String) -> FailpointError) throws(FailpointError) -> Action {
        switch text {
        case "kill": return .kill
        case "timeout": return .timeout
        case "eio": return .diskError(errno: EIO)
        case "enospc": return .diskError(errno: ENOSPC)
        default: break
        }
        for (name, make) in [("sleep", Action.sleep(milliseconds:)), ("delay", Action.delay(milliseconds:))] {
            guard text.hasPrefix(name + "("), text.hasSuffix(")") else { continue }
            let digits = text.dropFirst(name.count + 1).dropLast()
            guard let milliseconds = Int(digits), milliseconds >= 0, milliseconds <= waitMsMax else {
                throw fail("bad milliseconds '\(digits)' (0...\(waitMsMax))")
            }
            return make(milliseconds)
        }
        throw fail("unknown action '\(text)' (known: kill, sleep(ms), delay(ms), timeout, eio, enospc)")
    }
}

/// A `RAFTLAB_FAILPOINTS` term that does not parse.
public struct FailpointError: Error, Hashable, Sendable, CustomStringConvertible {
    public var term: String
    public var reason: String
    public var description: String { "\(Failpoints.environmentVariable): term '\(term)': \(reason)" }
}

extension Failpoints.Action {
    /// Carries out `kill` or `sleep` right here (the other actions are the host's to apply).
    func performBlocking() {
        switch self {
        case .kill:
            raise(SIGKILL)
            while true { pause() } // SIGKILL cannot be caught: never returns
        case .sleep(let milliseconds):
            var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        case .delay, .timeout, .diskError:
            break
        }
    }
}

private extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
