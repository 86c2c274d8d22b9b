import Foundation

/// A path through the model as it appears in a URL: one percent-encoded action label per
/// segment, e.g. `/.states/Timeout(0%2C%20election)/0%20%E2%86%92%201%20VoteRequest(…)`.
///
/// Labels are the model's own action labels (the lines of a path file), so a URL names the
/// same states in every explorer run with the same model settings: unlike fingerprints or
/// action positions, labels do not depend on the order in which the model interned states.
public enum ExplorerPath {
    /// Most steps a path may have: a replay costs one successor computation per enabled
    /// action per step, so this bounds the work one request can ask for.
    public static let stepCountMax = 1_000

    /// Why a path segment could not be read.
    public struct DecodingError: Error, Hashable, Sendable {
        /// Position of the bad segment (0-based).
        public var stepIndex: Int
        /// The raw segment as it appeared in the URL.
        public var segment: String
        /// What is wrong with it.
        public var reason: String
    }

    /// The labels encoded by `segments` (the URL path after the route's prefix, split on `/`).
    /// An empty trailing segment (a URL ending in `/`) is ignored; any other empty segment,
    /// a malformed percent escape, or more than `stepCountMax` segments is an error.
    public static func labels(fromSegments segments: [Substring]) throws(DecodingError) -> [String] {
        var segments = segments
        if segments.last?.isEmpty == true { segments.removeLast() }
        if segments.count > stepCountMax {
            throw DecodingError(stepIndex: stepCountMax, segment: String(segments[stepCountMax]),
                                reason: "the path has \(segments.count) steps; at most \(stepCountMax) are allowed")
        }
        var labels: [String] = []
        labels.reserveCapacity(segments.count)
        for (index, segment) in segments.enumerated() {
            guard !segment.isEmpty else {
                throw DecodingError(stepIndex: index, segment: "", reason: "step \(index + 1) is empty (two slashes in a row)")
            }
            guard let label = String(segment).removingPercentEncoding else {
                throw DecodingError(stepIndex: index, segment: String(segment),
                                    reason: "step \(index + 1) \"\(segment)\" is not valid percent-encoded UTF-8")
            }
            labels.append(label)
        }
        return labels
    }

    /// The URL path segment for `label`: everything but unreserved characters is
    /// percent-encoded (as JavaScript's `encodeURIComponent` does, so `/` never splits a label).
    public static func segment(for label: String) -> String {
        label.addingPercentEncoding(withAllowedCharacters: unreserved) ?? label
    }

    /// `/.states/…` for `labels`.
    public static func statesURLPath(_ labels: [String]) -> String {
        "/.states" + labels.map { "/" + segment(for: $0) }.joined()
    }

    /// RFC 3986 unreserved characters plus the marks `encodeURIComponent` leaves alone.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
}
