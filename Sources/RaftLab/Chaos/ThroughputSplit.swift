import RaftTrace

/// Acknowledged writes per second while a fault is active against while none is, over the
/// chaos period. A fault is active from its `kill`, `pause` or `partition` event to the
/// matching `restart`, `resume` or `heal`.
struct ThroughputSplit {
    /// The chaos period, µs since the Unix epoch.
    let window: ClosedRange<Int64>
    private(set) var faultUs: Int64 = 0
    private(set) var calmUs: Int64 = 0
    private(set) var faultAcknowledged = 0
    private(set) var calmAcknowledged = 0
    private var activeFaults = 0
    private var segmentStartUs: Int64

    init(window: ClosedRange<Int64>) {
        self.window = window
        segmentStartUs = window.lowerBound
    }

    mutating func consume(_ record: TraceRecord) {
        switch record.body {
        case .nemesis(let action, _, _):
            closeSegment(at: record.timestampUs)
            activeFaults = action.startsFault ? activeFaults + 1 : max(0, activeFaults - 1)
        case .ok where window.contains(record.timestampUs):
            if activeFaults > 0 { faultAcknowledged += 1 } else { calmAcknowledged += 1 }
        default:
            break
        }
    }

    /// Closes the last segment at the end of the window.
    mutating func finish() { closeSegment(at: window.upperBound) }

    /// Acknowledged writes per second under faults, and calm (nil when no such time).
    var faultRate: Double? { faultUs > 0 ? Double(faultAcknowledged) / (Double(faultUs) / 1e6) : nil }
    var calmRate: Double? { calmUs > 0 ? Double(calmAcknowledged) / (Double(calmUs) / 1e6) : nil }

    private mutating func closeSegment(at now: Int64) {
        let start = max(segmentStartUs, window.lowerBound)
        let end = min(now, window.upperBound)
        if end > start {
            if activeFaults > 0 { faultUs += end - start } else { calmUs += end - start }
        }
        segmentStartUs = max(segmentStartUs, now)
    }
}
