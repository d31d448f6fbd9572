import CEventExtra

// http.h: headers, URIs and encodings. Thin: check arguments, call Http.
// Where libevent dereferences a NULL argument we return its error value.

@_cdecl("evhttp_find_header")
public func evhttp_find_header(_ q: UnsafePointer<evkeyvalq>?, _ key: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    guard let q, let key else { return nil }
    return HttpHeaders.find(q, key)
}

@_cdecl("evhttp_remove_header")
public func evhttp_remove_header(_ q: UnsafeMutablePointer<evkeyvalq>?, _ key: UnsafePointer<CChar>?) -> Int32 {
    guard let q, let key else { return -1 }
    return HttpHeaders.remove(q, key)
}

@_cdecl("evhttp_add_header")
public func evhttp_add_header(_ q: UnsafeMutablePointer<evkeyvalq>?, _ key: UnsafePointer<CChar>?,
                              _ value: UnsafePointer<CChar>?) -> Int32 {
    guard let q, let key, let value else { return -1 }
    return HttpHeaders.add(q, key, value)
}

@_cdecl("evhttp_clear_headers")
public func evhttp_clear_headers(_ q: UnsafeMutablePointer<evkeyvalq>?) {
    guard let q else { return }
    HttpHeaders.clear(q)
}

@_cdecl("evhttp_encode_uri")
public func evhttp_encode_uri(_ s: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    return evhttp_uriencode(s, -1, 0)
}

@_cdecl("evhttp_uriencode")
public func evhttp_uriencode(_ s: UnsafePointer<CChar>?, _ len: Int, _ spaceAsPlus: Int32) -> UnsafeMutablePointer<CChar>? {
    guard let s else { return nil }
    let n = len >= 0 ? len : strlen(s)
    if len < 0 && n >= Int.max { return nil }
    return HttpBytes.dup(HttpEncoding.encode(UnsafeRawPointer(s), n, spaceAsPlus: spaceAsPlus != 0))
}

@_cdecl("evhttp_decode_uri")
public func evhttp_decode_uri(_ s: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let s else { return nil }
    return HttpBytes.dup(HttpEncoding.decode(UnsafeRawPointer(s), strlen(s), plusMode: -1))
}

@_cdecl("evhttp_uridecode")
public func evhttp_uridecode(_ s: UnsafePointer<CChar>?, _ decodePlus: Int32,
                             _ sizeOut: UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<CChar>? {
    guard let s else { return nil }
    let d = HttpEncoding.decode(UnsafeRawPointer(s), strlen(s), plusMode: decodePlus != 0 ? 1 : 0)
    guard let r = HttpBytes.dup(d) else { return nil }
    sizeOut?.pointee = d.count
    return r
}

@_cdecl("evhttp_htmlescape")
public func evhttp_htmlescape(_ s: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let s else { return nil }
    return HttpEncoding.htmlEscape(s)
}

@_cdecl("evhttp_parse_query")
public func evhttp_parse_query(_ uri: UnsafePointer<CChar>?, _ q: UnsafeMutablePointer<evkeyvalq>?) -> Int32 {
    guard let q else { return -1 }
    guard let uri else { HttpHeaders.initList(q); return -1 }
    return HttpEncoding.parseQuery(uri, q, wholeUri: true)
}

@_cdecl("evhttp_parse_query_str")
public func evhttp_parse_query_str(_ s: UnsafePointer<CChar>?, _ q: UnsafeMutablePointer<evkeyvalq>?) -> Int32 {
    guard let q else { return -1 }
    guard let s else { HttpHeaders.initList(q); return 0 }
    return HttpEncoding.parseQuery(s, q, wholeUri: false)
}

// evhttp_uri

@_cdecl("evhttp_uri_new")
public func evhttp_uri_new() -> OpaquePointer? {
    return Memory.build({ HttpUri() })?.handOut()
}

@_cdecl("evhttp_uri_set_flags")
public func evhttp_uri_set_flags(_ u: OpaquePointer?, _ flags: UInt32) {
    guard let u else { return }
    HttpUri.from(u).flags = flags
}

@_cdecl("evhttp_uri_parse_with_flags")
public func evhttp_uri_parse_with_flags(_ s: UnsafePointer<CChar>?, _ flags: UInt32) -> OpaquePointer? {
    guard let s else { return nil }
    return HttpUri.parse(HttpBytes.array(s), flags: flags)?.handOut()
}

@_cdecl("evhttp_uri_parse")
public func evhttp_uri_parse(_ s: UnsafePointer<CChar>?) -> OpaquePointer? {
    return evhttp_uri_parse_with_flags(s, 0)
}

@_cdecl("evhttp_uri_free")
public func evhttp_uri_free(_ u: OpaquePointer?) {
    guard let u else { return }
    HttpUri.release(u)
}

@_cdecl("evhttp_uri_join")
public func evhttp_uri_join(_ u: OpaquePointer?, _ buf: UnsafeMutablePointer<CChar>?, _ limit: Int) -> UnsafeMutablePointer<CChar>? {
    guard let u, let buf, limit > 0 else { return nil }
    return HttpUri.from(u).join(buf, limit)
}

@_cdecl("evhttp_uri_get_scheme")
public func evhttp_uri_get_scheme(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).scheme.map { UnsafePointer($0) }
}
@_cdecl("evhttp_uri_get_userinfo")
public func evhttp_uri_get_userinfo(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).userinfo.map { UnsafePointer($0) }
}
@_cdecl("evhttp_uri_get_host")
public func evhttp_uri_get_host(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).host.map { UnsafePointer($0) }
}
@_cdecl("evhttp_uri_get_port")
public func evhttp_uri_get_port(_ u: OpaquePointer?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).port
}
@_cdecl("evhttp_uri_get_path")
public func evhttp_uri_get_path(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).path.map { UnsafePointer($0) }
}
@_cdecl("evhttp_uri_get_query")
public func evhttp_uri_get_query(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).query.map { UnsafePointer($0) }
}
@_cdecl("evhttp_uri_get_fragment")
public func evhttp_uri_get_fragment(_ u: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let u else { return nil }
    return HttpUri.from(u).fragment.map { UnsafePointer($0) }
}

@_cdecl("evhttp_uri_set_scheme")
public func evhttp_uri_set_scheme(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setScheme(v)
}
@_cdecl("evhttp_uri_set_userinfo")
public func evhttp_uri_set_userinfo(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setUserinfo(v)
}
@_cdecl("evhttp_uri_set_host")
public func evhttp_uri_set_host(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setHost(v)
}
@_cdecl("evhttp_uri_set_port")
public func evhttp_uri_set_port(_ u: OpaquePointer?, _ port: Int32) -> Int32 {
    guard let u, port >= -1 else { return -1 }
    HttpUri.from(u).port = port
    return 0
}
@_cdecl("evhttp_uri_set_path")
public func evhttp_uri_set_path(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setPart(v, .path)
}
@_cdecl("evhttp_uri_set_query")
public func evhttp_uri_set_query(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setPart(v, .query)
}
@_cdecl("evhttp_uri_set_fragment")
public func evhttp_uri_set_fragment(_ u: OpaquePointer?, _ v: UnsafePointer<CChar>?) -> Int32 {
    guard let u else { return -1 }
    return HttpUri.from(u).setPart(v, .fragment)
}
