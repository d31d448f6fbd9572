import CEventExtra

// http.h / http_compat.h: servers, requests, connections. Thin: check
// arguments, call Http. Where libevent dereferences a NULL argument we
// return its error value instead.

public typealias HttpReqCb = @convention(c) (UnsafeMutablePointer<evhttp_request>?, UnsafeMutableRawPointer?) -> Void
public typealias HttpConnCb = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void

@inline(__always) private func srv(_ p: OpaquePointer?) -> HttpServer? { return p.map { HttpServer.from($0) } }
@inline(__always) private func con(_ p: OpaquePointer?) -> HttpConnection? { return p.map { HttpConnection.from($0) } }

// MARK: server

@_cdecl("evhttp_new")
public func evhttp_new(_ base: OpaquePointer?) -> OpaquePointer? {
    guard let s = Memory.build({ HttpServer(base: base) }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(s).toOpaque())
}

@_cdecl("evhttp_start")
public func evhttp_start(_ address: UnsafePointer<CChar>?, _ port: UInt16) -> OpaquePointer? {
    guard let s = Memory.build({ HttpServer(base: nil) }) else { return nil }
    let h = OpaquePointer(Unmanaged.passRetained(s).toOpaque())
    if s.bindSocket(address, port) == nil {
        s.free()
        return nil
    }
    return h
}

@_cdecl("evhttp_free")
public func evhttp_free(_ p: OpaquePointer?) {
    srv(p)?.free()
}

@_cdecl("evhttp_bind_socket")
public func evhttp_bind_socket(_ p: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: UInt16) -> Int32 {
    guard let s = srv(p) else { return -1 }
    return s.bindSocket(address, port) == nil ? -1 : 0
}

@_cdecl("evhttp_bind_socket_with_handle")
public func evhttp_bind_socket_with_handle(_ p: OpaquePointer?, _ address: UnsafePointer<CChar>?, _ port: UInt16) -> OpaquePointer? {
    return srv(p)?.bindSocket(address, port)?.handle
}

@_cdecl("evhttp_accept_socket")
public func evhttp_accept_socket(_ p: OpaquePointer?, _ fd: Int32) -> Int32 {
    guard let s = srv(p) else { return -1 }
    return s.acceptSocket(fd) == nil ? -1 : 0
}

@_cdecl("evhttp_accept_socket_with_handle")
public func evhttp_accept_socket_with_handle(_ p: OpaquePointer?, _ fd: Int32) -> OpaquePointer? {
    return srv(p)?.acceptSocket(fd)?.handle
}

@_cdecl("evhttp_bind_listener")
public func evhttp_bind_listener(_ p: OpaquePointer?, _ l: OpaquePointer?) -> OpaquePointer? {
    guard let l else { return nil }
    return srv(p)?.bindListener(l)?.handle
}

@_cdecl("evhttp_bound_socket_get_listener")
public func evhttp_bound_socket_get_listener(_ b: OpaquePointer?) -> OpaquePointer? {
    guard let b else { return nil }
    return HttpServer.Bound.from(b).listener
}

@_cdecl("evhttp_bound_socket_get_fd")
public func evhttp_bound_socket_get_fd(_ b: OpaquePointer?) -> Int32 {
    guard let b else { return -1 }
    return evconnlistener_get_fd(HttpServer.Bound.from(b).listener)
}

@_cdecl("evhttp_foreach_bound_socket")
public func evhttp_foreach_bound_socket(_ p: OpaquePointer?,
                                        _ fn: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void)?,
                                        _ arg: UnsafeMutableRawPointer?) {
    guard let s = srv(p), let fn else { return }
    for b in s.sockets { fn(b.handle, arg) }
}

@_cdecl("evhttp_del_accept_socket")
public func evhttp_del_accept_socket(_ p: OpaquePointer?, _ b: OpaquePointer?) {
    guard let s = srv(p), let b else { return }
    s.delSocket(HttpServer.Bound.from(b))
}

