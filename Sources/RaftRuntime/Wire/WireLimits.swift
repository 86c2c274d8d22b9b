import RaftCore

/// Bounds the wire decoder enforces before it allocates anything (the frame size itself is
/// `RuntimeLimits.frameBytesMax`, header included).
public enum WireLimits {
    /// Entries in one log request, or proposals in one forward. The core sends far fewer
    /// (`ProtocolOptions.entriesPerAppendMax`, default 512); this bounds what a peer may claim.
    public static let entriesPerMessageMax = RaftLimits.entriesPerMessageMax
}
