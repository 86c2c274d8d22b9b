#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The contract of an object that takes one caller at a time instead of a lock: its owner
/// serialises the calls (one event loop, one task, a hand-off from thread to thread), and
/// the object is `@unchecked Sendable` only so the owner can move it. Every entry point
/// starts with `enter(); defer { leave() }`; in debug builds (the tests) a second thread
/// that enters while another is inside stops the process with a message naming the object,
/// so a broken contract shows up as a crash, not as corrupted state. The thread inside may
/// re-enter (one entry point calling another, a callback calling back in). Release builds
/// check nothing and pay nothing.
package final class SerialAccess: Sendable {
    private let name: StaticString
    #if DEBUG
    /// The thread inside (0: none), and how many entries deep it is.
    private let owner = Atomic<UInt>(0)
    private let depth = Atomic<Int>(0)
    #endif

    /// A checker for the object called `name` in the message.
    package init(_ name: StaticString) {
        self.name = name
    }

    /// Starts one entry into the object.
    @inline(__always)
    package func enter() {
        #if DEBUG
        if let intruder = tryEnter() {
            preconditionFailure("\(name) entered by thread \(intruder.me) while thread \(intruder.inside) is inside: it takes one caller at a time")
        }
        #endif
    }

    /// Ends the entry `enter` started.
    @inline(__always)
    package func leave() {
        #if DEBUG
        if depth.subtract(1, ordering: .relaxed).newValue == 0 {
            owner.store(0, ordering: .releasing)
        }
        #endif
    }

    #if DEBUG
    /// Enters, or returns who is inside (another thread) without entering.
    package func tryEnter() -> (me: UInt, inside: UInt)? {
        let me = Self.currentThread
        if owner.load(ordering: .acquiring) == me {
            depth.add(1, ordering: .relaxed)
            return nil
        }
        let (exchanged, inside) = owner.compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing)
        guard exchanged else { return (me, inside) }
        depth.store(1, ordering: .relaxed)
        return nil
    }

    private static var currentThread: UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }
    #endif
}