@_cdecl("evhttp_add_virtual_host")
public func evhttp_add_virtual_host(_ p: OpaquePointer?, _ pattern: UnsafePointer<CChar>?, _ v: OpaquePointer?) -> Int32 {
    guard let s = srv(p), let vh = srv(v), let pattern else { return -1 }
    if vh.vhostPattern != nil || !vh.sockets.isEmpty { return -1 }
    guard s.vhosts.reserveOneMore(), let copy = HttpBytes.dup(pattern) else { return -1 }
    vh.vhostPattern = copy
    s.vhosts.append(vh)
    return 0
}

@_cdecl("evhttp_remove_virtual_host")
public func evhttp_remove_virtual_host(_ p: OpaquePointer?, _ v: OpaquePointer?) -> Int32 {
    guard let s = srv(p), let vh = srv(v), vh.vhostPattern != nil else { return -1 }
    if let i = s.vhosts.firstIndex(where: { $0 === vh }) { s.vhosts.remove(at: i) }
    HMem.free(vh.vhostPattern)
    vh.vhostPattern = nil
    return 0
}

@_cdecl("evhttp_add_server_alias")
public func evhttp_add_server_alias(_ p: OpaquePointer?, _ alias: UnsafePointer<CChar>?) -> Int32 {
    guard let s = srv(p), let alias, s.aliases.reserveOneMore(), let copy = HttpBytes.dup(alias) else { return -1 }
    s.aliases.append(copy)
    return 0
}

@_cdecl("evhttp_remove_server_alias")
public func evhttp_remove_server_alias(_ p: OpaquePointer?, _ alias: UnsafePointer<CChar>?) -> Int32 {
    guard let s = srv(p), let alias else { return -1 }
    guard let i = s.aliases.firstIndex(where: { evutil_ascii_strcasecmp($0, alias) == 0 }) else { return -1 }
    HMem.free(s.aliases[i])
    s.aliases.remove(at: i)
    return 0
}

@_cdecl("evhttp_set_timeout")
public func evhttp_set_timeout(_ p: OpaquePointer?, _ secs: Int32) {
    guard let s = srv(p) else { return }
    s.timeout = secs == -1 ? timeval(tv_sec: 0, tv_usec: 0) : timeval(tv_sec: Int(secs), tv_usec: 0)
}

@_cdecl("evhttp_set_timeout_tv")
public func evhttp_set_timeout_tv(_ p: OpaquePointer?, _ tv: UnsafePointer<timeval>?) {
    guard let s = srv(p) else { return }
    s.timeout = tv?.pointee ?? timeval(tv_sec: 0, tv_usec: 0)
}

@_cdecl("evhttp_set_flags")
public func evhttp_set_flags(_ p: OpaquePointer?, _ flags: Int32) -> Int32 {
    guard let s = srv(p) else { return -1 }
    let avail: Int32 = 0x0001  // EVHTTP_SERVER_LINGERING_CLOSE
    if flags & ~avail != 0 { return 1 }
    s.flags = (s.flags & ~avail) | flags
    return 0
}

@_cdecl("evhttp_set_max_headers_size")
public func evhttp_set_max_headers_size(_ p: OpaquePointer?, _ n: Int) {
    guard let s = srv(p) else { return }
    s.maxHeadersSize = n < 0 ? Int.max : n
}

@_cdecl("evhttp_set_max_body_size")
public func evhttp_set_max_body_size(_ p: OpaquePointer?, _ n: Int) {
    guard let s = srv(p) else { return }
    s.maxBodySize = n < 0 ? UInt64.max : UInt64(n)
}

@_cdecl("evhttp_set_default_content_type")
public func evhttp_set_default_content_type(_ p: OpaquePointer?, _ ct: UnsafePointer<CChar>?) {
    srv(p)?.defaultContentType = ct
}

