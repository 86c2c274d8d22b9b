import Testing
@testable import RaftCheck

struct VisitedSetTests {
    @Test("insert reports new, known and shortened fingerprints")
    func insertion() throws {
        let visited = VisitedSet()
        #expect(visited.insert(10, parent: VisitedSet.noParent, depth: 1) == .inserted)
        #expect(visited.insert(20, parent: 10, depth: 5) == .inserted)
        #expect(visited.insert(20, parent: 30, depth: 6) == .present)
        #expect(visited.insert(20, parent: 30, depth: 5) == .present)
        #expect(visited.insert(20, parent: 40, depth: 3, allowsShortening: false) == .present)
        #expect(visited.entry(20)?.parent == 10)
        #expect(visited.insert(20, parent: 40, depth: 3) == .shortened)
        let entry = try #require(visited.entry(20))
        #expect(entry.parent == 40 && entry.depth == 3)
        #expect(visited.count == 2)
        #expect(!visited.contains(30))
    }

    @Test("the table grows far past its initial size without losing entries")
    func growth() {
        let visited = VisitedSet()
        let count = VisitedSet.shardCount * VisitedSet.initialShardSlots * 3
        var notInserted = 0
        for index in 1...count {
            let fingerprint = Fingerprint.make(WordHash.hash([UInt64(index)]))
            if visited.insert(fingerprint, parent: UInt64(index), depth: 2) != .inserted { notInserted += 1 }
        }
        #expect(notInserted == 0)
        #expect(visited.count == count)
        var wrongParents = 0
        for index in stride(from: 1, through: count, by: 97)
        where visited.entry(Fingerprint.make(WordHash.hash([UInt64(index)])))?.parent != UInt64(index) {
            wrongParents += 1
        }
        #expect(wrongParents == 0)
    }

    @Test("concurrent inserts of overlapping fingerprints count each once")
    func concurrentInserts() {
        let visited = VisitedSet()
        let perThread = 50_000
        WorkerThreads.run(count: 4) { thread in
            // Threads 0 and 1 insert the same range, 2 and 3 another one.
            let base = (thread / 2) * perThread
            for index in 0..<perThread {
                _ = visited.insert(Fingerprint.make(WordHash.hash([UInt64(base + index)])), parent: 1, depth: 2)
            }
        }
        #expect(visited.count == 2 * perThread)
    }

    @Test("a chain of parents leads back to the initial fingerprint")
    func chain() {
        let visited = VisitedSet()
        _ = visited.insert(5, parent: VisitedSet.noParent, depth: 1)
        _ = visited.insert(6, parent: 5, depth: 2)
        _ = visited.insert(7, parent: 6, depth: 3)
        #expect(visited.chain(to: 7) == [5, 6, 7])
        #expect(visited.chain(to: 5) == [5])
    }
}
