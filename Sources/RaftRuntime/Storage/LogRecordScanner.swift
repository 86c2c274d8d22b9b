/// Reads a log file's records one by one, in chunks, checking each record's length and
/// CRC. It stops at the end of the file or at the first record it cannot trust, and says
/// where and why; it does not interpret payloads (`LogRecordDecoder` does).
struct LogRecordScanner {
    /// The outcome of one `next()`.
    enum Step {
        /// A record whose length and CRC are right; its payload is `payload(_:)` until the next call.
        case record(offset: Int, type: UInt8, payload: Range<Int>)
        /// The file ends exactly after the last record.
        case end
        /// The record at `offset` cannot be trusted; everything from `offset` on must be cut.
        case cut(offset: Int, cause: RecoveryReport.Cause, reason: String)
    }

    private let descriptor: Int32
    private let file: String
    /// Bytes of the file (as seen when scanning began).
    private(set) var fileBytes: Int
    /// Bytes of the file starting at `bufferFileOffset`.
    private var buffer: [UInt8] = []
    private var bufferFileOffset: Int
    /// Offset of the next record.
    private(set) var offset: Int

    /// A scanner of the records of `file` (open as `descriptor`, `fileBytes` long) from `offset`.
    init(descriptor: Int32, file: String, fileBytes: Int, offset: Int) {
        self.descriptor = descriptor
        self.file = file
        self.fileBytes = fileBytes
        self.offset = offset
        bufferFileOffset = offset
    }

    /// The next record, the end, or the place to cut.
    mutating func next() throws -> Step {
        let headerBytes = LogFileFormat.recordHeaderBytes
        let left = fileBytes - offset
        if left == 0 { return .end }
        if left < headerBytes + 1 {
            return .cut(offset: offset, cause: .tornTail,
                        reason: "record header needs \(headerBytes + 1) bytes, only \(left) left in the file")
        }
        try fill(through: offset + headerBytes + 1)
        let (length, storedCRC) = buffer.withUnsafeBytes { raw in
            let start = offset - bufferFileOffset
            return (Int(LittleEndian.load(UInt32.self, at: start, from: raw)), LittleEndian.load(UInt32.self, at: start + 4, from: raw))
        }
        if length == 0 {
            return .cut(offset: offset, cause: .corruptRecord, reason: "record length 0 (a record holds at least its type byte)")
        }
        if headerBytes + length > StorageLimits.recordBytesMax {
            return .cut(offset: offset, cause: .corruptRecord,
                        reason: "record length \(length) exceeds recordBytesMax \(StorageLimits.recordBytesMax)")
        }
        if headerBytes + length > left {
            return .cut(offset: offset, cause: .tornTail,
                        reason: "record of \(headerBytes + length) bytes ends \(headerBytes + length - left) bytes past the end of the file")
        }
        try fill(through: offset + headerBytes + length)
        let start = offset - bufferFileOffset // the fill may have moved the buffer
        let computedCRC = buffer.withUnsafeBytes { raw in
            LogRecordCRC.checksum(lengthField: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4)]),
                                  body: UnsafeRawBufferPointer(rebasing: raw[(start + headerBytes)..<(start + headerBytes + length)]))
        }
        if computedCRC != storedCRC {
            let isLast = headerBytes + length == left
            return .cut(offset: offset, cause: isLast ? .tornTail : .corruptRecord,
                        reason: "CRC mismatch in a \(headerBytes + length)-byte record (stored \(hex(storedCRC)), computed \(hex(computedCRC)))")
        }
        let recordOffset = offset
        offset += headerBytes + length
        return .record(offset: recordOffset, type: buffer[start + headerBytes],
                       payload: (start + headerBytes + 1)..<(start + headerBytes + length))
    }

    /// Calls `body` with the payload bytes of the record `next()` just returned.
    func withPayload<Result>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Makes the buffer hold the file's bytes from `offset` up to `end` (and up to a chunk more).
    private mutating func fill(through end: Int) throws {
        precondition(end <= fileBytes, "fill past the end of the file")
        if end <= bufferFileOffset + buffer.count { return }
        if bufferFileOffset < offset {
            buffer.removeFirst(offset - bufferFileOffset)
            bufferFileOffset = offset
        }
        let bufferedEnd = bufferFileOffset + buffer.count
        let target = min(fileBytes, max(end, bufferedEnd + StorageLimits.replayChunkBytes))
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: target - bufferedEnd))
        var filled = 0
        while filled < target - bufferedEnd {
            let count = try buffer.withUnsafeMutableBytes { raw in
                try FileSystem.readSome(into: UnsafeMutableRawBufferPointer(rebasing: raw[(oldCount + filled)...]),
                                        count: target - bufferedEnd - filled, at: bufferedEnd + filled,
                                        from: descriptor, file: file)
            }
            if count == 0 { break }
            filled += count
        }
        if filled < target - bufferedEnd {
            // The file shrank under us: scan what is there.
            buffer.removeLast(target - bufferedEnd - filled)
            fileBytes = bufferedEnd + filled
            guard end <= fileBytes else {
                throw StorageError.contradiction(file: file, offset: offset, reason: "the file shrank to \(fileBytes) bytes while it was read")
            }
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
