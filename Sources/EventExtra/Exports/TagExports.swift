import CEventExtra

// tag.h (tag_compat.h is macros over these). Thin: check arguments, call
// Tag. libevent crashes on a NULL buffer or output pointer; we log and fail
// (-1, or nothing written for the void encoders).

@_cdecl("evtag_init")
public func evtag_init() {}

@_cdecl("evtag_encode_tag")
public func evtag_encode_tag(_ evbuf: OpaquePointer?, _ tag: UInt32) -> Int32 {
    Tag.encodeTag(evbuf, tag)
}

@_cdecl("evtag_decode_tag")
public func evtag_decode_tag(_ ptag: UnsafeMutablePointer<UInt32>?, _ evbuf: OpaquePointer?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_decode_tag") else { return -1 }
    return Tag.decodeTag(b, drain: true, ptag)
}

@_cdecl("evtag_encode_int")
public func evtag_encode_int(_ evbuf: OpaquePointer?, _ number: UInt32) {
    guard let b = Tag.buffer(evbuf, "evtag_encode_int") else { return }
    Tag.encodeInt(b, UInt64(number))
}

@_cdecl("evtag_encode_int64")
public func evtag_encode_int64(_ evbuf: OpaquePointer?, _ number: UInt64) {
    guard let b = Tag.buffer(evbuf, "evtag_encode_int64") else { return }
    Tag.encodeInt(b, number)
}

@_cdecl("evtag_decode_int")
public func evtag_decode_int(_ pnumber: UnsafeMutablePointer<UInt32>?, _ evbuf: OpaquePointer?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_decode_int"),
          let v = Tag.decodeInt(b, maxNibbles: Tag.intNibbles) else { return -1 }
    pnumber?.pointee = UInt32(truncatingIfNeeded: v)
    return 0
}

@_cdecl("evtag_decode_int64")
public func evtag_decode_int64(_ pnumber: UnsafeMutablePointer<UInt64>?, _ evbuf: OpaquePointer?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_decode_int64"),
          let v = Tag.decodeInt(b, maxNibbles: Tag.int64Nibbles) else { return -1 }
    pnumber?.pointee = v
    return 0
}

@_cdecl("evtag_unmarshal_header")
public func evtag_unmarshal_header(_ evbuf: OpaquePointer?, _ ptag: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_unmarshal_header") else { return -1 }
    return Tag.unmarshalHeader(b, ptag)
}

@_cdecl("evtag_marshal")
public func evtag_marshal(_ evbuf: OpaquePointer?, _ tag: UInt32, _ data: UnsafeRawPointer?, _ len: UInt32) {
    guard let b = Tag.buffer(evbuf, "evtag_marshal") else { return }
    if data == nil && len > 0 { return Tag.nullArgument("evtag_marshal") }
    Tag.marshal(b, tag, data, len)
}

@_cdecl("evtag_marshal_buffer")
public func evtag_marshal_buffer(_ evbuf: OpaquePointer?, _ tag: UInt32, _ data: OpaquePointer?) {
    guard let b = Tag.buffer(evbuf, "evtag_marshal_buffer"),
          let d = Tag.buffer(data, "evtag_marshal_buffer") else { return }
    Tag.marshalBuffer(b, tag, d)
}

@_cdecl("evtag_marshal_int")
public func evtag_marshal_int(_ evbuf: OpaquePointer?, _ tag: UInt32, _ integer: UInt32) {
    guard let b = Tag.buffer(evbuf, "evtag_marshal_int") else { return }
    Tag.marshalInt(b, tag, UInt64(integer))
}

@_cdecl("evtag_marshal_int64")
public func evtag_marshal_int64(_ evbuf: OpaquePointer?, _ tag: UInt32, _ integer: UInt64) {
    guard let b = Tag.buffer(evbuf, "evtag_marshal_int64") else { return }
    Tag.marshalInt(b, tag, integer)
}

