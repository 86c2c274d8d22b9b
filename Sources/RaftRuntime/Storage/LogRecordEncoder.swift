import RaftCore

/// Appends framed log records (length, CRC, type, payload) to a byte buffer. No system call:
/// the durable log writes the buffer out in one go.
enum LogRecordEncoder {
    /// Payload bytes an append record may carry (the record limit minus header and type).
    static let appendPayloadBytesMax = StorageLimits.recordBytesMax - LogFileFormat.recordHeaderBytes - 1

    /// An incarnation record.
    static func appendIncarnation(_ incarnation: Int, to bytes: inout [UInt8]) {
        let start = begin(.incarnation, in: &bytes)
        LittleEndian.append(UInt64(incarnation), to: &bytes)
        finish(recordAt: start, in: &bytes)
    }

    /// A hard-state record: term and vote, written together.
    static func appendHardState(term: Term, votedFor: NodeID?, to bytes: inout [UInt8]) {
        let start = begin(.hardState, in: &bytes)
        LittleEndian.append(term, to: &bytes)
        bytes.append(votedFor == nil ? 0 : 1)
        LittleEndian.append(UInt16(votedFor ?? 0), to: &bytes)
        finish(recordAt: start, in: &bytes)
    }

    /// A truncate record: keep the first `length` entries.
    static func appendTruncate(length: Int, to bytes: inout [UInt8]) {
        let start = begin(.truncate, in: &bytes)
        LittleEndian.append(UInt64(length), to: &bytes)
        finish(recordAt: start, in: &bytes)
    }

    /// A commit record.
    static func appendCommit(index: Int, to bytes: inout [UInt8]) {
        let start = begin(.commit, in: &bytes)
        LittleEndian.append(UInt64(index), to: &bytes)
        finish(recordAt: start, in: &bytes)
    }

    /// A compact record: the entries through `index` (of term `term`) are dropped.
    static func appendCompact(index: Int, term: Term, to bytes: inout [UInt8]) {
        let start = begin(.compact, in: &bytes)
        LittleEndian.append(UInt64(index), to: &bytes)
        LittleEndian.append(term, to: &bytes)
        finish(recordAt: start, in: &bytes)
    }

    /// Append records for `entries` placed at `firstIndex ...`, split so that no record
    /// passes `StorageLimits.recordBytesMax`. Every entry must fit in one record
    /// (`StorageLimits.entryPayloadBytesMax`); the caller checks that first.
    static func appendEntries(firstIndex: Int, entries: ArraySlice<Entry>, to bytes: inout [UInt8]) {
        var chunkStart = entries.startIndex
        while chunkStart < entries.endIndex {
            var chunkEnd = chunkStart
            var payloadBytes = LogFileFormat.appendHeaderBytes
            while chunkEnd < entries.endIndex {
                let entryBytes = LogFileFormat.encodedBytes(of: entries[chunkEnd])
                if payloadBytes + entryBytes > appendPayloadBytesMax { break }
                payloadBytes += entryBytes
                chunkEnd += 1
            }
            precondition(chunkEnd > chunkStart, "an entry of \(entries[chunkStart].payload.count) bytes does not fit in a record")
            let start = begin(.append, in: &bytes)
            LittleEndian.append(UInt64(firstIndex + (chunkStart - entries.startIndex)), to: &bytes)
            LittleEndian.append(UInt32(chunkEnd - chunkStart), to: &bytes)
            for position in chunkStart..<chunkEnd {
                let entry = entries[position]
                LittleEndian.append(entry.term, to: &bytes)
                LittleEndian.append(entry.request, to: &bytes)
                LittleEndian.append(UInt32(entry.payload.count), to: &bytes)
                bytes.append(contentsOf: entry.payload)
            }
            finish(recordAt: start, in: &bytes)
            chunkStart = chunkEnd
        }
    }

    /// Reserves the record header and writes the type byte; returns where the record starts.
    private static func begin(_ type: LogRecordType, in bytes: inout [UInt8]) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: LogFileFormat.recordHeaderBytes))
        bytes.append(type.rawValue)
        return start
    }

    /// Fills in the length and the CRC of the record that starts at `start`.
    private static func finish(recordAt start: Int, in bytes: inout [UInt8]) {
        let length = bytes.count - start - LogFileFormat.recordHeaderBytes
        precondition(length >= 1 && length + LogFileFormat.recordHeaderBytes <= StorageLimits.recordBytesMax,
                     "record of \(length) bytes outside the format's bounds")
        LittleEndian.store(UInt32(length), at: start, in: &bytes)
        let crc = bytes.withUnsafeBytes { raw in
            LogRecordCRC.checksum(lengthField: UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4)]),
                                  body: UnsafeRawBufferPointer(rebasing: raw[(start + LogFileFormat.recordHeaderBytes)...]))
        }
        LittleEndian.store(crc, at: start + 4, in: &bytes)
    }
}

/// The CRC a record carries: CRC-32 of its four length bytes followed by its type and payload.
enum LogRecordCRC {
    /// The checksum of a record with these length bytes and this body (type + payload).
    static func checksum(lengthField: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(body, continuing: CRC32.checksum(lengthField))
    }
}
