import CEventExtra

/// evtag on evbuffers (tag.h): tagged, length-prefixed items, encoded as
/// TagCodec describes. The buffer is reached through the core's public
/// evbuffer calls only. Decoders look at no more than the buffer holds (at
/// most 14 front bytes, made contiguous by evbuffer_pullup); what they
/// consume on failure, and what they return, is libevent's (the header of a
/// mismatched item is gone, for instance).
enum Tag {
    typealias Buf = OpaquePointer

    static let intNibbles = 8
    static let int64Nibbles = 16

    // MARK: reading the front of a buffer

    /// Runs `body` over up to `count` bytes at `offset` from the buffer's
    /// front (fewer when the buffer is shorter), made contiguous with
    /// evbuffer_pullup as libevent's decoders do (usually no copy at all).
    @inline(__always)
    static func peekFront<R>(_ buf: Buf, offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let want = min(offset + count, length(buf))
        guard want > offset, let p = evbuffer_pullup(buf, want) else {
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return body(UnsafeRawBufferPointer(start: UnsafeRawPointer(p) + offset, count: want - offset))
    }

    /// The tag at the front and its encoded length, or nil.
    static func frontTag(_ buf: Buf) -> (tag: UInt32, length: Int)? {
        peekFront(buf, offset: 0, count: TagCodec.maxTagBytes) { TagCodec.decodeTag($0) }
    }

    /// The integer `offset` bytes into the buffer and its encoded length.
    static func intAt(_ buf: Buf, offset: Int, maxNibbles: Int) -> (value: UInt64, length: Int)? {
        peekFront(buf, offset: offset, count: TagCodec.maxIntBytes) {
            TagCodec.decodeInt($0, maxNibbles: maxNibbles)
        }
    }

    static func length(_ buf: Buf) -> Int { evbuffer_get_length(buf) }

    // MARK: the exported number calls

    static func encodeTag(_ buf: Buf?, _ tag: UInt32) -> Int32 {
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
        let n = TagCodec.encodeTag(tag, into: &bytes)
        if let buf { _ = withUnsafeBytes(of: &bytes) { evbuffer_add(buf, $0.baseAddress, n) } }
        return Int32(n)
    }

    /// Tag off the front: its length in bytes, or -1.
    static func decodeTag(_ buf: Buf, drain: Bool, _ ptag: UnsafeMutablePointer<UInt32>?) -> Int32 {
        guard let (tag, n) = frontTag(buf) else { return -1 }
        if drain { evbuffer_drain(buf, n) }
        ptag?.pointee = tag
        return Int32(n)
    }

    static func encodeInt(_ buf: Buf, _ value: UInt64) {
        var bytes = TagCodec.zeroIntBytes
        let n = TagCodec.encodeInt(value, into: &bytes)
        _ = withUnsafeBytes(of: &bytes) { evbuffer_add(buf, $0.baseAddress, n) }
    }

    /// Integer off the front (drained): 0, or -1 leaving the buffer alone.
    static func decodeInt(_ buf: Buf, maxNibbles: Int) -> UInt64? {
        guard let (value, n) = intAt(buf, offset: 0, maxNibbles: maxNibbles) else { return nil }
        evbuffer_drain(buf, n)
        return value
    }

    // MARK: looking without consuming

    /// Whole item length (tag + length field + payload), wrapping as libevent's.
    static func peekLength(_ buf: Buf, _ plength: UnsafeMutablePointer<UInt32>?) -> Int32 {
        guard let (_, tagLen) = frontTag(buf),
              let (len, lenLen) = intAt(buf, offset: tagLen, maxNibbles: intNibbles) else { return -1 }
        plength?.pointee = UInt32(truncatingIfNeeded: len) &+ UInt32(lenLen) &+ UInt32(tagLen)
        return 0
    }

    static func payloadLength(_ buf: Buf, _ plength: UnsafeMutablePointer<UInt32>?) -> Int32 {
        guard let (_, tagLen) = frontTag(buf),
              let (len, _) = intAt(buf, offset: tagLen, maxNibbles: intNibbles) else { return -1 }
        plength?.pointee = UInt32(truncatingIfNeeded: len)
        return 0
    }

    // MARK: decoding items

    /// Consumes tag and length; the payload length when the buffer holds the
    /// whole payload, else -1 (what was decoded stays consumed).
    static func unmarshalHeader(_ buf: Buf, _ ptag: UnsafeMutablePointer<UInt32>?) -> Int32 {
        guard decodeTag(buf, drain: true, ptag) != -1,
              let len = decodeInt(buf, maxNibbles: intNibbles),
              UInt64(length(buf)) >= len else { return -1 }
        // A payload of 2 GiB or more: libevent's int result turns negative.
        return Int32(truncatingIfNeeded: len)
    }

    static func consume(_ buf: Buf) -> Int32 {
        let len = unmarshalHeader(buf, nil)
        guard len >= 0 else { return -1 }
        evbuffer_drain(buf, Int(len))
        return 0
    }

    /// Moves the next item's payload to `dst`; its length, or -1.
    static func unmarshal(_ src: Buf, _ ptag: UnsafeMutablePointer<UInt32>?, _ dst: Buf) -> Int32 {
        let len = unmarshalHeader(src, ptag)
        guard len >= 0 else { return -1 }
        if len > 0 {
            guard let p = evbuffer_pullup(src, Int(len)), evbuffer_add(dst, p, Int(len)) != -1 else { return -1 }
            evbuffer_drain(src, Int(len))
        }
        return len
    }

    /// An integer item: the integer's encoded length, or -1. As libevent's,
    /// the integer is read from the payload's start even when its encoding
    /// runs past the payload (that is then an error, the value still stored);
    /// the item is consumed once its header was good.
    static func unmarshalInt(_ buf: Buf, _ needTag: UInt32, maxNibbles: Int, _ store: (UInt64) -> Void) -> Int32 {
        var tag: UInt32 = 0
        guard decodeTag(buf, drain: true, &tag) != -1, tag == needTag,
              let len = decodeInt(buf, maxNibbles: intNibbles),
              UInt64(length(buf)) >= len else { return -1 }
        let found = intAt(buf, offset: 0, maxNibbles: maxNibbles)
        if let found { store(found.value) }
        evbuffer_drain(buf, Int(len))
        guard let found, UInt64(found.length) <= len else { return -1 }
        return Int32(found.length)
    }

    static func unmarshalFixed(_ src: Buf, _ needTag: UInt32, _ data: UnsafeMutableRawPointer?, _ size: Int) -> Int32 {
        var tag: UInt32 = 0
        let len = unmarshalHeader(src, &tag)
        guard len >= 0, tag == needTag, Int(len) == size else { return -1 }
        if let data {
            _ = evbuffer_remove(src, data, size)
        } else {
            evbuffer_drain(src, size)
        }
        return 0
    }

    static func unmarshalString(_ buf: Buf, _ needTag: UInt32, _ pstring: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        var tag: UInt32 = 0
        let len = unmarshalHeader(buf, &tag)
        guard len >= 0, tag == needTag else { return -1 }
        let n = Int(len)
        guard let p = Memory.malloc(n + 1) else {
            pstring?.pointee = nil
            Log.warnErrno("evtag_unmarshal_string: malloc")
            return -1
        }
        _ = evbuffer_remove(buf, p, n)
        p.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
        if let pstring {
            pstring.pointee = p.assumingMemoryBound(to: CChar.self)
        } else {
            Memory.free(p)
        }
        return 0
    }

    /// Seconds then microseconds, each a 32-bit integer; the item is consumed
    /// whenever its header was good.
    static func unmarshalTimeval(_ buf: Buf, _ needTag: UInt32, _ ptv: UnsafeMutablePointer<timeval>?) -> Int32 {
        var tag: UInt32 = 0
        let len = unmarshalHeader(buf, &tag)
        guard len >= 0 else { return -1 }
        defer { evbuffer_drain(buf, Int(len)) }
        guard tag == needTag, let (sec, secLen) = intAt(buf, offset: 0, maxNibbles: intNibbles) else { return -1 }
        ptv?.pointee.tv_sec = Int(sec)
        guard let (usec, usecLen) = intAt(buf, offset: secLen, maxNibbles: intNibbles) else { return -1 }
        ptv?.pointee.tv_usec = Int(usec)
        return secLen + usecLen > Int(len) ? -1 : 0
    }

    // MARK: encoding items

    static func marshal(_ buf: Buf, _ tag: UInt32, _ data: UnsafeRawPointer?, _ len: UInt32) {
        _ = encodeTag(buf, tag)
        encodeInt(buf, UInt64(len))
        if len > 0 { _ = evbuffer_add(buf, data, Int(len)) }
    }

    static func marshalBuffer(_ buf: Buf, _ tag: UInt32, _ data: Buf) {
        _ = encodeTag(buf, tag)
        encodeInt(buf, UInt64(UInt32(truncatingIfNeeded: length(data))))
        _ = evbuffer_add_buffer(buf, data)
    }

    static func marshalInt(_ buf: Buf, _ tag: UInt32, _ value: UInt64) {
        var bytes = TagCodec.zeroIntBytes
        let n = TagCodec.encodeInt(value, into: &bytes)
        _ = encodeTag(buf, tag)
        encodeInt(buf, UInt64(n))
        _ = withUnsafeBytes(of: &bytes) { evbuffer_add(buf, $0.baseAddress, n) }
    }

    /// Both fields as 32-bit integers (libevent truncates them the same way).
    static func marshalTimeval(_ buf: Buf, _ tag: UInt32, _ tv: timeval) {
        var sec = TagCodec.zeroIntBytes, usec = TagCodec.zeroIntBytes
        let ns = TagCodec.encodeInt(UInt64(UInt32(truncatingIfNeeded: tv.tv_sec)), into: &sec)
        let nu = TagCodec.encodeInt(UInt64(UInt32(truncatingIfNeeded: tv.tv_usec)), into: &usec)
        var both: (TagCodec.IntBytes, TagCodec.IntBytes) = (TagCodec.zeroIntBytes, TagCodec.zeroIntBytes)
        withUnsafeMutableBytes(of: &both) { out in
            withUnsafeBytes(of: &sec) { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: ns) }
            withUnsafeBytes(of: &usec) { (out.baseAddress! + ns).copyMemory(from: $0.baseAddress!, byteCount: nu) }
            marshal(buf, tag, UnsafeRawPointer(out.baseAddress), UInt32(ns + nu))
        }
    }
}

extension Tag {
    /// The buffer, or nil having logged the NULL (libevent would crash).
    @inline(__always)
    static func buffer(_ p: OpaquePointer?, _ fn: StaticString) -> Buf? {
        if let p { return p }
        nullArgument(fn)
        return nil
    }

    @inline(never)
    static func nullArgument(_ fn: StaticString) {
        Log.warnx("\(fn): NULL argument")
    }
}
