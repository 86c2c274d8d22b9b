import ArgumentParser
import RaftCore

/// `--profile`: which `ProtocolOptions` profile to run.
enum ProfileOption: String, ExpressibleByArgument, CaseIterable {
    /// raft-lite's behaviour: no pre-vote, no check-quorum, one-shot timers.
    case lite
    /// The runtime's default: pre-vote, check-quorum, re-armed timers, pipelining.
    case standard

    /// Accepts `full` as another name for `standard` (the model checker's word for it).
    init?(argument: String) {
        self.init(rawValue: argument == "full" ? "standard" : argument)
    }

    var options: ProtocolOptions {
        switch self {
        case .lite: return .lite
        case .standard: return .standard
        }
    }
}
