import CEventSys

// libevent-internal bufferevent functions (bufferevent-internal.h) that
// libevent_core exports for libevent_extra (http's connections) and that
// programs built against libevent may call (issue 15). A bufferevent_private
// pointer in libevent's signatures is the bufferevent itself here, as there.

/// The BEV_OPT_* the bufferevent was made with.
@_cdecl("bufferevent_get_options_")
public func bufferevent_get_options_(_ p: BevPtr?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_get_options_") else { return 0 }
    return b.locked { $0.options & ~BevOpt.ownsLock }
}

/// bufferevent_disable that also gives up a connect in progress (its
/// write event is removed even then).
@_cdecl("bufferevent_disable_hard_")
public func bufferevent_disable_hard_(_ p: BevPtr?, _ events: Int16) -> Int32 {
    guard let b = bevOf(p, "bufferevent_disable_hard_") else { return -1 }
    return b.locked {
        $0.connecting = false
        return $0.disable(events)
    }
}

@_cdecl("bufferevent_incref_and_lock_")
public func bufferevent_incref_and_lock_(_ p: BevPtr?) {
    guard let b = bevOf(p, "bufferevent_incref_and_lock_") else { return }
    b.lockBev()
    b.incref()
}

/// Drop a reference and the lock taken with bufferevent_incref_and_lock_:
/// 1 when that was the last reference.
@_cdecl("bufferevent_decref_and_unlock_")
public func bufferevent_decref_and_unlock_(_ p: BevPtr?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decref_and_unlock_") else { return 0 }
    let r = b.decref()
    b.unlockBev()
    return r
}

/// BEV_SUSPEND_* reasons (WM 1, BW 2, BW_GROUP 4, LOOKUP 8, FILT_READ 16).
@_cdecl("bufferevent_suspend_read_")
public func bufferevent_suspend_read_(_ p: BevPtr?, _ what: UInt16) {
    bevOf(p, "bufferevent_suspend_read_")?.locked { $0.suspendRead(UInt8(truncatingIfNeeded: what)) }
}

@_cdecl("bufferevent_unsuspend_read_")
public func bufferevent_unsuspend_read_(_ p: BevPtr?, _ what: UInt16) {
    bevOf(p, "bufferevent_unsuspend_read_")?.locked { $0.unsuspendRead(UInt8(truncatingIfNeeded: what)) }
}

@_cdecl("bufferevent_suspend_write_")
public func bufferevent_suspend_write_(_ p: BevPtr?, _ what: UInt16) {
    bevOf(p, "bufferevent_suspend_write_")?.locked { $0.suspendWrite(UInt8(truncatingIfNeeded: what)) }
}

@_cdecl("bufferevent_unsuspend_write_")
public func bufferevent_unsuspend_write_(_ p: BevPtr?, _ what: UInt16) {
    bevOf(p, "bufferevent_unsuspend_write_")?.locked { $0.unsuspendWrite(UInt8(truncatingIfNeeded: what)) }
}

/// The program's callbacks, now or deferred (BEV_OPT_DEFER_CALLBACKS in
/// `options` or the bufferevent's own).
@_cdecl("bufferevent_run_readcb_")
public func bufferevent_run_readcb_(_ p: BevPtr?, _ options: Int32) {
    bevOf(p, "bufferevent_run_readcb_")?.locked { $0.runReadCallback(options) }
}

@_cdecl("bufferevent_run_writecb_")
public func bufferevent_run_writecb_(_ p: BevPtr?, _ options: Int32) {
    bevOf(p, "bufferevent_run_writecb_")?.locked { $0.runWriteCallback(options) }
}

@_cdecl("bufferevent_run_eventcb_")
public func bufferevent_run_eventcb_(_ p: BevPtr?, _ what: Int16, _ options: Int32) {
    bevOf(p, "bufferevent_run_eventcb_")?.locked { $0.runEventCallback(what, options) }
}

/// event_add, with a zero timeval meaning no timeout.
@_cdecl("bufferevent_add_event_")
public func bufferevent_add_event_(_ ev: EventPtr?, _ tv: UnsafePointer<timeval>?) -> Int32 {
    if let tv, tv.pointee.tv_sec == 0 && tv.pointee.tv_usec == 0 { return event_add(ev, nil) }
    return event_add(ev, tv)
}

/// How much may be read / written now under the rate limits.
@_cdecl("bufferevent_get_read_max_")
public func bufferevent_get_read_max_(_ p: BevPtr?) -> Int {
    guard let b = bevOf(p, "bufferevent_get_read_max_") else { return 0 }
    return b.locked { $0.readMax() }
}

