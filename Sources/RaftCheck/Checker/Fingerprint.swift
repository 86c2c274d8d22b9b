/// A 64-bit hash of a state's exact, canonical encoding. `0` is never a fingerprint (the
/// visited set uses it for an empty slot); `Fingerprint.make` maps a zero hash to `1`.
public typealias Fingerprint = UInt64

extension Fingerprint {
    /// `hash`, moved off the reserved value `0`.
    @inline(__always)
    public static func make(_ hash: UInt64) -> Fingerprint { hash == 0 ? 1 : hash }
}

/// The 64-bit hash behind fingerprints and interning: a multiply-fold over 64-bit words
/// (in the style of wyhash), stable across processes and runs.
///
/// Equal word sequences give equal hashes; distinct ones collide only by hash chance (the
/// length is hashed too, so a sequence and its zero-padded extension differ).
public enum WordHash {
    static let seed: UInt64 = 0xa076_1d64_78bd_642f
    static let secret1: UInt64 = 0xe703_7ed1_a0b4_28db
    static let secret2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    static let secret3: UInt64 = 0x5899_65cc_7537_4cc3

    /// The high and low halves of the full 128-bit product, folded.
    @inline(__always)
    public static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Mixes one more word into a running hash.
    @inline(__always)
    public static func combine(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        fold(hash ^ secret1, word ^ secret2)
    }

    /// The hash of a running value after `count` words.
    @inline(__always)
    public static func finish(_ hash: UInt64, count: Int) -> UInt64 {
        fold(hash ^ secret3, UInt64(truncatingIfNeeded: count) ^ seed)
    }

    /// Hash of 64-bit words.
    @inline(__always)
    public static func hash(_ words: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var hash = seed
        for word in words { hash = combine(hash, word) }
        return finish(hash, count: words.count)
    }

    /// Hash of 32-bit words, two at a time.
    @inline(__always)
    public static func hash(_ words: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var hash = seed
        var index = 0
        while index + 1 < words.count {
            hash = combine(hash, UInt64(words[index]) | UInt64(words[index + 1]) << 32)
            index += 2
        }
        if index < words.count { hash = combine(hash, UInt64(words[index])) }
        return finish(hash, count: words.count)
    }

    /// Hash of a sequence of 64-bit words.
    public static func hash(_ words: [UInt64]) -> UInt64 {
        words.withUnsafeBufferPointer { hash($0) }
    }

    /// Hash of a sequence of 32-bit words.
    public static func hash(_ words: [UInt32]) -> UInt64 {
        words.withUnsafeBufferPointer { hash($0) }
    }
}
