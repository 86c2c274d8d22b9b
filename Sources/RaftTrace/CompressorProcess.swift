import Foundation
#if canImport(Glibc)
import Glibc

/// A compressor in a process of its own (`CompressorCommand`, the system `gzip` by default)
/// that turns the trace lines it reads from a pipe into one gzip member appended to the
/// trace file. Once `write` returns, the bytes are the kernel's: they survive a `kill -9` of
/// this process, because the child keeps running, drains the pipe, finishes the member
/// (trailer included) when the pipe's write end closes — by `finish()`, `abandon()` or this
/// process's death — and exits.
///
/// The child:
/// - reads the pipe on stdin and writes to the trace file (the writer's `O_APPEND` open file
///   description) on stdout; keeps stderr, so its complaints reach the node's log; every
///   other descriptor is closed (`closefrom(3)` where glibc has it; the writer's own are
///   close-on-exec in any case), so it holds no socket, no other pipe and no lock of the node;
/// - runs in a session of its own (`setsid`): a Ctrl-C in the terminal (SIGINT to the
///   foreground process group), a signal to the node's process group or the terminal's
///   hang-up does not reach it, so it never stops before it drained what was pushed: it ends
///   when its input ends (or by an explicit signal to its own pid);
/// - holds an exclusive `flock` on the trace file until it exits (the lock belongs to the
///   open file description it shares with the writer): the next incarnation's compressor
///   waits for it (up to `CompressorCommand.finishWaitMsMax`), so members never interleave.
///
/// After `abandon()` (or a crash of this process) the child is nobody's to wait for: a
/// detached thread reaps it here; after a real crash, `init` (or the nearest subreaper)
/// does.
final class CompressorProcess {
    /// Pause between two tries of that compressor's lock, or of a dying child's status.
    static let retryIntervalUs: UInt32 = 1_000
    /// Longest wait for the exit status of a child that stopped reading its input.
    static let exitStatusWaitMsMax = 100

    /// The trace file.
    let path: String
    /// The child's process id.
    let processID: pid_t
    /// The program, for messages: `gzip (pid 123)`.
    let program: String
    /// Pipe capacity the kernel granted, in bytes.
    let pipeBytes: Int

    private var pipeDescriptor: Int32
    private var fileDescriptor: Int32
    /// The child's `waitpid` status once it was reaped.
    private var exitStatus: Int32?
    private let fileBytesAtStart: Int
    /// Whether writes block SIGPIPE around them (the process does not ignore it): a child
    /// that died must be an error here, not the death of the node.
    private let blocksBrokenPipeSignal: Bool

