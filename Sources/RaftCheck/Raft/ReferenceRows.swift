import Synchronization

/// A concurrent table from interned references to fixed-size rows of 64-bit words, filled on
/// first use and then read without a lock: what the model computes once per interned value
/// and reads for every state it fingerprints.
///
/// Rows live on pages of `pageRows` rows allocated on demand; a directory of page addresses
/// covers every reference below `InternTable.referenceLimit`. Word 0 of a row is its "filled"
/// mark (a filler stores it last, with release ordering, and never stores 0 there); two
/// threads that fill the same row write the same words, so a race only repeats the work.
final class ReferenceRows: @unchecked Sendable {
    // @unchecked: the directory and pages are allocations of atomics, freed in deinit.
    /// Rows per page.
    static let pageRows = 4096
    /// Pages the directory covers.
    static let pagesMax = Int(InternTable<Int>.referenceLimit) / pageRows

    /// Words per row, the mark included.
    let rowWords: Int
    private let directory: UnsafeMutablePointer<Atomic<Int>>
    private let allocationLock = Mutex<Void>(())

    /// A table of rows of `payloadWords` words each (plus the mark).
    init(payloadWords: Int) {
        precondition(payloadWords >= 1, "a row holds at least one word")
        rowWords = payloadWords + 1
        directory = .allocate(capacity: Self.pagesMax)
        for index in 0..<Self.pagesMax { (directory + index).initialize(to: Atomic(0)) }
    }

    deinit {
        for index in 0..<Self.pagesMax {
            let address = directory[index].load(ordering: .relaxed)
            guard let page = UnsafeMutablePointer<Atomic<UInt64>>(bitPattern: address) else { continue }
            page.deinitialize(count: Self.pageRows * rowWords)
            page.deallocate()
        }
        directory.deinitialize(count: Self.pagesMax)
        directory.deallocate()
    }

    /// The payload words of `reference`'s row if it was filled, without locking or allocating.
    @inline(__always)
    func filledRow(_ reference: UInt32) -> UnsafePointer<Atomic<UInt64>>? {
        let row = address(of: reference)
        return row[0].load(ordering: .acquiring) == 0 ? nil : UnsafePointer(row + 1)
    }

    /// Fills `reference`'s row with `words` (`rowWords - 1` of them) and returns its payload.
    func fill(_ reference: UInt32, with words: [UInt64]) -> UnsafePointer<Atomic<UInt64>> {
        precondition(words.count == rowWords - 1, "a row of \(rowWords - 1) words filled with \(words.count)")
        let row = address(of: reference)
        for (index, word) in words.enumerated() { row[index + 1].store(word, ordering: .relaxed) }
        row[0].store(1, ordering: .releasing)
        return UnsafePointer(row + 1)
    }

    @inline(__always)
    private func address(of reference: UInt32) -> UnsafeMutablePointer<Atomic<UInt64>> {
        let pageIndex = Int(reference) / Self.pageRows
        precondition(pageIndex < Self.pagesMax, "reference \(reference) past the table")
        var address = directory[pageIndex].load(ordering: .acquiring)
        if address == 0 { address = allocatePage(pageIndex) }
        let page = UnsafeMutablePointer<Atomic<UInt64>>(bitPattern: address)!
        return page + (Int(reference) % Self.pageRows) * rowWords
    }

    @inline(never)
    private func allocatePage(_ pageIndex: Int) -> Int {
            allocationLock.withLock { _ in
                let current = directory[pageIndex].load(ordering: .acquiring)
                if current != 0 { return current }
                let page = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: Self.pageRows * rowWords)
                for index in 0..<(Self.pageRows * rowWords) { (page + index).initialize(to: Atomic(0)) }
                let fresh = Int(bitPattern: page)
                directory[pageIndex].store(fresh, ordering: .releasing)
                return fresh
            }
    }
}
