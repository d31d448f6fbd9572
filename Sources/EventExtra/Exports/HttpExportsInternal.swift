import CEventExtra

// libevent-internal evhttp names Debian's libevent_extra exports and that
// binaries built against libevent bind to (libevent's own regress program
// does: it parses messages by hand and fails connections on purpose).
// Signatures and return codes are libevent's: the parsers return its
// enum message_read_status (1 all read, 0 more expected, -1 corrupted,
// -3 too long); a request without a connection has no header size limit.

private func statusCode(_ r: HttpParseResult) -> Int32 {
    switch r {
    case .done: return 1
    case .more: return 0
    case .corrupted: return -1
    case .tooLong: return -3
    }
}

private func headerLimit(_ req: HReq) -> Int {
    guard let c = req.pointee.evcon else { return Int.max }
    return HttpConnection.from(c).maxHeadersSize
}

@_cdecl("evhttp_parse_firstline_")
public func evhttp_parse_firstline_(_ req: UnsafeMutablePointer<evhttp_request>?, _ buf: OpaquePointer?) -> Int32 {
    guard let req, buf != nil else { return -1 }
    let known: (UnsafePointer<CChar>) -> Bool = { h in
        guard let c = req.pointee.evcon else { return true }
        return HttpConnection.from(c).knownHost(h)
    }
    return statusCode(HttpParser.firstLine(req, buf, maxHeaders: headerLimit(req), isKnownHost: known))
}

@_cdecl("evhttp_parse_headers_")
public func evhttp_parse_headers_(_ req: UnsafeMutablePointer<evhttp_request>?, _ buf: OpaquePointer?) -> Int32 {
    guard let req, buf != nil else { return -1 }
    return statusCode(HttpParser.headers(req, buf, maxHeaders: headerLimit(req)))
}

/// Decodes `length` bytes of `uri` into `ret` (room for length + 1),
/// NUL-terminated; returns the decoded length. decodePlus: 1 always,
/// 0 never, -1 after a '?'.
@_cdecl("evhttp_decode_uri_internal")
public func evhttp_decode_uri_internal(_ uri: UnsafePointer<CChar>?, _ length: Int,
                                       _ ret: UnsafeMutablePointer<CChar>?, _ decodePlus: Int32) -> Int32 {
    guard let uri, let ret else { return -1 }
    let d = HttpEncoding.decode(UnsafeRawPointer(uri), length, plusMode: Int(decodePlus))
    let out = UnsafeMutableRawPointer(ret).assumingMemoryBound(to: UInt8.self)
    for i in 0..<d.count { out[i] = d[i] }
    out[d.count] = 0
    return Int32(truncatingIfNeeded: d.count)
}

@_cdecl("evhttp_connection_fail_")
public func evhttp_connection_fail_(_ evcon: OpaquePointer?, _ error: evhttp_request_error) {
    guard let evcon else { return }
    HttpConnection.from(evcon).fail(error)
}
