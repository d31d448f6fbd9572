import CEventTls

// The entries of the kind table (cevtls_ops, tls_shim.c), the event and
// underlying-bufferevent callbacks that drive the handshake and the I/O,
// and the BIO that carries a filter's records through its underlying
// bufferevent.

// MARK: socket events (the fd is readable / writable, or timed out)

private let readEventCallback: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    if what == EV.timeout {
        bufferevent_run_eventcb_(p, BevEvent.timeout | BevEvent.reading, 0)
    } else {
        t.considerReading()
    }
    _ = bufferevent_decref_and_unlock_(p)
}

private let writeEventCallback: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    if what == EV.timeout {
        bufferevent_run_eventcb_(p, BevEvent.timeout | BevEvent.writing, 0)
    } else {
        t.considerWriting()
    }
    _ = bufferevent_decref_and_unlock_(p)
}

private let handshakeEventCallback: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    if what & EV.timeout != 0 {
        bufferevent_run_eventcb_(p, BevEvent.timeout, 0)
    } else {
        t.doHandshake()
    }
    _ = bufferevent_decref_and_unlock_(p)
}

// MARK: the underlying bufferevent's callbacks (cbarg: our bufferevent)

private let underReadCallback: @convention(c) (BevPtr?, UnsafeMutableRawPointer?) -> Void = { _, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    t.considerReading()
    _ = bufferevent_decref_and_unlock_(p)
}

private let underWriteCallback: @convention(c) (BevPtr?, UnsafeMutableRawPointer?) -> Void = { _, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    t.considerWriting()
    _ = bufferevent_decref_and_unlock_(p)
}

private let underHandshakeCallback: @convention(c) (BevPtr?, UnsafeMutableRawPointer?) -> Void = { _, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    t.doHandshake()
    _ = bufferevent_decref_and_unlock_(p)
}

/// Events of the underlying bufferevent: its EOF is a TLS dirty shutdown
/// (EOF only if allowed), timeouts and errors pass through, its
/// "connected" is ours to say after the handshake.
let underEventCallback: @convention(c) (BevPtr?, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, arg in
    guard let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    bufferevent_incref_and_lock_(p)
    var event: Int16 = 0
    if what & BevEvent.eof != 0 {
        event = t.allowDirtyShutdown ? BevEvent.eof : BevEvent.error
    } else if what & (BevEvent.timeout | BevEvent.error) != 0 {
        event = what
    }
    if event != 0 { bufferevent_run_eventcb_(p, event, 0) }
    _ = bufferevent_decref_and_unlock_(p)
}

/// Our output grew: a socket waits for writability (ev_write), a filter
/// encrypts into the underlying output now. (The handshake sends what
/// waits when it is done.)
let outputCallback: @convention(c) (OpaquePointer?, UnsafePointer<evbuffer_cb_info>?, UnsafeMutableRawPointer?) -> Void = { _, info, arg in
    guard let info, let p = arg?.assumingMemoryBound(to: bufferevent.self), let t = Tls.of(p) else { return }
    guard info.pointee.n_added != 0 else { return }
    bufferevent_incref_and_lock_(p)
    defer { _ = bufferevent_decref_and_unlock_(p) }
    guard t.state == TlsState.open else { return }
    if info.pointee.orig_size == 0 { _ = bufferevent_add_event_(&p.pointee.ev_write, &p.pointee.timeout_write) }
    if t.under != nil { t.considerWriting() }
}

