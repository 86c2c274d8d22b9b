import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A headless Chromium started for a test, spoken to over the DevTools pipe
/// (`--remote-debugging-pipe`: the browser reads commands on fd 3 and writes answers on fd 4,
/// each a JSON text ended by a NUL byte), so no port and no WebDriver are involved.
///
/// The browser runs in a process group of its own; `shutdown()` asks it to close, waits, and
/// then kills the whole group, so no browser process outlives the test.
final class ChromiumProcess: @unchecked Sendable {
    /// Why the browser could not be used.
    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Environment variable naming the browser binary (default: `chromium` on the PATH, then
    /// `chromium-browser`, `google-chrome`).
    static let binaryVariable = "RAFTLAB_CHROMIUM"

    let pid: pid_t
    let devTools: DevToolsPipe
    /// Where the browser's stdout and stderr go (quoted in failures).
    let logPath: String
    private let profileDirectory: String
    private var isShutDown = false

    /// The browser binary, or nil when none is installed (or `RAFTLAB_CHROMIUM` names no executable).
    static func findBinary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[binaryVariable], !path.isEmpty { return access(path, X_OK) == 0 ? path : nil }
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in directories where access("\(directory)/\(name)", X_OK) == 0 {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// Starts `binary` headless with a new profile in a temporary directory.
    init(binary: String, windowWidth: Int, windowHeight: Int) throws {
        profileDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("raftlab-chromium-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: profileDirectory, withIntermediateDirectories: true)
        logPath = profileDirectory + ".log"
        let arguments = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe", "--user-data-dir=\(profileDirectory)", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--force-device-scale-factor=1", "--window-size=\(windowWidth),\(windowHeight)", "about:blank",
        ]
        let toBrowser = try Self.makePipe(), fromBrowser = try Self.makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, toBrowser.read, 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser.write, 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, binary, &actions, &attributes, argv, envp)
        close(toBrowser.read)
        close(fromBrowser.write)
        guard status == 0 else {
            close(toBrowser.write)
            close(fromBrowser.read)
            throw LaunchError(description: "cannot start \(binary): \(String(cString: strerror(status)))")
        }
        pid = child
        devTools = DevToolsPipe(writing: toBrowser.write, reading: fromBrowser.read)
    }

    /// A close-on-exec pipe whose ends are above fd 9 (so dup2 onto 3 and 4 never meets them;
    /// the child keeps only those two copies).
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw LaunchError(description: "pipe: errno \(errno)") }
        let moved = ends.map { end -> Int32 in
            let high = fcntl(end, F_DUPFD_CLOEXEC, 10)
            close(end)
            return high
        }
        guard moved.allSatisfy({ $0 >= 10 }) else { throw LaunchError(description: "fcntl F_DUPFD_CLOEXEC: errno \(errno)") }
        return (moved[0], moved[1])
    }

    /// The browser's output so far (its last lines), for failure messages.
    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Asks the browser to close, waits up to `timeoutSeconds` for it to exit, then kills its
    /// process group and removes its profile. Safe to call twice.
    func shutdown(timeoutSeconds: Double = 15) {
        guard !isShutDown else { return }
        isShutDown = true
        _ = try? devTools.call("Browser.close", timeoutSeconds: 5)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var exited = false
        while Date() < deadline {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { exited = true; break }
            usleep(50_000)
        }
        // Renderer and helper processes share the group; none may outlive the test.
        kill(-pid, SIGKILL)
        if !exited {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        devTools.close()
        try? FileManager.default.removeItem(atPath: profileDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    deinit { shutdown() }
}
