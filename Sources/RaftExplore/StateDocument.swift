/// One state of the model as the explorer's JSON API returns it (`GET /.states/…`): the path
/// that leads there, every server, the network, the properties and the enabled actions.
///
/// Field names are the JSON keys; docs/EXPLORER.md describes each one.
public struct StateDocument: Codable, Hashable, Sendable {
    /// The model settings, one line (`RaftModelConfiguration.description`).
    public var model: String
    /// The steps from the initial state to this one (empty at the initial state).
    public var path: [PathStep]
    /// Every server by id.
    public var servers: [ServerView]
    /// Distinct items in flight, in the state's canonical order.
    public var network: [NetworkEntry]
    /// Every property of the model and whether its condition holds here.
    public var properties: [PropertyStatus]
    /// The broken safety properties with the evidence in words (empty when all hold).
    public var violations: [String]
    /// The actions enabled here, in the model's action order.
    public var actions: [ActionEntry]

    /// What one action does, enough to draw it: the kind, the node that acts, and for a
    /// delivery its sender and message.
    public struct StepDescription: Codable, Hashable, Sendable {
        /// The model's label for the action (a path segment).
        public var label: String
        /// `deliver`, `timeout`, `crash` or `restart`.
        public var kind: String
        /// The node that takes the step: receiver, timer owner, crashed or restarted server.
        public var node: Int
        /// Sender of a delivered message; `nil` for a client proposal and for other kinds.
        public var from: Int?
        /// Message name of a delivery (`VoteRequest`, `LogResponse`, `Propose`, …).
        public var message: String?
        /// `election` or `heartbeat` for a timeout.
        public var timer: String?
        /// A few words for a diagram (`VoteResponse t1 ✓`, `LogRequest t1 +1`).
        public var summary: String
    }

    /// One step of the path.
    public struct PathStep: Codable, Hashable, Sendable {
        /// What happened.
        public var step: StepDescription
        /// For a delivery: the step after which the delivered item was in flight for the first
        /// time (0 = already in the initial state), so a diagram can draw the arrow from there.
        public var sentAtStep: Int?
        /// The acting node's role after the step (`nil` when it is down).
        public var roleAfter: String?
        /// The acting node's term after the step.
        public var termAfter: UInt64
        /// Whether the step changed the acting node's role or term (a diagram annotates it).
        public var changedRoleOrTerm: Bool
        /// Always-properties that fail after this step (in the state, or across the step).
        public var failing: [String]
    }

    /// One enabled action.
    public struct ActionEntry: Codable, Hashable, Sendable {
        /// What it does.
        public var step: StepDescription
        /// Always-properties that hold now and would fail after taking it (or fail across the step).
        public var breaks: [String]
    }

    /// One server.
    public struct ServerView: Codable, Hashable, Sendable {
        /// Server id.
        public var id: Int
        /// `running`, `stopped` (crash-stopped, last state shown) or `down` (crash-restart,
        /// only the disk remains).
        public var status: String
        /// `follower`, `precandidate`, `candidate` or `leader`; `nil` while down.
        public var role: String?
        /// Current term (the disk's while down).
        public var term: UInt64
        /// Vote in the current term.
        public var votedFor: Int?
        /// The leader it knows of.
        public var leader: Int?
        /// Entries known committed.
        public var commitIndex: Int
        /// The log, index 1 first.
        public var log: [EntryView]
        /// Payloads of the committed client entries: what this server has delivered to its
        /// application (in this incarnation or an earlier one), in log order.
        public var delivered: [String]
        /// Votes received in the current campaign (candidates and pre-candidates).
        public var votes: [Int]
        /// Replication progress per follower (leaders only).
        public var progress: [ProgressView]
        /// Client proposals waiting for a known leader.
        public var buffered: [String]
        /// Pending timers: `election`, `heartbeat`.
        public var timers: [String]
        /// What its disk holds (crash-restart models only).
        public var disk: DiskView?
        /// Whether the disk differs from the node's memory (a persistence bug shows here).
        public var diskDiffers: Bool
    }

    /// One log entry.
    public struct EntryView: Codable, Hashable, Sendable {
        /// 1-based position.
        public var index: Int
        /// Term of the leader that appended it.
        public var term: UInt64
        /// Client request id (0 for a leader's no-op).
        public var request: UInt64
        /// The payload as text (non-printable bytes as `\xNN`).
        public var payload: String
        /// Whether this server knows the entry committed.
        public var committed: Bool
    }

    /// A leader's view of one follower.
    public struct ProgressView: Codable, Hashable, Sendable {
        /// Follower id.
        public var peer: Int
        /// Entries sent.
        public var sent: Int
        /// Entries acknowledged.
        public var acked: Int
    }

    /// A crash-restart server's durable state.
    public struct DiskView: Codable, Hashable, Sendable {
        /// Persisted term.
        public var term: UInt64
        /// Persisted vote.
        public var votedFor: Int?
        /// Persisted commit index.
        public var commitIndex: Int
        /// Persisted log.
        public var log: [EntryView]
    }

    /// One distinct item in flight.
    public struct NetworkEntry: Codable, Hashable, Sendable {
        /// Its delivery label (the label of the action that delivers it).
        public var label: String
        /// Sender; `nil` for a client proposal.
        public var from: Int?
        /// Receiver.
        public var to: Int
        /// Message name.
        public var message: String
        /// A few words.
        public var summary: String
        /// Copies in flight.
        public var count: Int
        /// Whether it can be delivered now.
        public var deliverable: Bool
    }

    /// One property.
    public struct PropertyStatus: Codable, Hashable, Sendable {
        /// Its name, e.g. `Election Safety`.
        public var name: String
        /// `always`, `sometimes` or `eventually`.
        public var expectation: String
        /// `state` or `transition` (checked across the step into this state).
        public var scope: String
        /// Whether its condition holds here (for a transition property: across the last step;
        /// at the initial state, trivially).
        public var holds: Bool
    }
}
