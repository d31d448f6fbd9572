import CEventTls

// bufferevent_ssl.h. Creation follows libevent's rules (an SSL that already
// has a socket BIO gives the fd; a filter talks through a BIO over the
// underlying bufferevent); where libevent would crash (NULL SSL, NULL
// bufferevent) we log and fail.

/// Shared by both constructors: the bufferevent, the output callback, the
/// state's callbacks, and what starts enabled.
private func newTls(_ base: OpaquePointer?, _ under: BevPtr?, _ fd: Int32, _ ssl: OpaquePointer,
                    _ state: UInt32, _ options: Int32) -> BevPtr? {
    if under != nil && fd >= 0 { return nil }
    let mark = cev_alloc_failure_count()
    let t = Tls(ssl: ssl, under: under, state: state, options: options)
    let ctx = Unmanaged.passRetained(t).toOpaque()
    if cev_alloc_failure_count() != mark {
        // Out of memory: the object lives in the reserve; give up now.
        Unmanaged<Tls>.fromOpaque(ctx).release()
        return nil
    }
    var offset = 0
    guard let bev = bufferevent_init_common_(base, cevtls_ops_ptr(), options & ~BevOpt.threadsafe, ctx, &offset) else {
        Unmanaged<Tls>.fromOpaque(ctx).release()
        return nil
    }
    contextOffset = offset
    t.bev = bev
    cevtls_set_moving_buffer(ssl)
    t.outputEntry = evbuffer_add_cb(bev.pointee.output, outputCallback, UnsafeMutableRawPointer(bev))
    if t.outputEntry == nil { return fail(t, bev) }
    if options & BevOpt.threadsafe != 0 { _ = bufferevent_enable_locking_(bev, nil) }
    if let u = under {
        bufferevent_init_generic_timeout_cbs_(bev)
        bufferevent_incref(u)
    }
    t.lastWrite = -1
    t.resetCounts()
    var r: Int32
    switch state {
    case TlsState.accepting:
        SSL_set_accept_state(ssl)
        r = t.setHandshakeCallbacks(fd)
    case TlsState.connecting:
        SSL_set_connect_state(ssl)
        r = t.setHandshakeCallbacks(fd)
    case TlsState.open:
        r = t.setOpenCallbacks(fd)
    default:
        r = -1
    }
    if r < 0 { return fail(t, bev) }
    if let u = under {
        bufferevent_setwatermark(u, EV.read, 0, 0)
        _ = bufferevent_enable(u, EV.read | EV.write)
        if state == TlsState.open { bufferevent_suspend_read_(u, suspendFilterRead) }
    } else {
        // (enabled stays the core's EV_WRITE, as libevent 2.1.12 leaves it.)
        if t.fdIsSet {
            if state != TlsState.open && event_add(&bev.pointee.ev_read, nil) < 0 { return fail(t, bev) }
            if event_add(&bev.pointee.ev_write, nil) < 0 { return fail(t, bev) }
        }
    }
    return bev
}

/// Creation failed after the bufferevent existed: take it apart leaving
/// the SSL, the fd and the underlying bufferevent to the caller (libevent
/// would free the SSL it then reports as not taken).
private func fail(_ t: Tls, _ bev: BevPtr) -> BevPtr? {
    t.options &= ~BevOpt.closeOnFree
    if let u = t.under {
        if let cb = u.pointee.errorcb,
           unsafeBitCast(cb, to: UnsafeRawPointer.self) == unsafeBitCast(underEventCallback, to: UnsafeRawPointer.self) {
            bufferevent_setcb(u, nil, nil, nil, nil)
        }
        t.under = nil
        bufferevent_decref(u)
    }
    bufferevent_free(bev)
    return nil
}

@_cdecl("bufferevent_openssl_filter_new")
public func bufferevent_openssl_filter_new(_ base: OpaquePointer?, _ under: BevPtr?, _ ssl: OpaquePointer?,
                                           _ state: bufferevent_ssl_state, _ options: Int32) -> BevPtr? {
    guard let under else { return nil }
    guard let ssl else {
        warn("bufferevent_openssl_filter_new: NULL SSL")
        return nil
    }
    guard let bio = newBufferEventBio(under) else { return nil }
    SSL_set_bio(ssl, bio, bio)
    return newTls(base, under, -1, ssl, state.rawValue, options)
}

