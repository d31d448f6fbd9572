import CEventSys

// libevent's internal bufferevent names (bufferevent-internal.h) that only
// a bufferevent kind living in another library needs (libevent_openssl),
// with our signatures: the public `struct bufferevent *` where libevent
// passes its private struct, and bufferevent_init_common_ allocates
// (CEventKindOps.h). The ones libevent_extra and programs use as well
// (run_*cb_, suspend/unsuspend, incref_and_lock_, read/write max, buckets)
// are in InternalBufferEventExports.swift. Thin: the logic is in
// BufferEvent and OpsBufferEvent.

@_cdecl("bufferevent_init_common_")
public func bufferevent_init_common_(_ base: OpaquePointer?, _ ops: UnsafePointer<bufferevent_ops>?, _ options: Int32,
                                     _ ctx: UnsafeMutableRawPointer?, _ offset: UnsafeMutablePointer<Int>?) -> BevPtr? {
    guard let ops else { return nil }
    offset?.pointee = OpsBufferEvent.contextOffset
    return OpsBufferEvent.create(base: base, ops: ops, options: options, context: ctx)?.publish()
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

