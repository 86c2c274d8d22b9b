#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls the durable log makes, each turning a failure into a `StorageError`
/// naming the operation and the file. Every descriptor is opened close-on-exec, so a node
/// that spawns processes never leaks its log into them.
enum FileSystem {
    /// Creates `path` and any missing parents with `mode`; an existing directory is fine.
    /// After each directory it creates it syncs that directory's parent, so the new entry
    /// survives a power loss. Returns how many directories it created (and parents synced).
    @discardableResult
    static func makeDirectory(_ path: String, mode: mode_t) throws -> Int {
        var isDirectory = false
        if exists(path, isDirectory: &isDirectory) {
            guard isDirectory else { throw StorageError.system(operation: "mkdir (a file is in the way)", file: path, errno: ENOTDIR) }
            return 0
        }
        var created = 0
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            created += try makeDirectory(String(path[..<slash]), mode: mode)
        }
        guard mkdir(path, mode) == 0 else {
            if errno == EEXIST { return created } // made meanwhile by someone else, who syncs it
            throw StorageError.system(operation: "mkdir", file: path, errno: errno)
        }
        try syncDirectory(parentDirectory(of: path))
        return created + 1
    }

    /// The directory holding `path`: what comes before its last `/` (`/` for `/name`, `.`
    /// for a bare name).
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Whether `path` exists, and whether it is a directory.
    static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
        return true
    }

    /// Opens `path` with `flags` (close-on-exec added) and `mode` for a created file.
    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let descriptor = open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw StorageError.system(operation: "open", file: path, errno: errno) }
        return descriptor
    }

    /// Takes an exclusive, non-blocking `flock` on `descriptor`.
    static func lock(_ descriptor: Int32, directory: String, file: String) throws {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw StorageError.locked(directory: directory) }
            throw StorageError.system(operation: "flock", file: file, errno: errno)
        }
    }

    /// Size of the open file.
    static func size(of descriptor: Int32, file: String) throws -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw StorageError.system(operation: "fstat", file: file, errno: errno) }
        return Int(status.st_size)
    }

    /// Writes all of `bytes` at `offset`, retrying short writes and `EINTR`; returns the
    /// number of `pwrite(2)` calls it took (1 unless the kernel wrote only part).
    @discardableResult
    static func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int, to descriptor: Int32, file: String) throws -> Int {
        var written = 0
        var calls = 0
        while written < bytes.count {
            calls += 1
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw StorageError.system(operation: "pwrite", file: file, errno: errno)
            }
            written += result
        }
        return calls
    }

    /// Reads up to `count` bytes at `offset` into `buffer` starting at `bufferOffset`;
    /// returns how many were read (0 at the end of the file).
    static func readSome(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int,
                     from descriptor: Int32, file: String) throws -> Int {
        while true {
            let result = pread(descriptor, buffer.baseAddress!, count, off_t(offset))
            if result >= 0 { return result }
            if errno != EINTR { throw StorageError.system(operation: "pread", file: file, errno: errno) }
        }
    }

    /// Makes the file's data (and the metadata needed to read it back, such as its size)
    /// durable: `fdatasync(2)` on Linux, `F_FULLFSYNC` elsewhere.
    static func syncData(_ descriptor: Int32, file: String) throws {
        #if os(Linux)
        let result = fdatasync(descriptor)
        #else
        let result = fcntl(descriptor, F_FULLFSYNC)
        #endif
        guard result == 0 else { throw StorageError.system(operation: "fdatasync", file: file, errno: errno) }
    }

    /// Makes a directory's entries (a created or renamed file) durable.
    static func syncDirectory(_ path: String) throws {
        let descriptor = try openFile(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StorageError.system(operation: "fsync (directory)", file: path, errno: errno) }
    }

    /// Cuts the file to `length` bytes.
    static func truncateFile(_ descriptor: Int32, to length: Int, file: String) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw StorageError.system(operation: "ftruncate", file: file, errno: errno)
        }
    }

    /// Atomically replaces `destination` by `source`.
    static func renameFile(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw StorageError.system(operation: "rename to \(destination)", file: source, errno: errno)
        }
    }

    /// Closes a descriptor (errors are ignored: nothing is left to do about them).
    static func closeDescriptor(_ descriptor: Int32) {
        _ = close(descriptor)
    }

    /// Removes `path` if it exists.
    static func removeIfPresent(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw StorageError.system(operation: "unlink", file: path, errno: errno)
        }
    }
}
