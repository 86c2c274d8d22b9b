#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of a trace compressor process (`raftlab trace-compress`, see
/// `CompressorCommand.raftlab(executable:)`): reads trace lines on standard input until it
/// closes, deflates them into one gzip member on standard output (ISA-L's igzip at level 1,
/// `IgzipMemberWriter`: several times faster than zlib, gzip-compatible), and finishes the
/// member when the writer is gone — also when the writer was killed. A sync flush at least
/// every `syncIntervalMs` while input waits keeps the file readable while the node runs; the
/// process lowers its own priority so it compresses with the time the node leaves.
///
/// It reads in gulps rather than line by line: after a read that left the pipe nearly empty
/// it sleeps `pauseUs` before reading again, so a busy node's writes (one per batch) do not
/// wake it thousands of times a second on a machine whose cores the nodes need. What waits
/// in the pipe meanwhile is safe — the pipe outlives a killed node — and bounded: a read of
/// more than an eighth of the pipe's capacity is followed by the next at once, so a writer
/// never waits for a sleeping compressor.
public enum TraceCompressor {
    /// Input read at a time.
    static let readBytes = 256 * 1024
    /// Longest time compressed data waits in zlib while no input arrives.
    static let syncIntervalMs: Int32 = 100
    /// Uncompressed bytes between sync flushes while input keeps coming.
    static let syncBytes = 4 << 20
    /// This process's nice value (the nodes run at 0).
    static let niceness: Int32 = 10
    /// Sleep after a read that found the pipe nearly empty.
    static let pauseUs: UInt32 = 10_000

    /// Compresses `input` into a member on `output` until `input` ends; `name` names the
    /// output in errors. `lowersPriority`: the process takes nice value `niceness` first.
    public static func run(input: Int32 = 0, output: Int32 = 1, name: String = "<stdout>", lowersPriority: Bool = true) throws {
        if lowersPriority {
            #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #else
            _ = setpriority(PRIO_PROCESS, 0, niceness)
            #endif
        }
        let member = IgzipMemberWriter(descriptor: output, name: name)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBytes, alignment: 16)
        defer { buffer.deallocate() }
        var unsynced = 0
        let quietBytes = max(4096, pipeCapacity(input) / 8)
        while true {
            if unsynced > 0 {
                var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, syncIntervalMs)
                if ready == 0 {
                    try member.compress(UnsafeRawBufferPointer(start: nil, count: 0), sync: true)
                    unsynced = 0
                    continue
                }
            }
            let count = read(input, buffer.baseAddress, readBytes)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TraceIOError(path: name, kind: .system(errno: errno), detail: "read")
            }
            if count == 0 { break }
            unsynced += count
            let sync = unsynced >= syncBytes
            try member.compress(UnsafeRawBufferPointer(rebasing: buffer[..<count]), sync: sync)
            if sync { unsynced = 0 }
            if count < quietBytes { usleep(pauseUs) }
        }
        try member.finish()
    }

    /// Bytes the pipe (or other descriptor) `input` buffers: its pipe size on Linux, else
    /// the POSIX minimum of 64 KiB (also for a descriptor that is not a pipe).
    static func pipeCapacity(_ input: Int32) -> Int {
        #if canImport(Glibc)
        let size = fcntl(input, GNUSystemCalls.getPipeSizeCommand)
        if size > 0 { return Int(size) }
        #endif
        return 64 << 10
    }
}
