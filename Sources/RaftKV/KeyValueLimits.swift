/// Bounds of the key-value store.
public enum KeyValueLimits {
    /// UTF-8 bytes of a key.
    public static let keyBytesMax = 1024
    /// UTF-8 bytes of a value.
    public static let valueBytesMax = 64 * 1024
    /// Client sessions the store remembers; beyond it the one used least recently is dropped
    /// (deterministically: every replica drops the same one, by log order). A client whose
    /// session was dropped gets `staleRequest` for a retry instead of its original answer.
    public static let sessionsMax = 10_000
}
