/// Millisecond samples as one line of quantiles: `name: p50 1.2 ms, p99 3.4 ms, max 5.6 ms
/// over 30 restarts` (nearest-rank quantiles of the sorted samples).
enum SampleSummary {
    static func line(_ name: String, _ values: [Double], quantiles: [Double] = [0.5, 0.99], counting noun: String) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "\(name): no samples" }
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1) + 0.5))] }
        let parts = quantiles.map { q in "p\(Int((q * 100).rounded())) " + format(at(q)) + " ms" }
        return "\(name): " + (parts + ["max " + format(sorted.last!) + " ms"]).joined(separator: ", ") + " over \(sorted.count) \(noun)"
    }

    private static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return String(describing: tenths)
    }
}
