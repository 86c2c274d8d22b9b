/// Reads a log file's records one by one, in chunks, checking each record's length and
/// CRC. It stops at the end of the file or at the first record it cannot trust, and says
/// where and why; it does not interpret payloads (`LogRecordDecoder` does). After a bad
/// record it can look for the next CRC-valid one (`seekValidRecord(after:)`), which tells
/// a torn tail (nothing valid after it) from corruption in the middle of the log.
struct LogRecordScanner {
    /// A record that cannot be trusted: a length of 0 or past `recordBytesMax`, a record
    /// running past the end of the file, a CRC mismatch, or too few bytes for a header.
    struct BadRecord: Hashable {
        /// Where the record starts.
        let offset: Int
        /// `tornTail` when it is the last thing in the file, else `corruptRecord`.
        let cause: RecoveryReport.Cause
        /// One line saying what is wrong with it.
        let reason: String
    }

    /// The outcome of one `next()`.
    enum Step {
        /// A record whose length and CRC are right; its payload is `payload(_:)` until the next call.
        case record(offset: Int, type: UInt8, payload: Range<Int>)
        /// The file ends exactly after the last record.
        case end
        /// The record at the scanner's offset cannot be trusted (the scanner stays there).
        case bad(BadRecord)
    }

    private let descriptor: Int32
    private let file: String
    /// Bytes of the file (as seen when scanning began).
    private(set) var fileBytes: Int
    /// Bytes of the file starting at `bufferFileOffset`.
    private var buffer: [UInt8] = []
    private var bufferFileOffset: Int
    /// Offset of the next record (while seeking: of the next candidate).
    private(set) var offset: Int

    /// A scanner of the records of `file` (open as `descriptor`, `fileBytes` long) from `offset`.
    init(descriptor: Int32, file: String, fileBytes: Int, offset: Int) {
        self.descriptor = descriptor
        self.file = file
        self.fileBytes = fileBytes
        self.offset = offset
        bufferFileOffset = offset
    }

    /// The next record, the end, or the bad record where the scanner stopped.
    mutating func next() throws -> Step {
        let headerBytes = LogFileFormat.recordHeaderBytes
        let left = fileBytes - offset
        if left == 0 { return .end }
        if left < headerBytes + 1 {
            return bad(.tornTail, "record header needs \(headerBytes + 1) bytes, only \(left) left in the file")
        }
        try fill(through: offset + headerBytes + 1)
        let length = buffer.withUnsafeBytes { Int(LittleEndian.load(UInt32.self, at: offset - bufferFileOffset, from: $0)) }
        if length == 0 {
            return bad(.corruptRecord, "record length 0 (a record holds at least its type byte)")
        }
        if headerBytes + length > StorageLimits.recordBytesMax {
            return bad(.corruptRecord, "record length \(length) exceeds recordBytesMax \(StorageLimits.recordBytesMax)")
        }
        if headerBytes + length > left {
            return bad(.tornTail, "record of \(headerBytes + length) bytes ends \(headerBytes + length - left) bytes past the end of the file")
        }
        let crc = try checksums(ofRecordOf: length)
        if crc.computed != crc.stored {
            let isLast = headerBytes + length == left
            return bad(isLast ? .tornTail : .corruptRecord,
                       "CRC mismatch in a \(headerBytes + length)-byte record (stored \(hex(crc.stored)), computed \(hex(crc.computed)))")
        }
        let start = offset - bufferFileOffset
        let recordOffset = offset
        offset += headerBytes + length
        return .record(offset: recordOffset, type: buffer[start + headerBytes],
                       payload: (start + headerBytes + 1)..<(start + headerBytes + length))
    }

