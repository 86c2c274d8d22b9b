import RaftCore
import Testing
@testable import RaftCheck

extension RaftModel {
    /// The kinds `classify` finds among the labels of `walks` random walks of up to `length`
    /// steps from the initial state: a feature's test asks whether the model reaches its steps.
    func kindsReached(walks: Int = 3_000, length: Int = 40, seed: UInt64, classify: (String) -> [String]) -> Set<String> {
        var random = SplitMix64(seed: seed)
        var seen: Set<String> = []
        for _ in 0..<walks {
            var state = initialState
            for _ in 0..<length {
                guard let (action, next) = successors(of: state).randomElement(using: &random) else { break }
                seen.formUnion(classify(label(of: action)))
                state = next
            }
        }
        return seen
    }
}

/// Checks each configuration exhaustively to its depth and records any counterexample, naming
/// the configuration, the property and the path.
func expectCleanExhaustively(_ configurations: [(RaftModelConfiguration, Int)]) {
    for (configuration, depth) in configurations {
        let model = RaftModel(configuration)
        let result = RaftChecker(model: model, options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
        #expect(result.stopReason == .exhausted)
        #expect(!result.hasCounterexample,
                "\(configuration) depth \(depth): \(result.discoveries.filter { $0.classification == .counterexample }.map { ($0.property.name, $0.actions.map(model.label(of:))) })")
    }
}