@_cdecl("bufferevent_get_write_max_")
public func bufferevent_get_write_max_(_ p: BevPtr?) -> Int {
    guard let b = bevOf(p, "bufferevent_get_write_max_") else { return 0 }
    return b.locked { $0.writeMax() }
}

/// Charge bytes moved to the bufferevent's bucket and its group's
/// (suspending when they run dry): 0, or -1 when a refill could not be armed.
@_cdecl("bufferevent_decrement_read_buckets_")
public func bufferevent_decrement_read_buckets_(_ p: BevPtr?, _ n: Int) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decrement_read_buckets_") else { return -1 }
    return b.locked { RateLimit.charge($0, n, write: false) }
}

@_cdecl("bufferevent_decrement_write_buckets_")
public func bufferevent_decrement_write_buckets_(_ p: BevPtr?, _ n: Int) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decrement_write_buckets_") else { return -1 }
    return b.locked { RateLimit.charge($0, n, write: true) }
}

// MARK: the peer's address of a socket bufferevent (http's connections)

private func socketBev(_ p: BevPtr?, _ fn: StaticString) -> SocketBufferEvent? {
    guard let b = bevOf(p, fn) else { return nil }
    guard let s = b as? SocketBufferEvent else {
        Log.warnx("\(fn): not a socket bufferevent")
        return nil
    }
    return s
}

/// The address recorded for the connection (all zero, AF_UNSPEC, before one is).
@_cdecl("bufferevent_socket_get_conn_address_")
public func bufferevent_socket_get_conn_address_(_ p: BevPtr?) -> UnsafePointer<sockaddr>? {
    guard let s = socketBev(p, "bufferevent_socket_get_conn_address_") else { return nil }
    return s.locked { _ in s.connAddressStorage().map { UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self) } }
}

@_cdecl("bufferevent_socket_set_conn_address_")
public func bufferevent_socket_set_conn_address_(_ p: BevPtr?, _ sa: UnsafeMutablePointer<sockaddr>?, _ len: Int) {
    guard let sa, let s = socketBev(p, "bufferevent_socket_set_conn_address_") else { return }
    s.locked { _ in s.setConnAddress(sa, len) }
}

/// Refreshes the record from the socket's peer (getpeername); as in
/// libevent, only a record that already holds an address.
@_cdecl("bufferevent_socket_set_conn_address_fd_")
public func bufferevent_socket_set_conn_address_fd_(_ p: BevPtr?, _ fd: Int32) {
    guard let s = socketBev(p, "bufferevent_socket_set_conn_address_fd_") else { return }
    s.locked { _ in
        guard let a = s.connAddress, a.pointee.sin6_family != sa_family_t(AF_UNSPEC) else { return }
        var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = getpeername(fd, __SOCKADDR_ARG(__sockaddr__: UnsafeMutableRawPointer(a).assumingMemoryBound(to: sockaddr.self)), &len)
    }
}

// MARK: token buckets (ratelim-internal.h): our structs have libevent's layout

/// Fill a new bucket to the rates, or (reinitialize) clip one to new burst sizes.
@_cdecl("ev_token_bucket_init_")
public func ev_token_bucket_init_(_ bucket: UnsafeMutableRawPointer?, _ cfg: UnsafeRawPointer?, _ tick: UInt32,
                                  _ reinitialize: Int32) -> Int32 {
    guard let bucket, let cfg else { return -1 }
    bucket.assumingMemoryBound(to: TokenBucket.self).pointee
        .start(cfg.load(as: TokenBucketCfg.self), tick: tick, reinitialize: reinitialize != 0)
    return 0
}

/// Add the tokens of the ticks since the last update: 1 when it did.
@_cdecl("ev_token_bucket_update_")
public func ev_token_bucket_update_(_ bucket: UnsafeMutableRawPointer?, _ cfg: UnsafeRawPointer?, _ tick: UInt32) -> Int32 {
    guard let bucket, let cfg else { return 0 }
    return bucket.assumingMemoryBound(to: TokenBucket.self).pointee.update(cfg.load(as: TokenBucketCfg.self), tick: tick) ? 1 : 0
}

/// The tick a time falls in (milliseconds over the tick length).
@_cdecl("ev_token_bucket_get_tick_")
public func ev_token_bucket_get_tick_(_ tv: UnsafePointer<timeval>?, _ cfg: UnsafeRawPointer?) -> UInt32 {
    guard let tv, let cfg else { return 0 }
    return TokenBuckets.tick(tv.pointee, cfg.load(as: TokenBucketCfg.self))
}
