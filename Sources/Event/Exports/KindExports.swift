import CEventSys

// libevent's internal bufferevent names (bufferevent-internal.h), exported
// for the kinds that live in other libraries (libevent_openssl), with our
// signatures: they take the public `struct bufferevent *` where libevent
// passes its private struct (CEventKindOps.h). Thin: the logic is in
// BufferEvent and OpsBufferEvent. A dead bufferevent is refused with a
// log line, as the public entry points do.

@_cdecl("bufferevent_init_common_")
public func bufferevent_init_common_(_ base: OpaquePointer?, _ ops: UnsafePointer<bufferevent_ops>?, _ options: Int32,
                                     _ ctx: UnsafeMutableRawPointer?, _ offset: UnsafeMutablePointer<Int>?) -> BevPtr? {
    guard let ops else { return nil }
    offset?.pointee = OpsBufferEvent.contextOffset
    return OpsBufferEvent.create(base: base, ops: ops, options: options, context: ctx)?.publish()
}

@_cdecl("bufferevent_run_readcb_")
public func bufferevent_run_readcb_(_ p: BevPtr?, _ options: Int32) {
    bevOf(p, "bufferevent_run_readcb_")?.runReadCallback(options)
}

@_cdecl("bufferevent_run_writecb_")
public func bufferevent_run_writecb_(_ p: BevPtr?, _ options: Int32) {
    bevOf(p, "bufferevent_run_writecb_")?.runWriteCallback(options)
}

@_cdecl("bufferevent_run_eventcb_")
public func bufferevent_run_eventcb_(_ p: BevPtr?, _ what: Int16, _ options: Int32) {
    bevOf(p, "bufferevent_run_eventcb_")?.runEventCallback(what, options)
}

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

@_cdecl("bufferevent_incref_and_lock_")
public func bufferevent_incref_and_lock_(_ p: BevPtr?) {
    guard let b = bevOf(p, "bufferevent_incref_and_lock_") else { return }
    b.lockBev()
    b.incref()
}

/// 1 when that was the last reference. The lock is let go first when the
/// bufferevent finalizes on the spot (it has no base), as bufferevent_free does.
@_cdecl("bufferevent_decref_and_unlock_")
public func bufferevent_decref_and_unlock_(_ p: BevPtr?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decref_and_unlock_") else { return 0 }
    if b.finalizesInline {
        b.unlockBev()
        return b.decref()
    }
    let r = b.decref()
    b.unlockBev()
    return r
}

@_cdecl("bufferevent_enable_locking_")
public func bufferevent_enable_locking_(_ p: BevPtr?, _ lock: UnsafeMutableRawPointer?) -> Int32 {
    bevOf(p, "bufferevent_enable_locking_")?.enableLocking(lock) ?? -1
}

@_cdecl("bufferevent_init_generic_timeout_cbs_")
public func bufferevent_init_generic_timeout_cbs_(_ p: BevPtr?) {
    bevOf(p, "bufferevent_init_generic_timeout_cbs_")?.assignGenericTimeouts()
}

@_cdecl("bufferevent_generic_adj_timeouts_")
public func bufferevent_generic_adj_timeouts_(_ p: BevPtr?) -> Int32 {
    bevOf(p, "bufferevent_generic_adj_timeouts_")?.genericAdjustTimeouts() ?? -1
}

@_cdecl("bufferevent_generic_adj_existing_timeouts_")
public func bufferevent_generic_adj_existing_timeouts_(_ p: BevPtr?) -> Int32 {
    bevOf(p, "bufferevent_generic_adj_existing_timeouts_")?.adjustExistingTimeouts() ?? -1
}

/// event_add with a zero timeout meaning none.
@_cdecl("bufferevent_add_event_")
public func bufferevent_add_event_(_ ev: EventPtr?, _ tv: UnsafePointer<timeval>?) -> Int32 {
    guard let ev else { return -1 }
    guard let tv else { return BufferEvent.add(ev, nil) }
    return BufferEvent.addWithTimeout(ev, tv.pointee)
}

@_cdecl("bufferevent_get_read_max_")
public func bufferevent_get_read_max_(_ p: BevPtr?) -> Int {
    bevOf(p, "bufferevent_get_read_max_")?.readMax() ?? 0
}

@_cdecl("bufferevent_get_write_max_")
public func bufferevent_get_write_max_(_ p: BevPtr?) -> Int {
    bevOf(p, "bufferevent_get_write_max_")?.writeMax() ?? 0
}

@_cdecl("bufferevent_decrement_read_buckets_")
public func bufferevent_decrement_read_buckets_(_ p: BevPtr?, _ n: Int) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decrement_read_buckets_") else { return -1 }
    return b.rate == nil ? 0 : RateLimit.charge(b, n, write: false)
}

@_cdecl("bufferevent_decrement_write_buckets_")
public func bufferevent_decrement_write_buckets_(_ p: BevPtr?, _ n: Int) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decrement_write_buckets_") else { return -1 }
    return b.rate == nil ? 0 : RateLimit.charge(b, n, write: true)
}