@_cdecl("evtag_marshal_string")
public func evtag_marshal_string(_ buf: OpaquePointer?, _ tag: UInt32, _ string: UnsafePointer<CChar>?) {
    guard let b = Tag.buffer(buf, "evtag_marshal_string") else { return }
    guard let string else { return Tag.nullArgument("evtag_marshal_string") }
    Tag.marshal(b, tag, UnsafeRawPointer(string), UInt32(truncatingIfNeeded: strlen(string)))
}

@_cdecl("evtag_marshal_timeval")
public func evtag_marshal_timeval(_ evbuf: OpaquePointer?, _ tag: UInt32, _ tv: UnsafeMutablePointer<timeval>?) {
    guard let b = Tag.buffer(evbuf, "evtag_marshal_timeval") else { return }
    guard let tv else { return Tag.nullArgument("evtag_marshal_timeval") }
    Tag.marshalTimeval(b, tag, tv.pointee)
}

@_cdecl("evtag_unmarshal")
public func evtag_unmarshal(_ src: OpaquePointer?, _ ptag: UnsafeMutablePointer<UInt32>?, _ dst: OpaquePointer?) -> Int32 {
    guard let s = Tag.buffer(src, "evtag_unmarshal"), let d = Tag.buffer(dst, "evtag_unmarshal") else { return -1 }
    return Tag.unmarshal(s, ptag, d)
}

@_cdecl("evtag_peek")
public func evtag_peek(_ evbuf: OpaquePointer?, _ ptag: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_peek") else { return -1 }
    return Tag.decodeTag(b, drain: false, ptag)
}

@_cdecl("evtag_peek_length")
public func evtag_peek_length(_ evbuf: OpaquePointer?, _ plength: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_peek_length") else { return -1 }
    return Tag.peekLength(b, plength)
}

@_cdecl("evtag_payload_length")
public func evtag_payload_length(_ evbuf: OpaquePointer?, _ plength: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_payload_length") else { return -1 }
    return Tag.payloadLength(b, plength)
}

@_cdecl("evtag_consume")
public func evtag_consume(_ evbuf: OpaquePointer?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_consume") else { return -1 }
    return Tag.consume(b)
}

@_cdecl("evtag_unmarshal_int")
public func evtag_unmarshal_int(_ evbuf: OpaquePointer?, _ needTag: UInt32, _ pinteger: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_unmarshal_int") else { return -1 }
    return Tag.unmarshalInt(b, needTag, maxNibbles: Tag.intNibbles) { pinteger?.pointee = UInt32(truncatingIfNeeded: $0) }
}

@_cdecl("evtag_unmarshal_int64")
public func evtag_unmarshal_int64(_ evbuf: OpaquePointer?, _ needTag: UInt32, _ pinteger: UnsafeMutablePointer<UInt64>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_unmarshal_int64") else { return -1 }
    return Tag.unmarshalInt(b, needTag, maxNibbles: Tag.int64Nibbles) { pinteger?.pointee = $0 }
}

@_cdecl("evtag_unmarshal_fixed")
public func evtag_unmarshal_fixed(_ src: OpaquePointer?, _ needTag: UInt32, _ data: UnsafeMutableRawPointer?, _ len: Int) -> Int32 {
    guard let b = Tag.buffer(src, "evtag_unmarshal_fixed") else { return -1 }
    return Tag.unmarshalFixed(b, needTag, data, len)
}

@_cdecl("evtag_unmarshal_string")
public func evtag_unmarshal_string(_ evbuf: OpaquePointer?, _ needTag: UInt32, _ pstring: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_unmarshal_string") else { return -1 }
    return Tag.unmarshalString(b, needTag, pstring)
}

@_cdecl("evtag_unmarshal_timeval")
public func evtag_unmarshal_timeval(_ evbuf: OpaquePointer?, _ needTag: UInt32, _ ptv: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let b = Tag.buffer(evbuf, "evtag_unmarshal_timeval") else { return -1 }
    return Tag.unmarshalTimeval(b, needTag, ptv)
}
