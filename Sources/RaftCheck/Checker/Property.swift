/// A named property of a model and what the checker expects of it.
public struct Property: Hashable, Sendable {
    /// How the checker judges a property.
    public enum Expectation: String, Hashable, Sendable {
        /// Must hold in every reachable state (or across every step): a state where it
        /// fails is a counterexample.
        case always
        /// Should hold in some reachable state: such a state is an example.
        case sometimes
        /// Must hold somewhere on every path: a path that ends (no successor) without it
        /// is a counterexample. Paths cut by the depth bound do not end.
        case eventually
    }

    /// What the condition looks at.
    public enum Scope: String, Hashable, Sendable {
        /// One state (`Model.evaluate`).
        case state
        /// One step from a state to its successor (`Step.transitionMask`).
        case transition
    }

    /// The name printed in discoveries, e.g. `Election Safety`.
    public var name: String
    /// What the checker looks for.
    public var expectation: Expectation
    /// What the condition looks at.
    public var scope: Scope

    /// A property called `name`.
    public init(_ name: String, _ expectation: Expectation, scope: Scope = .state) {
        precondition(!(expectation == .eventually && scope == .transition),
                     "an eventually property is a condition on states: \(name)")
        self.name = name
        self.expectation = expectation
        self.scope = scope
    }

    /// A property that must hold in every reachable state.
    public static func always(_ name: String) -> Property { Property(name, .always) }
    /// A property that must hold across every step.
    public static func alwaysAcrossSteps(_ name: String) -> Property { Property(name, .always, scope: .transition) }
    /// A property that should hold in some reachable state.
    public static func sometimes(_ name: String) -> Property { Property(name, .sometimes) }
    /// A property that must hold somewhere on every complete path.
    public static func eventually(_ name: String) -> Property { Property(name, .eventually) }
}

/// A set of property positions (bit `i` is `Model.properties[i]`).
public struct PropertyMask: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The most properties a model may declare.
    public static let capacity = 64
    /// Every position.
    public static let all = PropertyMask(rawValue: .max)
    /// No position.
    public static let none = PropertyMask([])

    /// The mask holding only position `index`.
    public init(position index: Int) {
        precondition(index >= 0 && index < Self.capacity, "property position \(index) out of range")
        self.init(rawValue: 1 << UInt64(index))
    }

    /// The positions of `properties` that satisfy `predicate`.
    public static func positions(of properties: [Property], where predicate: (Property) -> Bool) -> PropertyMask {
        var mask = PropertyMask()
        for (index, property) in properties.enumerated() where predicate(property) {
            mask.insert(PropertyMask(position: index))
        }
        return mask
    }

    /// Whether position `index` is in the mask.
    public func contains(position index: Int) -> Bool { contains(PropertyMask(position: index)) }

    /// The positions in increasing order.
    public var positions: [Int] {
        var positions: [Int] = []
        forEachPosition { positions.append($0) }
        return positions
    }

    /// Calls `body` with every position in increasing order (no allocation: hot paths use it).
    @inline(__always)
    public func forEachPosition(_ body: (Int) -> Void) {
        var remaining = rawValue
        while remaining != 0 {
            body(remaining.trailingZeroBitCount)
            remaining &= remaining - 1
        }
    }
}
