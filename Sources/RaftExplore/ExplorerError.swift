import RaftCheck

/// A request the explorer cannot answer, with the HTTP status it answers instead and, for a
/// bad path, the step that failed. Encoded as the JSON body of every 4xx response.
public struct ExplorerError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    /// HTTP status code (400, 403, 404, 405, 413 or 422).
    public var status: Int
    /// What is wrong, in words that name the bad input.
    public var error: String
    /// For a bad path: position of the bad step (0-based); the steps before it are valid.
    public var stepIndex: Int?
    /// For a bad path: the bad step as decoded (or the raw segment if it could not be decoded).
    public var step: String?
    /// For a step that is not enabled: the labels of the actions enabled at that point.
    public var enabled: [String]?

    /// An error with `status` and `message`.
    public init(status: Int, _ message: String) {
        self.status = status
        self.error = message
    }

    /// `404: step 2 "…" is not enabled …`.
    public var description: String { "\(status): \(error)" }

    /// A path step that matches no enabled action (404: there is no state at that path).
    public static func notEnabled(_ replay: ReplayError, prefix: String = "") -> ExplorerError {
        var error = ExplorerError(
            status: 404,
            "\(prefix)step \(replay.stepIndex + 1) \"\(replay.label)\" is not enabled after \(replay.stepIndex) step(s); "
                + (replay.enabledLabels.isEmpty ? "no action is enabled there"
                   : "enabled there: " + replay.enabledLabels.map { "\"\($0)\"" }.joined(separator: ", ")))
        error.stepIndex = replay.stepIndex
        error.step = replay.label
        error.enabled = replay.enabledLabels
        return error
    }

    /// A path segment that is not a label at all (400: malformed request).
    public static func malformed(_ decoding: ExplorerPath.DecodingError) -> ExplorerError {
        var error = ExplorerError(status: 400, decoding.reason)
        error.stepIndex = decoding.stepIndex
        error.step = decoding.segment
        return error
    }
}
