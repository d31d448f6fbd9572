import CEventSys

// A bufferevent whose kind lives in another library (the TLS bufferevents of
// libevent_openssl): everything shared (buffers, callbacks, watermarks,
// references, deferred callbacks, rate limits, locking, finalization) is the
// core's, and the kind's table (struct bufferevent_ops, CEventKindOps.h) is
// asked for the rest, as libevent's bufferevent_ops is. The table is also in
// the public be_ops field, which is how the kind recognises its own
// bufferevents; its context pointer follows the core's part of the
// allocation (struct cev_bufferevent_kind).
//
// The kind owns ev_read / ev_write (it assigns them, as libevent's kinds
// do, with EV_FINALIZE); the core takes them off the base when finalizing.

final class OpsBufferEvent: BufferEvent {
    let ops: UnsafePointer<bufferevent_ops>
    /// bufferevent_socket_connect_hostname's lookup in flight.
    var pendingLookup: OpaquePointer? = nil

    override var lookupRequest: OpaquePointer? {
        get { pendingLookup }
        set { pendingLookup = newValue }
    }

    private init?(base: OpaquePointer?, options: Int32, ops: UnsafePointer<bufferevent_ops>) {
        self.ops = ops
        super.init(base: base, options: options, bytes: MemoryLayout<cev_bufferevent_kind>.stride)
    }

    /// Offset of the context slot from the bufferevent.
    static var contextOffset: Int { cev_kind_ctx_offset() }

    /// bufferevent_init_common_ for a foreign kind.
    static func create(base: OpaquePointer?, ops: UnsafePointer<bufferevent_ops>, options: Int32,
                       context: UnsafeMutableRawPointer?) -> OpsBufferEvent? {
        let mark = Memory.failureMark()
        guard let b = OpsBufferEvent(base: base, options: options, ops: ops) else { return nil }
        if Memory.failed(since: mark) {
            b.discard()
            return nil
        }
        b.bev.pointee.be_ops = ops
        // The kind assigns ev_read / ev_write its own way; until it does
        // they are timers, so finalization has events to take off the base
        // even when the kind gives up before assigning them.
        b.assignGenericTimeouts()
        (UnsafeMutableRawPointer(b.raw) + contextOffset).assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee = context
        return b
    }

    override func kindEnable(_ events: Int16) -> Int32 { ops.pointee.enable?(bev, events) ?? 0 }
    override func kindDisable(_ events: Int16) -> Int32 { ops.pointee.disable?(bev, events) ?? 0 }
    /// With BEV_OPT_CLOSE_ON_FREE the underlying bufferevent is freed here,
    /// by the rule filters follow (only the core knows its references);
    /// then the kind lets go of the rest.
    override func unlink() {
        if options & BevOpt.closeOnFree != 0, let u = underlying {
            if u.refcnt < 2 {
                Log.warnx("BEV_OPT_CLOSE_ON_FREE set on an bufferevent with too few references")
            } else {
                bufferevent_free(u.bev)
            }
        }
        ops.pointee.unlink?(bev)
    }
    override func destruct() {
        ops.pointee.destruct?(bev)
        // As for sockets: a lookup holds a reference, so by now it is over.
        if let req = pendingLookup {
            pendingLookup = nil
            evutil_getaddrinfo_cancel_async_(req)
        }
    }

    override func adjustTimeouts() -> Int32 {
        if let f = ops.pointee.adj_timeouts { return f(bev) }
        return genericAdjustTimeouts()
    }

    override func kindFlush(_ iotype: Int16, _ mode: Int32) -> Int32 {
        guard let f = ops.pointee.flush else { return 0 }
        return f(bev, iotype, bufferevent_flush_mode(UInt32(bitPattern: mode)))
    }

    override func getFd() -> Int32? { ops.pointee.get_fd.map { $0(bev) } }
    override func setFd(_ fd: Int32) -> Int32 { ops.pointee.set_fd?(bev, fd) ?? -1 }

    override var underlying: BufferEvent? {
        guard let f = ops.pointee.get_underlying, let u = f(bev), cev_bev_owner(u) != nil else { return nil }
        return BufferEvent.from(u)
    }
}
