import Foundation

/// The wall clock traces are stamped with.
public enum TraceClock {
    /// Microseconds since the Unix epoch (`CLOCK_REALTIME`).
    public static func nowUs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
