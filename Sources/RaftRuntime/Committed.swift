/// A request that committed: its log index, and what the node's state machine answered when
/// it applied it (`StateMachine.apply`; empty without a state machine or when it had nothing
/// to say).
public struct Committed: Hashable, Sendable {
    public var index: Int
    public var reply: [UInt8]

    public init(index: Int, reply: [UInt8] = []) {
        self.index = index
        self.reply = reply
    }
}
