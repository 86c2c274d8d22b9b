import Foundation
import RaftTrace

/// A text file written in large chunks (exports can hold millions of lines).
final class OutputFile {
    let path: String
    private let handle: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private static let chunkBytes = 1 << 20

    /// Creates (or replaces) `path`.
    init(path: String) throws {
        guard let handle = fopen(path, "w") else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "create") }
        self.path = path
        self.handle = handle
        buffer.reserveCapacity(Self.chunkBytes + 4_096)
    }

    deinit { fclose(handle) }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkBytes { try drain() }
    }

    /// Writes what is buffered and closes the file.
    func close() throws {
        try drain()
        guard fflush(handle) == 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "write") }
    }

    private func drain() throws {
        guard !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == buffer.count else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "write") }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// JSON string literal of `text` (quotes included).
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
        }
    }
    return result + "\""
}