    /// Moves to the first offset after `badOffset` (where `next()` stopped, or where this
    /// scanner began) at which a CRC-valid record starts, and returns it; `next()` then
    /// returns that record. Returns nil, with the scanner at the end of the file, when no
    /// such offset exists.
    ///
    /// Every offset is a candidate, because the bad record's own length may be what is
    /// damaged. A candidate must first look like a record (`isPlausible`: a length within
    /// the file and `recordBytesMax`, a known type, a payload size that type can have);
    /// only then is its CRC computed. Reads in chunks like `next()`: the buffer holds at
    /// most a chunk and one record.
    mutating func seekValidRecord(after badOffset: Int) throws -> Int? {
        precondition(badOffset >= offset, "seek backwards from \(offset) to \(badOffset)")
        let headerBytes = LogFileFormat.recordHeaderBytes
        var candidate = badOffset + 1
        while candidate + headerBytes + 1 <= fileBytes {
            offset = candidate
            try fill(through: candidate + headerBytes + 1)
            let (position, isPlausible) = firstPlausibleHeader(from: candidate)
            offset = position
            guard isPlausible else {
                candidate = position // its header is not buffered yet: the next round reads on
                continue
            }
            let length = buffer.withUnsafeBytes { Int(LittleEndian.load(UInt32.self, at: position - bufferFileOffset, from: $0)) }
            let crc = try checksums(ofRecordOf: length)
            if crc.computed == crc.stored { return position }
            candidate = position + 1
        }
        offset = fileBytes
        return nil
    }

    /// Whether a record header with this length and type byte, `bytesLeft` bytes before the
    /// end of the file, could be a well-formed record (before its CRC is checked).
    static func isPlausible(length: Int, type: UInt8, bytesLeft: Int) -> Bool {
        guard let known = LogRecordType(rawValue: type), length >= 1,
              LogFileFormat.recordHeaderBytes + length <= min(bytesLeft, StorageLimits.recordBytesMax) else { return false }
        return known.payloadBytes.contains(length - 1)
    }

    /// The first buffered offset from `start` whose header is plausible, or (not plausible)
    /// the first offset whose header is not wholly buffered.
    private func firstPlausibleHeader(from start: Int) -> (position: Int, isPlausible: Bool) {
        let headerBytes = LogFileFormat.recordHeaderBytes
        let bufferedEnd = bufferFileOffset + buffer.count
        let base = bufferFileOffset
        let types = LogRecordType.rawValues
        return buffer.withUnsafeBytes { raw in
            var position = start
            while position + headerBytes + 1 <= bufferedEnd {
                let at = position - base
                let type = raw[at + headerBytes]
                // Most bytes are not a type byte: test that before loading a length.
                if types.contains(type),
                   Self.isPlausible(length: Int(LittleEndian.load(UInt32.self, at: at, from: raw)), type: type,
                                    bytesLeft: fileBytes - position) {
                    return (position, true)
                }
                position += 1
            }
            return (position, false)
        }
    }

    /// The CRC stored in the record at `offset` (whose length field says `length`, and
    /// which fits in the file) and the one computed over its bytes, read first.
    private mutating func checksums(ofRecordOf length: Int) throws -> (stored: UInt32, computed: UInt32) {
        let headerBytes = LogFileFormat.recordHeaderBytes
        try fill(through: offset + headerBytes + length)
        let start = offset - bufferFileOffset // the fill may have moved the buffer
        return buffer.withUnsafeBytes { raw in
            let stored = LittleEndian.load(UInt32.self, at: start + 4, from: raw)
            let computed = LogRecordCRC.checksum(lengthField: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4)]),
                                                 body: UnsafeRawBufferPointer(rebasing: raw[(start + headerBytes)..<(start + headerBytes + length)]))
            return (stored, computed)
        }
    }

    private func bad(_ cause: RecoveryReport.Cause, _ reason: String) -> Step {
        .bad(BadRecord(offset: offset, cause: cause, reason: reason))
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
            // A seek may have moved past everything buffered.
            buffer.removeFirst(min(offset - bufferFileOffset, buffer.count))
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
