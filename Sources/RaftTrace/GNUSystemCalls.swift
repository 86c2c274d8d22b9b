#if canImport(Glibc)
import Glibc

/// glibc calls and constants Swift's `Glibc` module leaves out (C declares them only under
/// `_GNU_SOURCE`): the functions are looked up once by symbol name, the constants spelled
/// out from the Linux and glibc headers.
enum GNUSystemCalls {
    /// `fcntl` command `F_SETPIPE_SZ` (`F_LINUX_SPECIFIC_BASE + 7`, Linux 2.6.35).
    static let setPipeSizeCommand: Int32 = 1031
    /// `fcntl` command `F_GETPIPE_SZ` (`F_LINUX_SPECIFIC_BASE + 8`).
    static let getPipeSizeCommand: Int32 = 1032
    /// `posix_spawnattr_setflags` flag `POSIX_SPAWN_SETSID`: the child calls `setsid()`
    /// (glibc 2.26).
    static let spawnSetSessionFlag: Int32 = 0x80

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addCloseFrom: AddCloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// A pipe whose ends are close-on-exec from the start (`pipe2(O_CLOEXEC)`), so a child
    /// another thread spawns meanwhile cannot inherit them; `nil` with `errno` set on failure.
    static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&ends) == 0 else { return nil }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }

    /// Adds "close every descriptor from `lowest` up" to `actions`
    /// (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34); `false` when this glibc lacks
    /// it (close-on-exec descriptors are still closed by `exec`).
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, lowest: Int32) -> Bool {
        guard let addCloseFrom else { return false }
        return addCloseFrom(actions, lowest) == 0
    }
}
#endif