    /// Starts `command` appending one gzip member to `path` (created with mode 0644). Throws
    /// a one-line `TraceIOError` when the program is missing, the file cannot be opened, an
    /// earlier compressor holds it too long, or the spawn fails.
    init(command: CompressorCommand, path: String) throws {
        self.path = path
        let executable = try command.resolvedExecutable(forTrace: path)
        let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "open") }
        var ownsFile = true
        defer { if ownsFile { close(file) } }
        try Self.lock(file, LOCK_EX, path: path, waitingUpToMs: CompressorCommand.finishWaitMsMax)
        var status = stat()
        guard fstat(file, &status) == 0 else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "fstat") }
        fileBytesAtStart = Int(status.st_size)

        guard let ends = GNUSystemCalls.closeOnExecPipe() else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "pipe") }
        pipeBytes = Self.raisePipeSize(ends.write, to: command.pipeBytes)
        var spawned: pid_t = 0
        let spawnError = Self.spawn(executable, arguments: command.arguments, input: ends.read, output: file, into: &spawned)
        close(ends.read)
        guard spawnError == 0 else {
            close(ends.write)
            throw TraceIOError(path: path, kind: .compressor, detail: "\(executable) could not start: \(String(cString: strerror(spawnError)))")
        }
        processID = spawned
        fileDescriptor = file
        pipeDescriptor = ends.write
        program = "\(executable) (pid \(spawned))"
        blocksBrokenPipeSignal = !Self.processIgnoresBrokenPipeSignal()
        ownsFile = false
    }

    deinit { abandon() }

    /// Writes all of `bytes` to the pipe: one `write(2)` when it fits, more after a partial
    /// write; `EINTR` retries, `EAGAIN` waits until the pipe has room. A full pipe blocks
    /// until the child catches up (bounded memory: `pipeBytes`).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard pipeDescriptor >= 0 else { throw TraceIOError(path: path, kind: .closed, detail: "write") }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var previousMask = sigset_t()
        var brokenPipe = sigset_t()
        sigemptyset(&brokenPipe)
        sigaddset(&brokenPipe, SIGPIPE)
        if blocksBrokenPipeSignal { pthread_sigmask(SIG_BLOCK, &brokenPipe, &previousMask) }
        var failure: Int32 = 0
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(pipeDescriptor, base + written, bytes.count - written)
            if result >= 0 {
                written += result
                continue
            }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN {
                var room = pollfd(fd: pipeDescriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&room, 1, -1)
                continue
            }
            failure = error
            break
        }
        if blocksBrokenPipeSignal {
            if failure == EPIPE {
                // The write raised SIGPIPE while it was blocked: take it before unblocking.
                var noWait = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&brokenPipe, nil, &noWait)
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        if failure == EPIPE {
            let status = reap(waitingUpToMs: Self.exitStatusWaitMsMax)
            let problem = status.flatMap(Self.describeFailure) ?? "exited"
            throw TraceIOError(path: path, kind: .compressor, detail: "\(program) stopped reading its input: it \(problem)")
        }
        if failure != 0 { throw TraceIOError(path: path, kind: .system(errno: failure), detail: "write to compressor \(program)") }
    }

    /// Closes the pipe and waits for the child to finish the member and exit; throws if it
    /// did not exit with status 0.
    func finish() throws {
        guard pipeDescriptor >= 0 else { return }
        close(pipeDescriptor)
        pipeDescriptor = -1
        defer {
            close(fileDescriptor)
            fileDescriptor = -1
        }
        var status: Int32 = 0
        if let known = exitStatus {
            status = known
        } else {
            while waitpid(processID, &status, 0) < 0 {
                guard errno == EINTR else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "waitpid \(program)") }
            }
            exitStatus = status
        }
        if let problem = Self.describeFailure(status) { throw TraceIOError(path: path, kind: .compressor, detail: "\(program) \(problem)") }
    }

    /// The child's status if it exits within `waitingUpToMs` (reaping it), else `nil`.
    private func reap(waitingUpToMs: Int) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = ContinuousClock.now + .milliseconds(waitingUpToMs)
        var status: Int32 = 0
        while true {
            let result = waitpid(processID, &status, WNOHANG)
            if result == processID {
                exitStatus = status
                return status
            }
            guard result == 0 || errno == EINTR, ContinuousClock.now < deadline else { return nil }
            usleep(Self.retryIntervalUs)
        }
    }

    /// Closes the pipe without waiting, as this process's death would: the child still
    /// finishes the member from what it received. A detached thread reaps it.
    func abandon() {
        guard pipeDescriptor >= 0 else { return }
        close(pipeDescriptor)
        pipeDescriptor = -1
        close(fileDescriptor)
        fileDescriptor = -1
        guard exitStatus == nil else { return }
        let child = processID
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Compressed bytes the child has appended to the file so far (everything, once
    /// `finish()` returned).
    var compressedBytes: Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0 }
        return max(0, Int(status.st_size) - fileBytesAtStart)
    }

    /// Waits until no compressor process holds `path` (each holds its trace file's lock until
    /// it exited): a crashed writer's child may still be finishing its member. Throws a
    /// one-line `TraceIOError` when the file is missing or one still runs after `timeoutMs`.
    static func waitUntilFinished(path: String, timeoutMs: Int) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TraceIOError(path: path, kind: errno == ENOENT ? .missing : .system(errno: errno), detail: errno == ENOENT ? "" : "open")
        }
        defer { close(descriptor) }
        try lock(descriptor, LOCK_SH, path: path, waitingUpToMs: timeoutMs)
    }

    /// Takes the trace file's lock (`LOCK_EX` to write, `LOCK_SH` to wait), trying again
    /// while a compressor (which holds it until it exits) still drains its pipe.
    private static func lock(_ descriptor: Int32, _ operation: Int32, path: String, waitingUpToMs timeoutMs: Int) throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while flock(descriptor, operation | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw TraceIOError(path: path, kind: .system(errno: errno), detail: "flock") }
            guard ContinuousClock.now < deadline else {
                throw TraceIOError(path: path, kind: .compressor, detail: "of an earlier writer still holds the file after \(timeoutMs) ms")
            }
            usleep(retryIntervalUs)
        }
    }

    /// `posix_spawn`s `executable` in a session of its own with `input` as stdin, `output` as
    /// stdout, stderr inherited, nothing else open, signals at their defaults and none
    /// blocked. Returns 0 or the error number.
    private static func spawn(_ executable: String, arguments: [String], input: Int32, output: Int32, into child: inout pid_t) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
        _ = GNUSystemCalls.addCloseFrom(&actions, lowest: STDERR_FILENO + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(GNUSystemCalls.spawnSetSessionFlag | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        return (argv + [nil]).withUnsafeBufferPointer { arguments in
            posix_spawn(&child, executable, &actions, &attributes, arguments.baseAddress!, environ)
        }
    }

    /// Asks for a pipe of `bytes` (or, when refused, of the most an unprivileged process may
    /// ask for, `/proc/sys/fs/pipe-max-size`); returns the capacity granted.
    private static func raisePipeSize(_ descriptor: Int32, to bytes: Int) -> Int {
        if fcntl(descriptor, GNUSystemCalls.setPipeSizeCommand, Int32(clamping: bytes)) < 0,
           let text = try? String(contentsOfFile: "/proc/sys/fs/pipe-max-size", encoding: .utf8),
           let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit < bytes {
            _ = fcntl(descriptor, GNUSystemCalls.setPipeSizeCommand, Int32(clamping: limit))
        }
        return Int(max(0, fcntl(descriptor, GNUSystemCalls.getPipeSizeCommand)))
    }

    private static func processIgnoresBrokenPipeSignal() -> Bool {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// `nil` for a clean exit (status 0), else what went wrong, from a `waitpid` status.
    private static func describeFailure(_ status: Int32) -> String? {
        let signal = status & 0x7f
        if signal == 0 {
            let code = (status >> 8) & 0xff
            return code == 0 ? nil : "exited with status \(code)"
        }
        return "was killed by signal \(signal)"
    }
}

#else

/// A compressor in a process of its own: Linux only for now.
final class CompressorProcess {
    let processID: Int32 = 0
    let pipeBytes = 0
    let compressedBytes = 0

    init(command: CompressorCommand, path: String) throws {
        throw TraceIOError(path: path, kind: .compressor, detail: "\(command.executable): a compressor process needs Linux")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func finish() throws {}
    func abandon() {}
    static func waitUntilFinished(path: String, timeoutMs: Int) throws {}
}

#endif