extension Tls {
    var arg: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bev) }

    /// After the handshake (or for BUFFEREVENT_SSL_OPEN): the I/O callbacks.
    func setOpenCallbacks(_ given: Int32) -> Int32 {
        if let u = under {
            bufferevent_setcb(u, underReadCallback, underWriteCallback, underEventCallback, arg)
            return 0
        }
        var fd = given
        var rpending: Int32 = 0
        var wpending: Int32 = 0
        if fd < 0 && fdIsSet { fd = event_get_fd(&bev.pointee.ev_read) }
        if fdIsSet {
            rpending = event_pending(&bev.pointee.ev_read, EV.read, nil)
            wpending = event_pending(&bev.pointee.ev_write, EV.write, nil)
            _ = event_del(&bev.pointee.ev_read)
            _ = event_del(&bev.pointee.ev_write)
        }
        let base = bev.pointee.ev_base
        _ = event_assign(&bev.pointee.ev_read, base, fd, EV.read | EV.persist | EV.finalize, readEventCallback, arg)
        _ = event_assign(&bev.pointee.ev_write, base, fd, EV.write | EV.persist | EV.finalize, writeEventCallback, arg)
        var r1: Int32 = 0
        var r2: Int32 = 0
        if rpending != 0 { r1 = bufferevent_add_event_(&bev.pointee.ev_read, &bev.pointee.timeout_read) }
        if wpending != 0 { r2 = bufferevent_add_event_(&bev.pointee.ev_write, &bev.pointee.timeout_write) }
        if fd >= 0 { fdIsSet = true }
        return r1 < 0 || r2 < 0 ? -1 : 0
    }

    /// Before and during the handshake: both directions drive it. A filter
    /// takes its first step at once (libevent 2.1.12), unless `start` is
    /// false: then the underlying bufferevent's next callback takes it.
    func setHandshakeCallbacks(_ given: Int32, start: Bool = true) -> Int32 {
        if let u = under {
            bufferevent_setcb(u, underHandshakeCallback, underHandshakeCallback, underEventCallback, arg)
            return start ? doHandshake() : 0
        }
        var fd = given
        if fd < 0 && fdIsSet { fd = event_get_fd(&bev.pointee.ev_read) }
        if fdIsSet {
            _ = event_del(&bev.pointee.ev_read)
            _ = event_del(&bev.pointee.ev_write)
        }
        let base = bev.pointee.ev_base
        _ = event_assign(&bev.pointee.ev_read, base, fd, EV.read | EV.persist | EV.finalize, handshakeEventCallback, arg)
        _ = event_assign(&bev.pointee.ev_write, base, fd, EV.write | EV.persist | EV.finalize, handshakeEventCallback, arg)
        var r1: Int32 = 0
        var r2: Int32 = 0
        if fd >= 0 {
            // Only the enabled directions (a new bufferevent: writing), as
            // libevent: a bufferevent disabled before its handshake does
            // not shake hands (regress ssl/bufferevent_socketpair_timeout).
            // Once started, each step watches what OpenSSL waits for.
            if enabled & EV.read != 0 { r1 = startReading() }
            if enabled & EV.write != 0 { r2 = startWriting() }
            fdIsSet = true
        }
        return r1 < 0 || r2 < 0 ? -1 : 0
    }
}

// MARK: the kind table

@_cdecl("cevtls_op_enable")
public func cevtls_op_enable(_ p: BevPtr?, _ events: Int16) -> Int32 {
    guard let t = Tls.of(p) else { return -1 }
    if events & EV.read != 0 { t.readStopped = false }
    if events & EV.write != 0 { t.writeStopped = false }
    if t.state != TlsState.open {
        // A socket's handshake goes on only in the enabled directions (libevent).
        guard t.under == nil, t.fdIsSet else { return 0 }
        let r1 = events & EV.read != 0 ? t.startReading() : 0
        let r2 = events & EV.write != 0 ? t.startWriting() : 0
        return r1 < 0 || r2 < 0 ? -1 : 0
    }
    var r1: Int32 = 0
    var r2: Int32 = 0
    if events & EV.read != 0 { r1 = t.startReading() }
    if events & EV.write != 0 { r2 = t.startWriting() }
    if t.under != nil {
        if events & EV.read != 0 { t.resetGenericReadTimeout() }
        if events & EV.write != 0 { t.resetGenericWriteTimeout() }
        if events & EV.read != 0 { t.considerReading() }
        if events & EV.write != 0 { t.considerWriting() }
    } else if events & EV.read != 0 && t.sslPending > 0, let p {
        // Decrypted data waits inside the SSL object (reading was stopped
        // by a watermark or a rate limit): the fd will not say so.
        event_active(&p.pointee.ev_read, Int32(EV.read), 1)
    }
    return r1 < 0 || r2 < 0 ? -1 : 0
}

