/// The `action` of a `nemesis` event: a fault the lab injected (or undid).
///
/// An open set: the common actions have constants, chaos may write others.
public struct NemesisAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The JSON spelling.
    public var rawValue: String

    /// An action spelled `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The target processes were killed (`kill -9`).
    public static let kill = NemesisAction(rawValue: "kill")
    /// Killed targets were started again.
    public static let restart = NemesisAction(rawValue: "restart")
    /// The target processes were stopped (`SIGSTOP`).
    public static let pause = NemesisAction(rawValue: "pause")
    /// Paused targets were continued (`SIGCONT`).
    public static let resume = NemesisAction(rawValue: "resume")
    /// The targets were cut off from the other nodes.
    public static let partition = NemesisAction(rawValue: "partition")
    /// Every partition was removed.
    public static let heal = NemesisAction(rawValue: "heal")
    /// The leader (first target) was asked to hand leadership to the second target. Not a
    /// fault: the cluster keeps a leader throughout.
    public static let transfer = NemesisAction(rawValue: "transfer")
    /// A new member (the target) joined the cluster (`raftlab member add`). Not a fault.
    public static let addMember = NemesisAction(rawValue: "add-member")
    /// The target left the cluster and was stopped (`raftlab member remove`). Not a fault.
    public static let removeMember = NemesisAction(rawValue: "remove-member")

    /// The actions above, in a fixed order (readers intern these without allocating).
    public static let known: [NemesisAction] = [.kill, .restart, .pause, .resume, .partition, .heal, .transfer,
                                                .addMember, .removeMember]

    /// Whether the action starts a fault (as opposed to ending one).
    public var startsFault: Bool { self == .kill || self == .pause || self == .partition }

    public var description: String { rawValue }
}
