/// Little-endian integers appended to, and read from, byte arrays (the log file's byte order).
enum LittleEndian {
    /// Appends `value` to `bytes` in little-endian order.
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Overwrites `bytes[offset ..< offset + size]` with `value` in little-endian order.
    @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { source in
            for position in 0..<source.count { bytes[offset + position] = source[position] }
        }
    }

    /// Reads a `T` at `offset` of `bytes` (which must hold it).
    @inline(__always)
    static func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, from bytes: UnsafeRawBufferPointer) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
