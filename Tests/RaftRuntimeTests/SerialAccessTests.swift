#if DEBUG
import Foundation
import SerialAccess
import Synchronization
import Testing

/// The debug check behind the `@unchecked Sendable` classes that take one caller at a time.
@Suite("Serial access")
struct SerialAccessTests {
    @Test("a second thread entering while the first is inside is caught, naming both threads")
    func overlapIsCaught() throws {
        let access = SerialAccess("Example")
        #expect(access.tryEnter() == nil)
        let intruder = ThreadResult { access.tryEnter() }.run()
        let caught = try #require(intruder)
        #expect(caught.me != caught.inside)
        access.leave()
        // Once the first left, the other thread gets in.
        #expect(ThreadResult { () -> Bool in
            defer { access.leave() }
            return access.tryEnter() == nil
        }.run())
    }

    @Test("the thread inside may re-enter, and leaves only when its outermost entry does")
    func reentryIsAllowed() {
        let access = SerialAccess("Example")
        #expect(access.tryEnter() == nil)
        #expect(access.tryEnter() == nil)
        access.leave()
        #expect(ThreadResult { access.tryEnter() }.run() != nil, "still inside after the inner leave")
        access.leave()
        #expect(ThreadResult { () -> Bool in
            defer { access.leave() }
            return access.tryEnter() == nil
        }.run())
    }

    @Test("calls handed from thread to thread, one after another, pass")
    func handOffPasses() {
        let access = SerialAccess("Example")
        for _ in 0..<4 {
            access.enter()
            access.leave()
            ThreadResult { access.enter(); access.leave() }.run()
        }
    }
}

/// Runs `body` on a new thread and waits for its result.
private struct ThreadResult<T: Sendable> {
    let body: @Sendable () -> T

    init(_ body: @escaping @Sendable () -> T) { self.body = body }

    @discardableResult
    func run() -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [body] in
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }
}
#endif
