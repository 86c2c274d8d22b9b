import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Chrome DevTools Protocol over a pair of pipe ends: commands go out as NUL-terminated JSON,
/// a reader thread collects the answers by id (events are ignored: tests poll the page instead).
final class DevToolsPipe: @unchecked Sendable {
    /// A command the browser refused or did not answer in time.
    struct ProtocolError: Error, CustomStringConvertible {
        var description: String
    }

    /// Largest message accepted from the browser (a full-page screenshot is a few MB of base64).
    static let messageBytesMax = 64 << 20

    private let writeEnd: Int32
    private let readEnd: Int32
    private let condition = NSCondition()
    private var nextID = 1
    private var answers: [Int: Data] = [:]
    private var readerEnded = false
    private var closed = false

    init(writing: Int32, reading: Int32) {
        writeEnd = writing
        readEnd = reading
        let thread = Thread { [self] in readLoop() }
        thread.name = "devtools-pipe-reader"
        thread.start()
    }

    /// Sends `method` with `params` (to the page of `sessionID` if given) and returns the
    /// answer's `result`, or throws the browser's error or a timeout naming the method.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], sessionID: String? = nil,
              timeoutSeconds: Double = 30) throws -> [String: Any] {
        condition.lock()
        let id = nextID
        nextID += 1
        let ended = readerEnded
        condition.unlock()
        guard !ended else { throw ProtocolError(description: "\(method): the browser has closed its DevTools pipe") }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let sessionID { message["sessionId"] = sessionID }
        var bytes = try JSONSerialization.data(withJSONObject: message)
        bytes.append(0)
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(writeEnd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw ProtocolError(description: "\(method): write to the browser failed, errno \(errno)") }
                offset += written
            }
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        condition.lock()
        defer { condition.unlock() }
        while answers[id] == nil && !readerEnded {
            if !condition.wait(until: deadline) {
                throw ProtocolError(description: "\(method): no answer from the browser within \(timeoutSeconds) s")
            }
        }
        guard let answer = answers.removeValue(forKey: id) else {
            throw ProtocolError(description: "\(method): the browser closed its DevTools pipe before answering")
        }
        guard let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw ProtocolError(description: "\(method): the answer is not a JSON object")
        }
        if let error = object["error"] as? [String: Any] {
            throw ProtocolError(description: "\(method) failed: \(error["message"] ?? error)")
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// Closes our ends of the pipes (after the browser has exited).
    func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        Glibc.close(writeEnd)
    }

    private func readLoop() {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let message = pending[pending.startIndex..<end]
                pending = Data(pending[(end + 1)...])
                deliver(Data(message))
            }
            if pending.count > Self.messageBytesMax { break }
        }
        Glibc.close(readEnd)
        condition.lock()
        readerEnded = true
        condition.broadcast()
        condition.unlock()
    }

    private func deliver(_ message: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
              let id = object["id"] as? Int else { return }
        condition.lock()
        answers[id] = message
        condition.broadcast()
        condition.unlock()
    }
}
