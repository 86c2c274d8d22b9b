#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing a whole buffer to a file descriptor, for the gzip member writers.
enum DescriptorWrites {
    /// Writes `count` bytes from `bytes` to `descriptor`, retrying short writes and `EINTR`;
    /// a failure names `path`.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, count: Int, path: String) throws {
        var written = 0
        while written < count {
            let result = write(descriptor, bytes + written, count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw TraceIOError(path: path, kind: .system(errno: errno), detail: "write")
            }
            written += result
        }
    }
}