@_cdecl("bufferevent_openssl_socket_new")
public func bufferevent_openssl_socket_new(_ base: OpaquePointer?, _ fd: Int32, _ ssl: OpaquePointer?,
                                           _ state: bufferevent_ssl_state, _ options: Int32) -> BevPtr? {
    guard let ssl else {
        warn("bufferevent_openssl_socket_new: NULL SSL")
        return nil
    }
    var fd = fd
    let bio = SSL_get_wbio(ssl)
    let have = bio.map { cevtls_bio_get_fd($0) } ?? -1
    if have >= 0, let bio {
        // The SSL already has a socket: that is the fd.
        if fd < 0 {
            fd = Int32(truncatingIfNeeded: have)
        } else if Int(have) != Int(fd) {
            return nil
        }
        cevtls_bio_set_noclose(bio)
    } else if fd >= 0 {
        guard let b = BIO_new_socket(fd, BIO_NOCLOSE) else { return nil }
        SSL_set_bio(ssl, b, b)
    }
    return newTls(base, nil, fd, ssl, state.rawValue, options)
}

@_cdecl("bufferevent_openssl_get_ssl")
public func bufferevent_openssl_get_ssl(_ p: BevPtr?) -> OpaquePointer? {
    Tls.of(p)?.ssl
}

/// A new handshake. As libevent 2.1.12: only a negative SSL_renegotiate
/// fails; on TLS 1.3 (OpenSSL refuses with 0) the handshake step that
/// follows finds the handshake done and reports CONNECTED again.
@_cdecl("bufferevent_ssl_renegotiate")
public func bufferevent_ssl_renegotiate(_ p: BevPtr?) -> Int32 {
    guard let p, let t = Tls.of(p) else { return -1 }
    bufferevent_lock(p)
    defer { bufferevent_unlock(p) }
    // OpenSSL refuses on TLS 1.3 (0, with an error queued that would make
    // the next handshake step look failed): drop that error.
    ERR_set_mark()
    let started = SSL_renegotiate(t.ssl)
    if started < 0 { return -1 }
    if started == 0 { ERR_pop_to_mark() } else { ERR_clear_last_mark() }
    t.state = TlsState.connecting
    if t.setHandshakeCallbacks(-1, start: false) < 0 { return -1 }
    if t.under == nil { return t.doHandshake() }
    // A filter takes the step from the underlying bufferevent's next
    // callback, as libevent 2.1.12 shows; a real renegotiation (TLS 1.2)
    // sends its hello now (libevent's stalls on a quiet connection).
    if started == 1 { _ = t.doHandshake() }
    return 0
}

@_cdecl("bufferevent_openssl_get_allow_dirty_shutdown")
public func bufferevent_openssl_get_allow_dirty_shutdown(_ p: BevPtr?) -> Int32 {
    guard let p, let t = Tls.of(p) else { return -1 }
    bufferevent_lock(p)
    defer { bufferevent_unlock(p) }
    return t.allowDirtyShutdown ? 1 : 0
}

@_cdecl("bufferevent_openssl_set_allow_dirty_shutdown")
public func bufferevent_openssl_set_allow_dirty_shutdown(_ p: BevPtr?, _ allow: Int32) {
    guard let p, let t = Tls.of(p) else { return }
    bufferevent_lock(p)
    t.allowDirtyShutdown = allow != 0
    bufferevent_unlock(p)
}

/// The OpenSSL errors of the last failure, most recent first; 0 when none.
@_cdecl("bufferevent_get_openssl_error")
public func bufferevent_get_openssl_error(_ p: BevPtr?) -> UInt {
    guard let p, let t = Tls.of(p) else { return 0 }
    bufferevent_lock(p)
    defer { bufferevent_unlock(p) }
    return t.popError()
}