@_cdecl("evhttp_set_allowed_methods")
public func evhttp_set_allowed_methods(_ p: OpaquePointer?, _ m: UInt16) {
    srv(p)?.allowedMethods = m
}

@_cdecl("evhttp_set_cb")
public func evhttp_set_cb(_ p: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ cb: HttpConnCb?,
                          _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let s = srv(p), let path else { return -1 }
    if s.callbacks.contains(where: { strcmp($0.what, path) == 0 }) { return -1 }
    guard s.callbacks.reserveOneMore() else { return -2 }
    guard let copy = HttpBytes.dup(path) else { return -3 }
    s.callbacks.append(HttpServer.PathCb(what: copy, cb: cb, arg: arg))
    return 0
}

@_cdecl("evhttp_del_cb")
public func evhttp_del_cb(_ p: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guard let s = srv(p), let path else { return -1 }
    guard let i = s.callbacks.firstIndex(where: { strcmp($0.what, path) == 0 }) else { return -1 }
    HMem.free(s.callbacks[i].what)
    s.callbacks.remove(at: i)
    return 0
}

@_cdecl("evhttp_set_gencb")
public func evhttp_set_gencb(_ p: OpaquePointer?, _ cb: HttpConnCb?, _ arg: UnsafeMutableRawPointer?) {
    guard let s = srv(p) else { return }
    s.gencb = cb
    s.gencbArg = arg
}

@_cdecl("evhttp_set_bevcb")
public func evhttp_set_bevcb(_ p: OpaquePointer?, _ cb: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> UnsafeMutablePointer<bufferevent>?)?, _ arg: UnsafeMutableRawPointer?) {
    guard let s = srv(p) else { return }
    s.bevcb = cb
    s.bevcbArg = arg
}

// MARK: replies

@_cdecl("evhttp_send_error")
public func evhttp_send_error(_ r: UnsafeMutablePointer<evhttp_request>?, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
    guard let r else { return }
    HttpReply.sendError(r, code, reason)
}

@_cdecl("evhttp_send_reply")
public func evhttp_send_reply(_ r: UnsafeMutablePointer<evhttp_request>?, _ code: Int32,
                              _ reason: UnsafePointer<CChar>?, _ body: OpaquePointer?) {
    guard let r else { return }
    HttpReply.sendReply(r, code, reason, body)
}

@_cdecl("evhttp_send_reply_start")
public func evhttp_send_reply_start(_ r: UnsafeMutablePointer<evhttp_request>?, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
    guard let r else { return }
    HttpReply.replyStart(r, code, reason)
}

@_cdecl("evhttp_send_reply_chunk")
public func evhttp_send_reply_chunk(_ r: UnsafeMutablePointer<evhttp_request>?, _ body: OpaquePointer?) {
    guard let r, let body else { return }
    HttpReply.replyChunk(r, body, .nothing)
}

@_cdecl("evhttp_send_reply_chunk_with_cb")
public func evhttp_send_reply_chunk_with_cb(_ r: UnsafeMutablePointer<evhttp_request>?, _ body: OpaquePointer?,
                                            _ cb: HttpConnCb?, _ arg: UnsafeMutableRawPointer?) {
    guard let r, let body else { return }
    HttpReply.replyChunk(r, body, cb.map { .user($0, arg) } ?? .nothing)
}

@_cdecl("evhttp_send_reply_end")
public func evhttp_send_reply_end(_ r: UnsafeMutablePointer<evhttp_request>?) {
    guard let r else { return }
    HttpReply.replyEnd(r)
}

// MARK: requests

