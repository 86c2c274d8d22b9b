import Foundation
import TestGate
import Testing

/// raft-lite's dinner example, run as a user would: three guests, one decision, and a guest
/// that restarts with its state in memory hears every proposal again.
@Suite("Dinner example", .exclusive)
struct DinnerExampleTests {
    @Test("three guests print the same restaurant, and so does a guest after its restart")
    func guestsAgree() throws {
        let directory = URL(fileURLWithPath: try raftlabExecutable()).deletingLastPathComponent()
        let process = Process()
        process.executableURL = directory.appendingPathComponent("dinner")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        let decisions = text.split(separator: "\n").filter { $0.hasPrefix("Guest ") }.map { $0.split(separator: "at ").last! }
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(decisions.count == 4 && Set(decisions).count == 1, "\(text)")
        #expect(text.contains("Guest 2, restarted, heard every proposal"), "\(text)")
    }
}
