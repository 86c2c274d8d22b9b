import CZlib
import Foundation

/// Appends one gzip member to a file: deflates bytes it is given and writes them with
/// `write(2)` only at sync-flush points, so the file always ends on a boundary a reader can
/// stop at (a `kill -9` between two flushes leaves a member that inflates to an exact prefix).
final class GzipMemberWriter {
    let path: String
    private var descriptor: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: UnsafeMutablePointer<UInt8>
    private var outputCapacity: Int
    private var isFinished = false
    /// Compressed bytes written to the file by this writer.
    private(set) var compressedBytes = 0
    /// Uncompressed bytes given to this writer.
    private(set) var uncompressedBytes = 0

    /// zlib's memLevel: the size of deflate's hash table and buffers.
    static let memoryLevel: Int32 = 8

    /// Opens `path` for appending (creating it with mode 0644) and starts a member compressed
    /// at `level` (0–9; 1 is fastest).
    convenience init(path: String, level: Int32) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "open") }
        try self.init(descriptor: descriptor, path: path, level: level)
    }

    /// Starts a member on `descriptor` (which the writer owns and closes), named `path` in
    /// errors.
    init(descriptor: Int32, path: String, level: Int32) throws {
        precondition((0...9).contains(level), "zlib level \(level) outside 0...9")
        self.path = path
        self.descriptor = descriptor
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: a gzip header and trailer around the deflate stream. memLevel 8
        // (zlib's default), not 9: on trace lines level 1 deflates ~25% faster with the
        // smaller hash table (it stays in cache) and compresses as well (13.3% either way).
        let status = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, Self.memoryLevel, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            close(descriptor)
            stream.deallocate()
            throw TraceIOError(path: path, kind: .zlib(code: status), detail: "deflateInit2")
        }
        outputCapacity = 64 * 1024
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        if !isFinished { deflateEnd(stream) }
        stream.deallocate()
        output.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// Compresses `bytes` and ends at a flush point: `Z_SYNC_FLUSH` (the member goes on) or
    /// `Z_FINISH` (the gzip trailer). Everything is written with one `write(2)` sequence that
    /// ends on that point, so the file never ends mid-block. `Z_NO_FLUSH` (a compressor
    /// process, which finishes the member itself) writes what deflate produced so far: the
    /// file may end mid-block until the next flush point.
    func compress(_ bytes: UnsafeRawBufferPointer, flush mode: Int32) throws {
        precondition(mode == Z_SYNC_FLUSH || mode == Z_FINISH || mode == Z_NO_FLUSH, "unsupported flush mode \(mode)")
        guard !isFinished else { throw TraceIOError(path: path, kind: .closed, detail: "write") }
        let bound = Int(deflateBound(stream, uLong(bytes.count))) + 64
        if bound > outputCapacity { grow(to: bound, keeping: 0) }
        uncompressedBytes += bytes.count
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        var produced = 0
        while true {
            stream.pointee.next_out = output + produced
            stream.pointee.avail_out = uInt(outputCapacity - produced)
            let status = deflate(stream, mode)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw TraceIOError(path: path, kind: .zlib(code: status), detail: "deflate")
            }
            produced = outputCapacity - Int(stream.pointee.avail_out)
            // Done when zlib left room: all input consumed and the flush point emitted.
            if stream.pointee.avail_out > 0 { break }
            grow(to: outputCapacity * 2, keeping: produced)
        }
        if produced > 0 { try writeAll(output, count: produced) }
    }

    private func grow(to capacity: Int, keeping count: Int) {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: output, count: count)
        output.deallocate()
        output = grown
        outputCapacity = capacity
    }

    /// Finishes the member (`Z_FINISH`: the gzip trailer) and closes the file.
    func finish() throws {
        guard !isFinished else { return }
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        isFinished = true
        deflateEnd(stream)
        let status = close(descriptor)
        descriptor = -1
        guard status == 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "close") }
    }

    /// Closes the file without finishing the member, as a crash would.
    func abandon() {
        guard !isFinished else { return }
        isFinished = true
        deflateEnd(stream)
        close(descriptor)
        descriptor = -1
    }

    private func writeAll(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) throws {
        try DescriptorWrites.writeAll(descriptor, bytes, count: count, path: path)
        compressedBytes += count
    }
}
