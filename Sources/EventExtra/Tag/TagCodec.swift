/// evtag's two number encodings, on plain bytes (no evbuffer here).
///
/// Tag: 7 bits per byte, least significant group first; a set high bit says
/// another byte follows. At most 5 bytes, and the fifth may carry 4 bits only
/// (the value is 32 bits wide).
///
/// Integer: the high nibble of the first byte is the count of significant
/// nibbles minus one; the nibbles follow least significant first, nibble k
/// (1-based) in byte k/2, low half when k is odd, high half when even. A
/// count n takes n/2 + 1 bytes; an unused last half is zero. Zero encodes as
/// the single byte 0x00.
enum TagCodec {
    /// Longest integer encoding (16 nibbles) and longest tag.
    static let maxIntBytes = 9
    static let maxTagBytes = 5

    /// Nine bytes of scratch for one encoded integer.
    typealias IntBytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
    static var zeroIntBytes: IntBytes { (0, 0, 0, 0, 0, 0, 0, 0, 0) }

    /// Writes the encoding of `value` into `out`; returns its length (1...9).
    static func encodeInt(_ value: UInt64, into out: inout IntBytes) -> Int {
        withUnsafeMutableBytes(of: &out) { encodeInt(value, to: $0.baseAddress!) }
    }

    /// Writes the encoding of `value` at `p` (room for 9 bytes); its length.
    /// Byte j >= 1 holds nibble 2j in its high half and nibble 2j+1 (or the
    /// zero padding) in its low half.
    @inline(__always)
    static func encodeInt(_ value: UInt64, to p: UnsafeMutableRawPointer) -> Int {
        let nibbles = (64 - value.leadingZeroBitCount + 3) >> 2
        let length = nibbles / 2 + 1
        let count = UInt64(nibbles == 0 ? 0 : nibbles - 1)
        p.storeBytes(of: UInt8(truncatingIfNeeded: count << 4 | value & 0xf), as: UInt8.self)
        var j = 1
        while j < length {
            let pair = value >> UInt64(8 * j - 4)   // nibble 2j in bits 0..3, 2j+1 in 4..7
            p.storeBytes(of: UInt8(truncatingIfNeeded: (pair & 0xf) << 4 | (pair >> 4) & 0xf),
                         toByteOffset: j, as: UInt8.self)
            j += 1
        }
        return length
    }

    /// Decodes an integer from the start of `bytes` (what the buffer holds
    /// from the integer on, possibly more). Integers wider than `maxNibbles`
    /// or longer than `bytes` are refused. Returns (value, encoded length).
    static func decodeInt(_ bytes: UnsafeRawBufferPointer, maxNibbles: Int) -> (value: UInt64, length: Int)? {
        guard bytes.count > 0 else { return nil }
        let first = bytes[0]
        let nibbles = Int(first >> 4) + 1
        let length = nibbles / 2 + 1
        guard nibbles <= maxNibbles, length <= bytes.count else { return nil }
        var value = UInt64(first & 0xf)
        var j = 1
        while j < length {
            let b = UInt64(bytes[j])
            value |= (b >> 4) << UInt64(8 * j - 4)
            if 2 * j + 1 <= nibbles { value |= (b & 0xf) << UInt64(8 * j) }
            j += 1
        }
        return (value, length)
    }

    /// Writes the tag's bytes into `out` (5 bytes); returns how many.
    static func encodeTag(_ tag: UInt32, into out: inout (UInt8, UInt8, UInt8, UInt8, UInt8)) -> Int {
        out = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &out) { raw in
            var t = tag
            var n = 0
            repeat {
                var b = UInt8(truncatingIfNeeded: t & 0x7f)
                t >>= 7
                if t != 0 { b |= 0x80 }
                raw[n] = b
                n += 1
            } while t != 0
            return n
        }
    }

    /// Decodes a tag from the start of `bytes`: (tag, encoded length), or nil
    /// when it does not end within the bytes or does not fit 32 bits.
    static func decodeTag(_ bytes: UnsafeRawBufferPointer) -> (tag: UInt32, length: Int)? {
        var tag: UInt32 = 0
        var i = 0
        while i < bytes.count && i < maxTagBytes {
            let b = bytes[i]
            let low = UInt32(b & 0x7f)
            // The fifth byte holds bits 28..31 only and must end the tag.
            if i == 4 && (low > 15 || b & 0x80 != 0) { return nil }
            tag |= low << UInt32(7 * i)
            i += 1
            if b & 0x80 == 0 { return (tag, i) }
        }
        return nil
    }
}
