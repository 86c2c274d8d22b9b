import CZlib

/// CRC-32 (the IEEE polynomial, as in gzip and zip) computed by zlib's `crc32`.
enum CRC32 {
    /// The CRC of `bytes`, continuing from `crc` (start with 0).
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        precondition(bytes.count <= Int(UInt32.max), "crc32 takes at most 4 GiB at once")
        let result = CZlib.crc32(uLong(crc), base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count))
        return UInt32(truncatingIfNeeded: result)
    }

    /// The CRC of an array of bytes.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
