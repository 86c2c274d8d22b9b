import Foundation
import RaftCore
import RaftRuntime

/// A fresh directory under the system's temporary directory, removed with its contents when
/// the value goes away.
final class TemporaryDirectory {
    let path: String

    init(_ label: String) {
        var template = Array((NSTemporaryDirectory() + "/raftlab-\(label)-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed: errno \(errno)")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name` (not created).
    func child(_ name: String) -> String { path + "/" + name }
}

/// Whole-file reads and writes for corrupting logs on purpose.
enum FileBytes {
    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Copies the log of `source` cut to `length` bytes into a new data directory `destination`.
    static func copyLog(from source: String, to destination: String, length: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        let bytes = try read(source + "/raft.log")
        try write(Array(bytes.prefix(length ?? bytes.count)), to: destination + "/raft.log")
    }
}

/// Log records built byte by byte from docs/STORAGE_FORMAT.md, with a CRC-32 written here
/// (not zlib's): tests that use them check that the code and the document agree.
enum SpecLog {
    static let magic: [UInt8] = Array("raftlog\n".utf8)

    /// The 16-byte header; arguments let tests break it.
    static func header(magic: [UInt8] = magic, version: UInt16 = 1, flags: UInt16 = 0, crc: UInt32? = nil) -> [UInt8] {
        var bytes = magic + le(version) + le(flags)
        bytes += le(crc ?? crc32(bytes))
        return bytes
    }

    /// `[u32 length][u32 crc][u8 type][payload]`, the CRC over the length bytes, type and payload.
    static func record(type: UInt8, payload: [UInt8]) -> [UInt8] {
        let length = le(UInt32(1 + payload.count))
        let crc = crc32(length + [type] + payload)
        return length + le(crc) + [type] + payload
    }

    static func incarnation(_ value: UInt64) -> [UInt8] { record(type: 1, payload: le(value)) }

    static func hardState(term: UInt64, vote: UInt16?) -> [UInt8] {
        record(type: 2, payload: le(term) + [vote == nil ? 0 : 1] + le(vote ?? 0))
    }

    static func append(firstIndex: UInt64, entries: [Entry]) -> [UInt8] {
        var payload = le(firstIndex) + le(UInt32(entries.count))
        for entry in entries {
            payload += le(entry.term) + le(entry.request) + le(UInt32(entry.payload.count)) + entry.payload
        }
        return record(type: 3, payload: payload)
    }

    static func truncate(length: UInt64) -> [UInt8] { record(type: 4, payload: le(length)) }

    static func commit(index: UInt64) -> [UInt8] { record(type: 5, payload: le(index)) }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib and gzip compute it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// Entries with varied payload sizes (empty ones included), reproducible from `seed`.
func sampleEntries(count: Int, term: Term, firstRequest: RequestID, seed: UInt64) -> [Entry] {
    var state = seed
    return (0..<count).map { position in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let size = Int(state >> 58) * 7 // 0 … 441 bytes
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: Int(state >> 8) &+ $0 &* 31) }
        return Entry(term: term, request: firstRequest + RequestID(position), payload: payload)
    }
}

extension DurableLog {
    /// Applies and commits `changes` as one batch.
    @discardableResult
    func write(_ changes: [PersistentChange]) throws -> UInt64? {
        apply(changes)
        return try commit()
    }
}

/// Size of the log file on disk.
func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
}

/// A log with 20 rounds of truncate-and-append (most of the file superseded).
func churnedLog(_ directory: String) throws -> DurableLog {
    let log = try DurableLog.open(directory: directory, fsync: true)
    var term: Term = 0
    for round in 0..<20 {
        term += 1
        let entries = sampleEntries(count: 50, term: term, firstRequest: RequestID(round * 100 + 1), seed: UInt64(round))
        let keep = log.state.commitIndex
        try log.write([.hardState(term: term, votedFor: round % 3), .truncate(length: keep),
                       .append(firstIndex: keep + 1, entries: entries), .commit(index: keep + 5)])
    }
    return log
}