@_cdecl("cevtls_op_disable")
public func cevtls_op_disable(_ p: BevPtr?, _ events: Int16) -> Int32 {
    guard let t = Tls.of(p), let p else { return -1 }
    if events & EV.read != 0 { t.readStopped = true }
    if events & EV.write != 0 { t.writeStopped = true }
    if t.state != TlsState.open {
        if t.under == nil {
            if events & EV.read != 0 { t.stopReading() }
            if events & EV.write != 0 { t.stopWriting() }
        }
        return 0
    }
    if events & EV.read != 0 { t.stopReading() }
    if events & EV.write != 0 { t.stopWriting() }
    if t.under != nil {
        if events & EV.read != 0 { _ = event_del(&p.pointee.ev_read) }
        if events & EV.write != 0 { _ = event_del(&p.pointee.ev_write) }
    }
    return 0
}

/// The last reference is gone. With BEV_OPT_CLOSE_ON_FREE the core has
/// freed the underlying bufferevent; otherwise it gets back its callbacks
/// (if still ours) and its reading.
@_cdecl("cevtls_op_unlink")
public func cevtls_op_unlink(_ p: BevPtr?) {
    guard let t = Tls.of(p), let u = t.under else { return }
    if t.options & BevOpt.closeOnFree == 0 {
        if let cb = u.pointee.errorcb, unsafeBitCast(cb, to: UnsafeRawPointer.self) == unsafeBitCast(underEventCallback, to: UnsafeRawPointer.self) {
            bufferevent_setcb(u, nil, nil, nil, nil)
        }
        bufferevent_unsuspend_read_(u, suspendFilterRead)
    }
}

/// Finalizing: close the fd and free the SSL (BEV_OPT_CLOSE_ON_FREE), and
/// drop this object.
@_cdecl("cevtls_op_destruct")
public func cevtls_op_destruct(_ p: BevPtr?) {
    guard let p, let t = Tls.of(p) else { return }
    if let e = t.outputEntry {
        _ = evbuffer_remove_cb_entry(p.pointee.output, e)
        t.outputEntry = nil
    }
    if t.options & BevOpt.closeOnFree != 0 {
        if t.under == nil, let bio = SSL_get_wbio(t.ssl) {
            let fd = cevtls_bio_get_fd(bio)
            if fd >= 0 { _ = evutil_closesocket(Int32(truncatingIfNeeded: fd)) }
        }
        SSL_free(t.ssl)
    }
    (UnsafeMutableRawPointer(p) + contextOffset).storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
    Unmanaged.passUnretained(t).release()
}

@_cdecl("cevtls_op_adj_timeouts")
public func cevtls_op_adj_timeouts(_ p: BevPtr?) -> Int32 {
    guard let t = Tls.of(p) else { return -1 }
    return t.under != nil ? bufferevent_generic_adj_timeouts_(p) : bufferevent_generic_adj_existing_timeouts_(p)
}

/// bufferevent_flush: nothing to do (as libevent's).
@_cdecl("cevtls_op_flush")
public func cevtls_op_flush(_ p: BevPtr?, _ iotype: Int16, _ mode: bufferevent_flush_mode) -> Int32 { 0 }

/// A filter answers with its underlying bufferevent's fd (as libevent 2.1.12).
@_cdecl("cevtls_op_get_fd")
public func cevtls_op_get_fd(_ p: BevPtr?) -> Int32 {
    guard let t = Tls.of(p), let p else { return -1 }
    if let u = t.under { return bufferevent_getfd(u) }
    guard t.fdIsSet else { return -1 }
    return event_get_fd(&p.pointee.ev_read)
}

/// bufferevent_setfd: a socket BIO on the new fd, and the callbacks of the
/// current state on it. A filter keeps reading its underlying bufferevent
/// (our BIO over it holds nothing, so it stays): its callbacks are set
/// again and the call succeeds, as libevent's (regress ssl/*_filter_freed_fd).
@_cdecl("cevtls_op_set_fd")
public func cevtls_op_set_fd(_ p: BevPtr?, _ fd: Int32) -> Int32 {
    guard let t = Tls.of(p) else { return -1 }
    if let u = t.under {
        if t.state == TlsState.open { return t.setOpenCallbacks(fd) }
        // During the handshake a new fd is the underlying bufferevent's (what
        // bufferevent_socket_connect on a filter hands over), as libevent.
        if fd < 0 { return t.setHandshakeCallbacks(fd, start: false) }
        if bufferevent_setfd(u, fd) != 0 { return -1 }
        return t.setHandshakeCallbacks(fd) < 0 ? -1 : 0
    }
    guard let p, let bio = BIO_new_socket(fd, BIO_NOCLOSE) else { return -1 }
    SSL_set_bio(t.ssl, bio, bio)
    t.resetCounts()
    if fd == -1 {
        // No fd any more: the old fd's events go now (libevent leaves them
        // pending and assigns over them).
        _ = event_del(&p.pointee.ev_read)
        _ = event_del(&p.pointee.ev_write)
        t.fdIsSet = false
    } else {
        t.fdIsSet = true
    }
    return t.state == TlsState.open ? t.setOpenCallbacks(fd) : t.setHandshakeCallbacks(fd)
}

