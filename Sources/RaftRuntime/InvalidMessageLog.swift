import Logging
import NIOCore
import RaftCore

/// Tells the operator about messages the core dropped as invalid: one warning line per peer
/// and second at most (`PeerLogLimiter`), so a hostile peer cannot flood the log.
final class InvalidMessageLog: NodeObserver {
    private let logger: Logger
    private var limiter = PeerLogLimiter()

    init(logger: Logger) {
        self.logger = logger
    }

    func dropped(_ reason: InvalidMessage, from peer: NodeID) {
        let (admitted, heldBack) = limiter.admit(peer, nowNs: NIODeadline.now().uptimeNanoseconds)
        guard admitted else { return }
        logger.warning("dropped an invalid message from peer \(peer): \(reason.rawValue)\(PeerLogLimiter.suffix(heldBack))",
                       metadata: ["peer": "\(peer)", "kind": "\(reason.rawValue)"])
    }
}
