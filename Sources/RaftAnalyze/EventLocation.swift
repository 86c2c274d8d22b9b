import RaftTrace

/// Where an event came from: a file of the analysis and a 1-based line in it, packed in one
/// word so checks can remember many locations cheaply.
public struct EventLocation: Hashable, Sendable {
    /// Index of the file in `AnalysisReport.inputs` (as read).
    public var file: Int
    /// 1-based line number in the decompressed file.
    public var line: Int

    /// The location of `line` in file number `file`.
    public init(file: Int, line: Int) {
        precondition(file >= 0 && file < 1 << 15 && line >= 0 && line < 1 << 47, "location out of range")
        self.file = file
        self.line = line
    }

    /// The location as one word.
    var packed: UInt64 { UInt64(file) << 48 | UInt64(line) }

    /// A location unpacked from `packed`.
    init(packed: UInt64) {
        file = Int(packed >> 48)
        line = Int(packed & (1 << 48 - 1))
    }
}

/// One event offered as evidence: where it is and what it says.
public struct Evidence: Codable, Hashable, Sendable, CustomStringConvertible {
    /// `file:line`.
    public var location: String
    /// The event as a JSON line (re-encoded from what was read).
    public var event: String

    /// Evidence for `record` read at `location` of `files`.
    init(_ record: TraceRecord, at location: EventLocation, files: [String]) {
        self.location = Evidence.text(location, files: files)
        var line = record.jsonLine
        line.removeLast()
        event = line
    }

    static func text(_ location: EventLocation, files: [String]) -> String {
        "\(location.file < files.count ? files[location.file] : "?"):\(location.line)"
    }

    public var description: String { "\(location)  \(event)" }
}