@_cdecl("evhttp_request_new")
public func evhttp_request_new(_ cb: HttpReqCb?, _ arg: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<evhttp_request>? {
    return HttpRequest.new(unsafeBitCast(cb, to: HReqCb?.self), arg)
}

@_cdecl("evhttp_request_free")
public func evhttp_request_free(_ r: UnsafeMutablePointer<evhttp_request>?) {
    guard let r else { return }
    HttpRequest.free(r)
}

@_cdecl("evhttp_request_own")
public func evhttp_request_own(_ r: UnsafeMutablePointer<evhttp_request>?) {
    r?.pointee.flags |= reqUserOwned
}

@_cdecl("evhttp_request_is_owned")
public func evhttp_request_is_owned(_ r: UnsafeMutablePointer<evhttp_request>?) -> Int32 {
    guard let r else { return 0 }
    return r.pointee.flags & reqUserOwned != 0 ? 1 : 0
}

@_cdecl("evhttp_request_get_connection")
public func evhttp_request_get_connection(_ r: UnsafeMutablePointer<evhttp_request>?) -> OpaquePointer? {
    return r?.pointee.evcon
}

@_cdecl("evhttp_request_set_chunked_cb")
public func evhttp_request_set_chunked_cb(_ r: UnsafeMutablePointer<evhttp_request>?, _ cb: HttpReqCb?) {
    r?.pointee.chunk_cb = cb
}

@_cdecl("evhttp_request_set_header_cb")
public func evhttp_request_set_header_cb(_ r: UnsafeMutablePointer<evhttp_request>?,
                                         _ cb: (@convention(c) (UnsafeMutablePointer<evhttp_request>?, UnsafeMutableRawPointer?) -> Int32)?) {
    r?.pointee.header_cb = cb
}

@_cdecl("evhttp_request_set_error_cb")
public func evhttp_request_set_error_cb(_ r: UnsafeMutablePointer<evhttp_request>?,
                                        _ cb: (@convention(c) (evhttp_request_error, UnsafeMutableRawPointer?) -> Void)?) {
    r?.pointee.error_cb = cb
}

@_cdecl("evhttp_request_set_on_complete_cb")
public func evhttp_request_set_on_complete_cb(_ r: UnsafeMutablePointer<evhttp_request>?, _ cb: HttpReqCb?,
                                              _ arg: UnsafeMutableRawPointer?) {
    guard let r else { return }
    r.pointee.on_complete_cb = cb
    r.pointee.on_complete_cb_arg = arg
}

@_cdecl("evhttp_request_get_uri")
public func evhttp_request_get_uri(_ r: UnsafePointer<evhttp_request>?) -> UnsafePointer<CChar>? {
    return r?.pointee.uri.map { UnsafePointer($0) }
}

@_cdecl("evhttp_request_get_evhttp_uri")
public func evhttp_request_get_evhttp_uri(_ r: UnsafePointer<evhttp_request>?) -> OpaquePointer? {
    return r?.pointee.uri_elems
}

@_cdecl("evhttp_request_get_host")
public func evhttp_request_get_host(_ r: UnsafeMutablePointer<evhttp_request>?) -> UnsafePointer<CChar>? {
    guard let r else { return nil }
    return HttpRequest.host(r)
}

@_cdecl("evhttp_request_get_command")
public func evhttp_request_get_command(_ r: UnsafePointer<evhttp_request>?) -> evhttp_cmd_type {
    return r?.pointee.type ?? evhttp_cmd_type(rawValue: 0)
}

@_cdecl("evhttp_request_get_response_code")
public func evhttp_request_get_response_code(_ r: UnsafePointer<evhttp_request>?) -> Int32 {
    return r?.pointee.response_code ?? 0
}

@_cdecl("evhttp_request_get_response_code_line")
public func evhttp_request_get_response_code_line(_ r: UnsafePointer<evhttp_request>?) -> UnsafePointer<CChar>? {
    return r?.pointee.response_code_line.map { UnsafePointer($0) }
}

@_cdecl("evhttp_request_get_input_headers")
public func evhttp_request_get_input_headers(_ r: UnsafeMutablePointer<evhttp_request>?) -> UnsafeMutablePointer<evkeyvalq>? {
    return r?.pointee.input_headers
}

@_cdecl("evhttp_request_get_output_headers")
public func evhttp_request_get_output_headers(_ r: UnsafeMutablePointer<evhttp_request>?) -> UnsafeMutablePointer<evkeyvalq>? {
    return r?.pointee.output_headers
}

@_cdecl("evhttp_request_get_input_buffer")
public func evhttp_request_get_input_buffer(_ r: UnsafeMutablePointer<evhttp_request>?) -> OpaquePointer? {
    return r?.pointee.input_buffer
}

@_cdecl("evhttp_request_get_output_buffer")
public func evhttp_request_get_output_buffer(_ r: UnsafeMutablePointer<evhttp_request>?) -> OpaquePointer? {
    return r?.pointee.output_buffer
}

// MARK: connections

@_cdecl("evhttp_connection_base_bufferevent_new")
public func evhttp_connection_base_bufferevent_new(_ base: OpaquePointer?, _ dns: OpaquePointer?,
                                                   _ bev: UnsafeMutablePointer<bufferevent>?,
                                                   _ address: UnsafePointer<CChar>?, _ port: UInt16) -> OpaquePointer? {
    return HttpConnection.create(base: base, dns: dns, bev: bev, address: address, port: port)?.handle
}

@_cdecl("evhttp_connection_base_new")
public func evhttp_connection_base_new(_ base: OpaquePointer?, _ dns: OpaquePointer?,
                                       _ address: UnsafePointer<CChar>?, _ port: UInt16) -> OpaquePointer? {
    return HttpConnection.create(base: base, dns: dns, bev: nil, address: address, port: port)?.handle
}

@_cdecl("evhttp_connection_new")
public func evhttp_connection_new(_ address: UnsafePointer<CChar>?, _ port: UInt16) -> OpaquePointer? {
    return HttpConnection.create(base: nil, dns: nil, bev: nil, address: address, port: port)?.handle
}

@_cdecl("evhttp_connection_set_base")
public func evhttp_connection_set_base(_ p: OpaquePointer?, _ base: OpaquePointer?) {
    guard let c = con(p), c.state == .disconnected else { return }
    c.base = base
    _ = bufferevent_base_set(base, c.bufev)
}

@_cdecl("evhttp_connection_get_bufferevent")
public func evhttp_connection_get_bufferevent(_ p: OpaquePointer?) -> UnsafeMutablePointer<bufferevent>? {
    return con(p)?.bufev
}

@_cdecl("evhttp_connection_get_server")
public func evhttp_connection_get_server(_ p: OpaquePointer?) -> OpaquePointer? {
    return con(p)?.server?.handle
}

@_cdecl("evhttp_connection_get_base")
public func evhttp_connection_get_base(_ p: OpaquePointer?) -> OpaquePointer? {
    return con(p)?.base
}

@_cdecl("evhttp_connection_free")
public func evhttp_connection_free(_ p: OpaquePointer?) {
    con(p)?.free()
}

@_cdecl("evhttp_connection_free_on_completion")
public func evhttp_connection_free_on_completion(_ p: OpaquePointer?) {
    con(p)?.flags |= HttpConnection.autoFree
}

@_cdecl("evhttp_connection_set_local_address")
public func evhttp_connection_set_local_address(_ p: OpaquePointer?, _ a: UnsafePointer<CChar>?) {
    guard let c = con(p), c.state == .disconnected else { return }
    HMem.free(c.bindAddress)
    c.bindAddress = a.flatMap { HttpBytes.dup($0) }
}

@_cdecl("evhttp_connection_set_local_port")
public func evhttp_connection_set_local_port(_ p: OpaquePointer?, _ port: UInt16) {
    guard let c = con(p), c.state == .disconnected else { return }
    c.bindPort = port
}

@_cdecl("evhttp_connection_set_timeout")
public func evhttp_connection_set_timeout(_ p: OpaquePointer?, _ secs: Int32) {
    guard let c = con(p) else { return }
    if secs == -1 {
        c.setTimeout(nil)
    } else {
        var tv = timeval(tv_sec: Int(secs), tv_usec: 0)
        c.setTimeout(&tv)
    }
}

@_cdecl("evhttp_connection_set_timeout_tv")
public func evhttp_connection_set_timeout_tv(_ p: OpaquePointer?, _ tv: UnsafePointer<timeval>?) {
    con(p)?.setTimeout(tv)
}

@_cdecl("evhttp_connection_set_initial_retry_tv")
public func evhttp_connection_set_initial_retry_tv(_ p: OpaquePointer?, _ tv: UnsafePointer<timeval>?) {
    guard let c = con(p) else { return }
    c.initialRetry = tv?.pointee ?? timeval(tv_sec: 2, tv_usec: 0)
}

@_cdecl("evhttp_connection_set_retries")
public func evhttp_connection_set_retries(_ p: OpaquePointer?, _ n: Int32) {
    con(p)?.retryMax = n
}

@_cdecl("evhttp_connection_set_closecb")
public func evhttp_connection_set_closecb(_ p: OpaquePointer?, _ cb: HttpConnCb?, _ arg: UnsafeMutableRawPointer?) {
    guard let c = con(p) else { return }
    c.closeCb = cb
    c.closeCbArg = arg
}

@_cdecl("evhttp_connection_get_peer")
public func evhttp_connection_get_peer(_ p: OpaquePointer?, _ address: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                       _ port: UnsafeMutablePointer<UInt16>?) {
    guard let c = con(p) else { return }
    address?.pointee = c.address
    port?.pointee = c.port
}

@_cdecl("evhttp_connection_get_addr")
public func evhttp_connection_get_addr(_ p: OpaquePointer?) -> UnsafePointer<sockaddr>? {
    guard let c = con(p), c.connectedAddrLen > 0 else { return nil }
    return withUnsafePointer(to: &c.connectedAddr) {
        UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self)
    }
}

