import CZlib
import Dispatch
import Foundation

/// Deflates and writes a gzip member's chunks on a serial background queue, so a node's
/// event loop only encodes lines and copies a buffer. At most `pendingChunksMax` chunks wait;
/// a writer that gets further ahead blocks until the queue catches up (bounded memory). An
/// error is kept and thrown to the owner on its next call.
final class BackgroundCompressor: @unchecked Sendable {
    /// Chunks (each up to `TraceWriter.Options.bufferBytesMax`) waiting to be compressed.
    static let pendingChunksMax = 16

    private let member: GzipMemberWriter
    private let queue: DispatchQueue
    private let slots = DispatchSemaphore(value: BackgroundCompressor.pendingChunksMax)
    private let lock = NSLock()
    private var failure: (any Error)?
    private var discards = false

    init(member: GzipMemberWriter, label: String) {
        self.member = member
        queue = DispatchQueue(label: label)
    }

    /// Queues `bytes` for compression with `Z_SYNC_FLUSH`; throws an earlier failure.
    func submit(_ bytes: [UInt8]) throws {
        try rethrowFailure()
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard !lock.withLock({ discards || failure != nil }) else { return }
            do {
                try bytes.withUnsafeBytes { try member.compress($0, flush: Z_SYNC_FLUSH) }
            } catch {
                lock.withLock { failure = error }
            }
        }
    }

    /// Compresses `bytes` with `Z_FINISH` after everything queued, finishes the member and
    /// waits for it.
    func finish(_ bytes: [UInt8]) throws {
        try queue.sync {
            try rethrowFailure()
            try bytes.withUnsafeBytes { try member.compress($0, flush: Z_FINISH) }
            try member.finish()
        }
    }

    /// Drops what is queued and closes the file as a crash would.
    func abandon() {
        lock.withLock { discards = true }
        queue.sync { member.abandon() }
    }

    /// Compressed bytes written so far (waits for queued chunks).
    var compressedBytes: Int { queue.sync { member.compressedBytes } }

    private func rethrowFailure() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}
