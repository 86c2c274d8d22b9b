#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib

/// The body of a trace compressor process (`raftlab trace-compress`, see
/// `CompressorCommand.raftlab(executable:)`): reads trace lines on standard input until it
/// closes, deflates them into one gzip member on standard output (zlib level 1, about twice
/// as fast as GNU gzip's), and finishes the member when the writer is gone — also when the
/// writer was killed. A sync flush at least every `syncIntervalMs` while input waits keeps the
/// file readable while the node runs; the process lowers its own priority so it compresses
/// with the time the node leaves.
public enum TraceCompressor {
    /// Input read at a time.
    static let readBytes = 256 * 1024
    /// Longest time compressed data waits in zlib while no input arrives.
    static let syncIntervalMs: Int32 = 100
    /// Uncompressed bytes between sync flushes while input keeps coming.
    static let syncBytes = 4 << 20
    /// This process's nice value (the nodes run at 0).
    static let niceness: Int32 = 10

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
        let member = try GzipMemberWriter(descriptor: output, path: name, level: 1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBytes, alignment: 16)
        defer { buffer.deallocate() }
        var unsynced = 0
        while true {
            if unsynced > 0 {
                var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, syncIntervalMs)
                if ready == 0 {
                    try member.compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
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
            let flush = unsynced >= syncBytes ? Z_SYNC_FLUSH : Z_NO_FLUSH
            try member.compress(UnsafeRawBufferPointer(rebasing: buffer[..<count]), flush: flush)
            if flush == Z_SYNC_FLUSH { unsynced = 0 }
        }
        try member.finish()
    }
}
