import CZlib
import Foundation

/// Streams the lines of a gzip file of any number of members, with flat memory.
///
/// Recovers what a crash leaves: a member cut short (the writer was killed) yields every
/// complete line before the cut; corrupt bytes, or a cut member followed by the next
/// incarnation's member, are skipped up to the next gzip header. Each recovery adds a
/// `TraceWarning` naming the byte offset.
final class GzipLineReader {
    /// One line, or the news that a line was longer than `TraceSchema.lineBytesMax`.
    enum Line {
        /// The line's bytes without the newline, valid until the next call.
        case bytes(UnsafeRawBufferPointer)
        /// A line too long to hold (skipped).
        case tooLong
    }

    let path: String
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// What was recovered from so far.
    private(set) var warnings: [TraceWarning] = []
    /// Size of the file when it was opened.
    let fileBytes: Int

    private static let inputCapacity = 256 * 1024
    private static let outputCapacity = TraceSchema.lineBytesMax + 1024 * 1024
    private static let gzipMagic: [UInt8] = [0x1f, 0x8b, 0x08]

    private enum State { case memberStart, inMember, finished }

    private let descriptor: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private var inputCount = 0
    private var inputFileOffset = 0
    private var fileEnded = false
    private let output: UnsafeMutablePointer<UInt8>
    private var lineStart = 0
    private var outputEnd = 0
    private var state = State.memberStart
    private var memberStartOffset = 0
    private var memberCount = 0
    private var skippingLongLine = false

