import CEventExtra

// libevent's internal http names that Debian's libevent_extra exports (its
// http-internal.h: used by libevent's own tests and evrpc). Thin, as the
// public shims; NULL arguments give nothing instead of a crash.

/// enum message_read_status of http-internal.h.
@inline(__always)
private func readStatus(_ r: HttpParseResult) -> Int32 {
    switch r {
    case .done: return 1          // ALL_DATA_READ
    case .more: return 0          // MORE_DATA_EXPECTED
    case .corrupted: return -1    // DATA_CORRUPTED
    case .tooLong: return -3      // DATA_TOO_LONG
    }
}

@_cdecl("evhttp_connection_connect_")
public func evhttp_connection_connect_(_ p: OpaquePointer?) -> Int32 {
    guard let p else { return -1 }
    return HttpConnection.from(p).connect()
}

@_cdecl("evhttp_connection_fail_")
public func evhttp_connection_fail_(_ p: OpaquePointer?, _ error: evhttp_request_error) {
    guard let p else { return }
    HttpConnection.from(p).fail(error)
}

@_cdecl("evhttp_connection_reset_")
public func evhttp_connection_reset_(_ p: OpaquePointer?) {
    guard let p else { return }
    HttpConnection.from(p).reset()
}

@_cdecl("evhttp_start_read_")
public func evhttp_start_read_(_ p: OpaquePointer?) {
    guard let p else { return }
    HttpConnection.from(p).startRead()
}

@_cdecl("evhttp_start_write_")
public func evhttp_start_write_(_ p: OpaquePointer?) {
    guard let p else { return }
    HttpConnection.from(p).startWrite()
}

@_cdecl("evhttp_response_code_")
public func evhttp_response_code_(_ r: UnsafeMutablePointer<evhttp_request>?, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
    guard let r else { return }
    HttpRequest.setResponseCode(r, code, reason)
}

@_cdecl("evhttp_send_page_")
public func evhttp_send_page_(_ r: UnsafeMutablePointer<evhttp_request>?, _ body: OpaquePointer?) {
    guard let r else { return }
    HttpReply.sendPage(r, body)
}

@_cdecl("evhttp_parse_firstline_")
public func evhttp_parse_firstline_(_ r: UnsafeMutablePointer<evhttp_request>?, _ buf: OpaquePointer?) -> Int32 {
    guard let r, let buf else { return -1 }
    let c = HttpRequest.connection(r)
    return readStatus(HttpParser.firstLine(r, buf, maxHeaders: c?.maxHeadersSize ?? Int.max,
                                           isKnownHost: { c?.knownHost($0) ?? true }))
}

@_cdecl("evhttp_parse_headers_")
public func evhttp_parse_headers_(_ r: UnsafeMutablePointer<evhttp_request>?, _ buf: OpaquePointer?) -> Int32 {
    guard let r, let buf else { return -1 }
    return readStatus(HttpParser.headers(r, buf, maxHeaders: HttpRequest.connection(r)?.maxHeadersSize ?? Int.max))
}

/// Decodes `length` bytes of `uri` into `ret` (room for length + 1) and
/// returns the decoded length; decodePlus 1: '+' is a space, 0: never, -1:
/// only after a '?'.
@_cdecl("evhttp_decode_uri_internal")
public func evhttp_decode_uri_internal(_ uri: UnsafePointer<CChar>?, _ length: Int,
                                       _ ret: UnsafeMutablePointer<CChar>?, _ decodePlus: Int32) -> Int32 {
    guard let uri, let ret, length >= 0 else { return -1 }
    let d = HttpEncoding.decode(UnsafeRawPointer(uri), length, plusMode: Int(decodePlus))
    d.withUnsafeBytes { if !$0.isEmpty { _ = memcpy(ret, $0.baseAddress!, $0.count) } }
    ret[d.count] = 0
    return Int32(truncatingIfNeeded: d.count)
}