@_cdecl("cevtls_op_get_underlying")
public func cevtls_op_get_underlying(_ p: BevPtr?) -> BevPtr? { Tls.of(p)?.under }

// MARK: the BIO over a bufferevent (filters): data = the underlying bufferevent

@_cdecl("cevtls_bio_create")
public func cevtls_bio_create(_ b: OpaquePointer?) -> Int32 {
    BIO_set_init(b, 0)
    BIO_set_data(b, nil)
    return 1
}

@_cdecl("cevtls_bio_destroy")
public func cevtls_bio_destroy(_ b: OpaquePointer?) -> Int32 {
    guard let b else { return 0 }
    // Made with the close flag off: the bufferevent is not ours to free.
    BIO_set_init(b, 0)
    BIO_set_data(b, nil)
    return 1
}

@_cdecl("cevtls_bio_read")
public func cevtls_bio_read(_ b: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ len: Int32) -> Int32 {
    guard let b else { return -1 }
    cevtls_bio_clear_retry(b)
    guard let out, len > 0 else { return 0 }
    guard let u = BIO_get_data(b)?.assumingMemoryBound(to: bufferevent.self) else { return -1 }
    let input = u.pointee.input
    if evbuffer_get_length(input) == 0 {
        cevtls_bio_retry_read(b)
        return -1
    }
    return evbuffer_remove(input, out, Int(len))
}

/// Only as much as fits under the underlying output's high watermark.
@_cdecl("cevtls_bio_write")
public func cevtls_bio_write(_ b: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ len: Int32) -> Int32 {
    guard let b else { return -1 }
    cevtls_bio_clear_retry(b)
    guard let u = BIO_get_data(b)?.assumingMemoryBound(to: bufferevent.self) else { return -1 }
    guard let data, len > 0 else { return 0 }
    let output = u.pointee.output
    let have = evbuffer_get_length(output)
    var n = Int(len)
    let high = u.pointee.wm_write.high
    // size_t values, compared unsigned (a SIZE_MAX watermark is never reached).
    let h = UInt(bitPattern: high)
    let o = UInt(bitPattern: have)
    if h != 0 && h <= o &+ UInt(n) {
        if h <= o {
            cevtls_bio_retry_write(b)
            return -1
        }
        n = Int(h - o)
    }
    if evbuffer_add(output, data, n) != 0 { return -1 }
    return Int32(n)
}

@_cdecl("cevtls_bio_ctrl")
public func cevtls_bio_ctrl(_ b: OpaquePointer?, _ cmd: Int32, _ num: Int, _ ptr: UnsafeMutableRawPointer?) -> Int {
    guard let b else { return 0 }
    let u = BIO_get_data(b)?.assumingMemoryBound(to: bufferevent.self)
    switch cmd {
    case BIO_CTRL_GET_CLOSE:
        return Int(BIO_get_shutdown(b))
    case BIO_CTRL_SET_CLOSE:
        BIO_set_shutdown(b, Int32(truncatingIfNeeded: num))
        return 1
    case BIO_CTRL_PENDING:
        guard let u else { return 0 }
        return evbuffer_get_length(u.pointee.input) != 0 ? 1 : 0
    case BIO_CTRL_WPENDING:
        guard let u else { return 0 }
        return evbuffer_get_length(u.pointee.output) != 0 ? 1 : 0
    case BIO_CTRL_DUP, BIO_CTRL_FLUSH:
        return 1
    default:
        return 0
    }
}

/// A BIO over bufferevent `u` (not freeing it).
func newBufferEventBio(_ u: BevPtr) -> OpaquePointer? {
    guard let m = cevtls_bio_method(), let b = BIO_new(m) else { return nil }
    BIO_set_data(b, UnsafeMutableRawPointer(u))
    BIO_set_init(b, 1)
    BIO_set_shutdown(b, 0)
    return b
}