    /// Opens `path`; throws `TraceIOError` when it is missing, empty, unreadable or does not
    /// start like a gzip file.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            throw TraceIOError(path: path, kind: error == ENOENT ? .missing : .system(errno: error), detail: error == ENOENT ? "" : "open")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw TraceIOError(path: path, kind: .system(errno: error), detail: "stat")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw TraceIOError(path: path, kind: .system(errno: EISDIR), detail: "open (not a regular file)")
        }
        fileBytes = Int(status.st_size)
        guard fileBytes > 0 else {
            close(descriptor)
            throw TraceIOError(path: path, kind: .empty, detail: "")
        }
        var head = [UInt8](repeating: 0, count: 2)
        let headBytes = pread(descriptor, &head, 2, 0)
        guard headBytes == 2, head[0] == 0x1f, head[1] == 0x8b else {
            close(descriptor)
            let shown = head.prefix(max(0, headBytes)).map { String($0, radix: 16) }.joined(separator: " ")
            throw TraceIOError(path: path, kind: .notGzip, detail: "it starts with bytes \(shown), not 1f 8b")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let initStatus = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            close(descriptor)
            stream.deallocate()
            throw TraceIOError(path: path, kind: .zlib(code: initStatus), detail: "inflateInit2")
        }
        input = .allocate(capacity: Self.inputCapacity)
        output = .allocate(capacity: Self.outputCapacity)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
        close(descriptor)
    }

    /// The next line, or `nil` at the end of the file.
    func nextLine() throws -> Line? {
        while true {
            let pending = outputEnd - lineStart
            if pending > 0, let found = memchr(output + lineStart, Int32(UInt8(ascii: "\n")), pending) {
                let lineEnd = found.assumingMemoryBound(to: UInt8.self) - output
                let start = lineStart
                lineStart = lineEnd + 1
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                    return .tooLong
                }
                return .bytes(UnsafeRawBufferPointer(start: output + start, count: lineEnd - start))
            }
            if skippingLongLine { lineStart = outputEnd }
            if state == .finished {
                if skippingLongLine {
                    skippingLongLine = false
                    lineNumber += 1
                    return .tooLong
                }
                if lineStart < outputEnd {
                    warn(line: lineNumber + 1, "the last line has no newline (\(outputEnd - lineStart) bytes dropped: cut by a crash?)")
                    lineStart = outputEnd
                }
                return nil
            }
            compactOutput()
            if outputEnd == Self.outputCapacity {
                skippingLongLine = true
                lineStart = outputEnd
                compactOutput()
            }
            try inflateSome()
        }
    }

    // MARK: Inflating

    private var unconsumed: Int { Int(stream.pointee.avail_in) }
    private var consumedOffset: Int { inputFileOffset + inputCount - unconsumed }

    private func inflateSome() throws {
        switch state {
        case .finished:
            return
        case .memberStart:
            try refill(minimum: Self.gzipMagic.count)
            if unconsumed == 0 {
                if memberCount == 0 { warn(offset: 0, "no complete gzip member") }
                state = .finished
                return
            }
            let next = stream.pointee.next_in!
            guard unconsumed >= Self.gzipMagic.count, next[0] == 0x1f, next[1] == 0x8b, next[2] == 0x08 else {
                warn(offset: consumedOffset, "\(fileBytes - consumedOffset) bytes after the last gzip member are not gzip data (ignored)")
                state = .finished
                return
            }
            inflateReset(stream)
            memberStartOffset = consumedOffset
            memberCount += 1
            state = .inMember
        case .inMember:
            if unconsumed == 0 { try refill(minimum: 1) }
            if unconsumed == 0 {
                warn(offset: fileBytes, "the file ends inside the gzip member that starts at byte \(memberStartOffset) "
                     + "(the writer was killed before closing it); every complete line before the cut was read")
                dropPartialLine()
                state = .finished
                return
            }
            stream.pointee.next_out = output + outputEnd
            stream.pointee.avail_out = uInt(Self.outputCapacity - outputEnd)
            let status = inflate(stream, Z_NO_FLUSH)
            outputEnd = Self.outputCapacity - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                state = .memberStart
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_DATA_ERROR, Z_NEED_DICT:
                try recoverFromCorruption()
            default:
                throw TraceIOError(path: path, kind: .zlib(code: status), detail: "inflate at byte \(consumedOffset)")
            }
        }
    }

    /// Corrupt data, or a member cut short and followed by the next one: keep the complete
    /// lines, then resume at the next gzip header after the damage.
    private func recoverFromCorruption() throws {
        let errorOffset = consumedOffset
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "invalid deflate data"
        dropPartialLine()
        // zlib may have read a few bytes past the damage; search from just before it.
        let searchFrom = max(memberStartOffset + 1, errorOffset - 8)
        if let next = try findMagic(from: searchFrom) {
            // When the next member starts before the point zlib stopped at, this member simply
            // ended there (a writer killed between flushes): report the cut where it is.
            let cutOffset = min(errorOffset, next)
            warn(offset: cutOffset, "gzip member starting at byte \(memberStartOffset) is cut or corrupt at byte \(cutOffset) (\(reason)); "
                 + "\(next - errorOffset > 0 ? "\(next - errorOffset) bytes skipped, " : "")reading resumes at the next member, byte \(next)")
            guard lseek(descriptor, off_t(next), SEEK_SET) >= 0 else {
                throw TraceIOError(path: path, kind: .system(errno: errno), detail: "lseek")
            }
            inputFileOffset = next
            inputCount = 0
            stream.pointee.next_in = input
            stream.pointee.avail_in = 0
            fileEnded = false
            state = .memberStart
        } else {
            warn(offset: errorOffset, "gzip member starting at byte \(memberStartOffset) is corrupt (\(reason)); "
                 + "no gzip member follows, the last \(fileBytes - errorOffset) bytes are unreadable")
            state = .finished
        }
    }

    /// Drops output after the last newline (a line cut by the damage).
    private func dropPartialLine() {
        var end = outputEnd
        while end > lineStart && output[end - 1] != UInt8(ascii: "\n") { end -= 1 }
        if end < outputEnd {
            var completeLines = 0
            for position in lineStart..<end where output[position] == UInt8(ascii: "\n") { completeLines += 1 }
            warn(line: lineNumber + completeLines + 1, "partial line of \(outputEnd - end) bytes dropped (cut by a crash or corruption)")
        }
        outputEnd = end
    }

    private func findMagic(from offset: Int) throws -> Int? {
        let chunkBytes = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunkBytes + 2)
        var position = offset
        while position < fileBytes {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, chunkBytes + 2, off_t(position)) }
            guard got >= 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "pread") }
            guard got >= 3 else { return nil }
            for start in 0...(got - 3) where buffer[start] == 0x1f && buffer[start + 1] == 0x8b && buffer[start + 2] == 0x08 {
                return position + start
            }
            position += got - 2
        }
        return nil
    }

    /// Makes at least `minimum` unconsumed input bytes available unless the file ends first.
    private func refill(minimum: Int) throws {
        while unconsumed < minimum && !fileEnded {
            let keep = unconsumed
            let keptOffset = consumedOffset
            if keep > 0 { memmove(input, stream.pointee.next_in, keep) }
            inputFileOffset = keptOffset
            let got = read(descriptor, input + keep, Self.inputCapacity - keep)
            if got < 0 {
                if errno == EINTR { continue }
                throw TraceIOError(path: path, kind: .system(errno: errno), detail: "read")
            }
            if got == 0 { fileEnded = true }
            inputCount = keep + got
            stream.pointee.next_in = input
            stream.pointee.avail_in = uInt(inputCount)
        }
    }

    private func compactOutput() {
        guard lineStart > 0 else { return }
        let remaining = outputEnd - lineStart
        if remaining > 0 { memmove(output, output + lineStart, remaining) }
        outputEnd = remaining
        lineStart = 0
    }

    private func warn(offset: Int, _ message: String) {
        warnings.append(TraceWarning(path: path, byteOffset: offset, message: message))
    }

    private func warn(line: Int, _ message: String) {
        warnings.append(TraceWarning(path: path, line: line, message: message))
    }
}
