#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CIsal

/// Writes one gzip member to a descriptor with ISA-L's igzip deflate (level 1: about seven
/// times GNU gzip's speed and a little smaller on trace lines), for the trace compressor
/// process (`TraceCompressor`). Output is standard gzip: every reader inflates it with zlib.
final class IgzipMemberWriter {
    /// The descriptor written (owned: closed by `finish`).
    private var descriptor: Int32
    /// Names the output in errors.
    let name: String
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutablePointer<UInt8>
    private let output: UnsafeMutablePointer<UInt8>
    private var isFinished = false
    /// Compressed bytes written so far.
    private(set) var compressedBytes = 0

    /// Output produced per `isal_deflate` call at most.
    static let outputBytes = 256 * 1024
    /// igzip's level (0–3; 1 is its fast default).
    static let level: UInt32 = 1
    /// Bytes of the level-1 working buffer (ISA-L's recommended size).
    static let levelBufferBytes = Int(raftlab_isal_level1_buffer_bytes())

    /// Starts a member on `descriptor`, named `name` in errors.
    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
        stream = .allocate(capacity: 1)
        stream.initialize(to: isal_zstream())
        isal_deflate_init(stream)
        levelBuffer = .allocate(capacity: Self.levelBufferBytes)
        output = .allocate(capacity: Self.outputBytes)
        stream.pointee.level = Self.level
        stream.pointee.level_buf = levelBuffer
        stream.pointee.level_buf_size = UInt32(Self.levelBufferBytes)
        stream.pointee.gzip_flag = UInt16(IGZIP_GZIP)
    }

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
        output.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// Compresses `bytes`; with `sync`, ends on a byte boundary a reader can stop at.
    func compress(_ bytes: UnsafeRawBufferPointer, sync: Bool) throws {
        guard !isFinished else { throw TraceIOError(path: name, kind: .closed, detail: "write") }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(bytes.count)
        stream.pointee.flush = UInt16(sync ? SYNC_FLUSH : NO_FLUSH)
        try run { $0.pointee.avail_in == 0 && $0.pointee.avail_out > 0 }
    }

    /// Finishes the member (the gzip trailer) and closes the descriptor.
    func finish() throws {
        guard !isFinished else { return }
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        stream.pointee.flush = UInt16(NO_FLUSH)
        stream.pointee.end_of_stream = 1
        try run { $0.pointee.internal_state.state == ZSTATE_END }
        isFinished = true
        let status = close(descriptor)
        descriptor = -1
        guard status == 0 else { throw TraceIOError(path: name, kind: .system(errno: errno), detail: "close") }
    }

    /// Calls `isal_deflate` with fresh output space until `done`, writing what it produced.
    private func run(until done: (UnsafeMutablePointer<isal_zstream>) -> Bool) throws {
        repeat {
            stream.pointee.next_out = output
            stream.pointee.avail_out = UInt32(Self.outputBytes)
            let status = isal_deflate(stream)
            guard status == COMP_OK else {
                throw TraceIOError(path: name, kind: .compressor, detail: "isal_deflate failed with \(status)")
            }
            let produced = Self.outputBytes - Int(stream.pointee.avail_out)
            if produced > 0 { try writeAll(produced) }
        } while !done(stream)
    }

    private func writeAll(_ count: Int) throws {
        try DescriptorWrites.writeAll(descriptor, output, count: count, path: name)
        compressedBytes += count
    }
}