@_cdecl("evhttp_connection_set_family")
public func evhttp_connection_set_family(_ p: OpaquePointer?, _ family: Int32) {
    con(p)?.family = family
}

@_cdecl("evhttp_connection_set_flags")
public func evhttp_connection_set_flags(_ p: OpaquePointer?, _ flags: Int32) -> Int32 {
    guard let c = con(p) else { return -1 }
    let avail = HttpConnection.reuseConnectedAddr | HttpConnection.readOnWriteError
    if flags & ~avail != 0 || flags > 0x100000 { return 1 }
    c.flags = (c.flags & ~avail) | flags
    return 0
}

@_cdecl("evhttp_connection_set_max_headers_size")
public func evhttp_connection_set_max_headers_size(_ p: OpaquePointer?, _ n: Int) {
    con(p)?.maxHeadersSize = n < 0 ? Int.max : n
}

@_cdecl("evhttp_connection_set_max_body_size")
public func evhttp_connection_set_max_body_size(_ p: OpaquePointer?, _ n: Int) {
    con(p)?.maxBodySize = n < 0 ? UInt64.max : UInt64(n)
}

@_cdecl("evhttp_make_request")
public func evhttp_make_request(_ p: OpaquePointer?, _ r: UnsafeMutablePointer<evhttp_request>?,
                                _ type: evhttp_cmd_type, _ uri: UnsafePointer<CChar>?) -> Int32 {
    guard let c = con(p), let r, let uri else { return -1 }
    return c.makeRequest(r, type, uri)
}

@_cdecl("evhttp_cancel_request")
public func evhttp_cancel_request(_ r: UnsafeMutablePointer<evhttp_request>?) {
    guard let r else { return }
    if let c = HttpRequest.connection(r) {
        c.cancel(r)
    } else {
        HttpRequest.freeAuto(r)
    }
}
