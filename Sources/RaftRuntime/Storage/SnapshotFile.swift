#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

/// The node's latest snapshot on disk: one file, `snapshot`, in the data directory
/// (docs/STORAGE_FORMAT.md, "Snapshot file").
///
/// ```
/// magic "raftsnap" (8) | u16 version = 2 | u16 flags = 0 | u64 index | u64 term |
/// u64 voters | u64 learners | u64 data length | data | u32 CRC-32 of every byte before it
/// ```
/// Integers are little-endian. A new snapshot is written to `snapshot.tmp`, synced, renamed
/// over `snapshot` and the directory synced, so a crash leaves the old file or the new one,
/// whole; `read` checks every field and the CRC and never returns a torn or corrupt file.
enum SnapshotFile {
    static let magic: [UInt8] = Array("raftsnap".utf8)
    static let version: UInt16 = 2
    static let fileName = "snapshot"
    static let temporaryFileName = "snapshot.tmp"
    /// Bytes before the data: magic, version, flags, index, term, voters, learners, data length.
    static let headerBytes = 8 + 2 + 2 + 8 + 8 + 8 + 8 + 8
    /// Bytes after the data: the CRC.
    static let trailerBytes = 4

    /// The file's bytes for `snapshot`.
    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerBytes + snapshot.data.count + trailerBytes)
        LittleEndian.append(version, to: &bytes)
        LittleEndian.append(UInt16(0), to: &bytes)
        LittleEndian.append(UInt64(snapshot.index), to: &bytes)
        LittleEndian.append(snapshot.term, to: &bytes)
        LittleEndian.append(snapshot.configuration.voters.bits, to: &bytes)
        LittleEndian.append(snapshot.configuration.learners.bits, to: &bytes)
        LittleEndian.append(UInt64(snapshot.data.count), to: &bytes)
        bytes.append(contentsOf: snapshot.data)
        LittleEndian.append(CRC32.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The snapshot `bytes` hold, or why they are not one (`path` names the file).
    static func decode(_ bytes: [UInt8], path: String) throws -> Snapshot {
        func bad(_ reason: String) -> StorageError { .badSnapshot(file: path, reason: reason) }
        guard bytes.count >= headerBytes + trailerBytes else {
            throw bad("the file is \(bytes.count) bytes, shorter than the \(headerBytes + trailerBytes) of an empty snapshot")
        }
        guard Array(bytes[0..<8]) == magic else { throw bad("magic is not \"raftsnap\"") }
        return try bytes.withUnsafeBytes { raw in
            let version = LittleEndian.load(UInt16.self, at: 8, from: raw)
            let flags = LittleEndian.load(UInt16.self, at: 10, from: raw)
            let index = LittleEndian.load(UInt64.self, at: 12, from: raw)
            let term = LittleEndian.load(UInt64.self, at: 20, from: raw)
            let voters = NodeSet(bits: LittleEndian.load(UInt64.self, at: 28, from: raw))
            let learners = NodeSet(bits: LittleEndian.load(UInt64.self, at: 36, from: raw))
            let length = LittleEndian.load(UInt64.self, at: 44, from: raw)
            guard version == Self.version else { throw bad("unsupported version \(version) (this program reads version \(Self.version))") }
            guard flags == 0 else { throw bad("unknown flags \(flags)") }
            guard length == UInt64(bytes.count - headerBytes - trailerBytes) else {
                throw bad("data length \(length) does not match the file's \(bytes.count) bytes (torn or cut)")
            }
            let stored = LittleEndian.load(UInt32.self, at: bytes.count - trailerBytes, from: raw)
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(bytes.count - trailerBytes)]))
            guard stored == computed else { throw bad("CRC mismatch (stored \(stored), computed \(computed))") }
            guard index >= 1, index <= UInt64(Int.max), term >= 1 else { throw bad("index \(index) and term \(term) (both start at 1)") }
            guard !voters.isEmpty, voters.intersection(learners).isEmpty else {
                throw bad("configuration: voters \(voters), learners \(learners) (voters must not be empty nor overlap the learners)")
            }
            return Snapshot(index: Int(index), term: term, configuration: Configuration(voters: voters, learners: learners),
                            data: Array(bytes[headerBytes..<(bytes.count - trailerBytes)]))
        }
    }

    /// The snapshot in `directory`, or `nil` when there is none. Removes a leftover
    /// `snapshot.tmp` (a write a crash interrupted).
    static func read(directory: String) throws -> Snapshot? {
        try FileSystem.removeIfPresent(DurableLog.join(directory, temporaryFileName))
        let path = DurableLog.join(directory, fileName)
        var isDirectory = false
        guard FileSystem.exists(path, isDirectory: &isDirectory) else { return nil }
        let descriptor = try FileSystem.openFile(path, flags: O_RDONLY)
        defer { FileSystem.closeDescriptor(descriptor) }
        let size = try FileSystem.size(of: descriptor, file: path)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let read = try bytes.withUnsafeMutableBytes {
                try FileSystem.readSome(into: UnsafeMutableRawBufferPointer(rebasing: $0[done...]), count: size - done,
                                        at: done, from: descriptor, file: path)
            }
            guard read > 0 else { break }
            done += read
        }
        guard done == size else { throw StorageError.badSnapshot(file: path, reason: "read \(done) of \(size) bytes") }
        return try decode(bytes, path: path)
    }

    /// Makes `snapshot` the directory's snapshot: written to `snapshot.tmp`, synced (when
    /// `fsync`), renamed over `snapshot`, and the directory synced. Returns the syncs made
    /// (of the file, of the directory).
    @discardableResult
    static func write(_ snapshot: Snapshot, directory: String, fsync: Bool) throws -> (file: Int, directory: Int) {
        let temporaryPath = DurableLog.join(directory, temporaryFileName)
        let descriptor = try FileSystem.openFile(temporaryPath, flags: O_RDWR | O_CREAT | O_TRUNC)
        do {
            try encode(snapshot).withUnsafeBytes { _ = try FileSystem.writeAll($0, at: 0, to: descriptor, file: temporaryPath) }
            if fsync { try FileSystem.syncData(descriptor, file: temporaryPath) }
        } catch {
            FileSystem.closeDescriptor(descriptor)
            try? FileSystem.removeIfPresent(temporaryPath)
            throw error
        }
        FileSystem.closeDescriptor(descriptor)
        try FileSystem.renameFile(temporaryPath, to: DurableLog.join(directory, fileName))
        guard fsync else { return (0, 0) }
        try FileSystem.syncDirectory(directory)
        return (1, 1)
    }
}
