import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Deflates and writes a gzip member's chunks on a thread of its own, so a node's event loop
/// only encodes lines and copies a buffer. The thread runs at a lower CPU priority
/// (`threadNiceness`) than the event loops: on a busy machine deflating waits for idle time
/// instead of delaying the protocol's critical path. At most `pendingChunksMax` chunks wait;
/// a writer that gets further ahead blocks until the thread catches up (bounded memory). An
/// error is kept and thrown to the owner on its next call.
final class BackgroundCompressor: @unchecked Sendable {
    /// Chunks (each up to `TraceWriter.Options.bufferBytesMax`) waiting to be compressed.
    static let pendingChunksMax = 16
    /// The compressing thread's nice value (Linux: per thread), above the loops' 0.
    static let threadNiceness: Int32 = 10

    private let member: GzipMemberWriter
    private let worker: Worker

    init(member: GzipMemberWriter, label: String) {
        self.member = member
        worker = Worker(label: label)
    }

    deinit { worker.stop() }

    /// Queues `bytes` for compression with `Z_SYNC_FLUSH`; throws an earlier failure.
    func submit(_ bytes: [UInt8]) throws {
        try worker.rethrowFailure()
        worker.enqueue(waitingForRoom: true) { [member, worker] failure in
            guard failure == nil else { return }
            do {
                try bytes.withUnsafeBytes { try member.compress($0, flush: Z_SYNC_FLUSH) }
            } catch {
                worker.fail(error)
            }
        }
    }

    /// Compresses `bytes` with `Z_FINISH` after everything queued, finishes the member and
    /// waits for it.
    func finish(_ bytes: [UInt8]) throws {
        defer { worker.stop() }
        try worker.sync { [member] in
            try bytes.withUnsafeBytes { try member.compress($0, flush: Z_FINISH) }
            try member.finish()
        }
    }

    /// Waits until every chunk queued so far is compressed and written; throws an earlier
    /// failure.
    func waitUntilWritten() throws {
        try worker.sync {}
    }

    /// Drops what is queued and closes the file as a crash would.
    func abandon() {
        worker.discardQueued()
        try? worker.sync(evenAfterFailure: true) { [member] in member.abandon() }
        worker.stop()
    }

    /// Compressed bytes written so far (waits for queued chunks).
    var compressedBytes: Int {
        var bytes = 0
        try? worker.sync(evenAfterFailure: true) { [member] in bytes = member.compressedBytes }
        return bytes
    }

    /// The thread and its queue of jobs; jobs run in order, one at a time.
    private final class Worker: @unchecked Sendable {
        private let condition = NSCondition()
        /// Each job is told whether an earlier job failed.
        private var jobs: [(_ failure: (any Error)?) -> Void] = []
        private var stopped = false
        private var exited = false
        private var failure: (any Error)?

        init(label: String) {
            let thread = Thread { [self] in run() }
            thread.name = label
            thread.start()
        }

        func rethrowFailure() throws {
            if let failure = condition.withLock({ failure }) { throw failure }
        }

        /// Appends `job`; with `waitingForRoom`, first waits until fewer than
        /// `pendingChunksMax` jobs wait. Returns `false` (and drops `job`) once stopped.
        @discardableResult
        func enqueue(waitingForRoom: Bool, _ job: @escaping (_ failure: (any Error)?) -> Void) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while waitingForRoom && jobs.count >= BackgroundCompressor.pendingChunksMax && !stopped { condition.wait() }
            guard !stopped else { return false }
            jobs.append(job)
            condition.broadcast()
            return true
        }

        /// Runs `job` after everything queued and waits for it; rethrows an earlier failure
        /// (unless `evenAfterFailure`) or the job's own. Once stopped (the thread has
        /// exited), runs it on the caller's thread.
        func sync(evenAfterFailure: Bool = false, _ job: @escaping () throws -> Void) throws {
            let done = DispatchSemaphore(value: 0)
            let outcome = Outcome()
            let queued = enqueue(waitingForRoom: false) { failure in
                defer { done.signal() }
                if !evenAfterFailure, let failure { outcome.error = failure; return }
                do { try job() } catch { outcome.error = error }
            }
            guard queued else {
                if !evenAfterFailure { try rethrowFailure() }
                try job()
                return
            }
            done.wait()
            if let error = outcome.error { throw error }
        }

        /// A synchronous job's error, handed from the thread back to the caller.
        private final class Outcome: @unchecked Sendable {
            var error: (any Error)?
        }

        func fail(_ error: any Error) {
            condition.withLock { if failure == nil { failure = error } }
        }

        func discardQueued() {
            condition.withLock {
                jobs.removeAll()
                condition.broadcast()
            }
        }

        /// Lets the thread finish the queued jobs and exit; waits for it.
        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            while !exited { condition.wait() }
            condition.unlock()
        }

        private func run() {
            #if canImport(Glibc)
            // Linux keeps the nice value per thread; `who` 0 names the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, BackgroundCompressor.threadNiceness)
            #endif
            while true {
                condition.lock()
                while jobs.isEmpty && !stopped { condition.wait() }
                if jobs.isEmpty && stopped {
                    exited = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                let job = jobs.removeFirst()
                let failure = self.failure
                condition.unlock()
                job(failure)
                condition.withLock { condition.broadcast() }
            }
        }
    }
}
