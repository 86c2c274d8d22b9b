/// Constants of the trace format (docs/TRACE_FORMAT.md) shared by writers and readers.
public enum TraceSchema {
    /// The `v` field of every line this code writes. Readers accept this version only.
    public static let version = 1

    /// Longest line a reader accepts, in bytes; a longer line is reported as malformed.
    /// The writer never produces one this long (an `append` of ~40,000 entries would).
    public static let lineBytesMax = 1 << 20

    /// Most elements a reader accepts in one array field (`entry_terms`, `digests`, `targets`).
    public static let arrayElementsMax = 65_536

    /// Longest string a reader accepts in one field, in bytes.
    public static let stringBytesMax = 4_096

    /// Deepest nesting a reader skips inside a field it does not know.
    public static let unknownValueDepthMax = 32
}
