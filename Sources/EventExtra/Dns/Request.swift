import CEventExtra

public typealias DnsCallback = @convention(c) (Int32, CChar, Int32, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void

/// What a program holds as `struct evdns_request *`: it outlives the
/// individual queries of a search (each a `Request`) and is what
/// evdns_cancel_request takes. It lives until its callback has run.
final class DnsHandle {
    var current: Request? = nil
    unowned(unsafe) var base: DnsBase
    /// The callback is scheduled: cancelling is too late.
    var pendingCallback = false
    var search: SearchState? = nil
    var searchIndex = 0
    var searchName: [UInt8] = []
    var searchFlags: Int32 = 0

    // Borrowed: stored unowned(unsafe), so taking it owned would only add a retain and a release.
    init(base: __shared DnsBase) { self.base = base }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    static func from(_ p: OpaquePointer) -> DnsHandle { Unmanaged<DnsHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue() }
}

/// One query on the wire (libevent's `struct request`): its packet, the
/// nameserver it went to, its retransmit timer.
final class Request {
    unowned(unsafe) let base: DnsBase
    /// One block from the program's allocator: the request's timer event
    /// (`struct event`, event_assign'ed) followed by the query's bytes.
    var block: UnsafeMutableRawPointer? = nil
    var packetLen = 0
    let type: UInt16
    var txCount = 0
    var reissueCount = 0
    var ns: Nameserver? = nil
    var transId: UInt16 = 0xffff
    var transmitMe = false
    var inflight = false
    var timer: EvPtr? { block?.assumingMemoryBound(to: event.self) }
    var packet: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: block.map { $0 + Request.eventSize }, count: packetLen) }

    /// Where the query starts in the block: past the event, 16-aligned.
    static let eventSize: Int = (Int(event_get_struct_event_size()) + 15) & ~15
    /// Room after the query for a reply's addresses (the block goes to the
    /// deferred callback, so they stay valid until it has run).
    static let addressArea = 64
    var addressArea: UnsafeMutableRawPointer? { block.map { $0 + Request.eventSize + ((packetCapacity + 15) & ~15) } }
    var packetCapacity = 0
    /// Set while the timer event carries the user callback (scheduleCallback).
    var delivering = false
    var outcome: DnsOutcome? = nil
    /// The C handle stays valid until its callback has run, as in libevent.
    var heldHandle: DnsHandle? = nil
    let callback: DnsCallback?
    let userPointer: UnsafeMutableRawPointer?
    var handle: DnsHandle?
    /// evdns_getaddrinfo's CNAME slot (only on the first query of a search,
    /// as libevent's put_cname_in_ptr).
    var cnameSink: GetAddrInfoRequest? = nil

    init(base: __shared DnsBase, type: UInt16, callback: DnsCallback?, user: UnsafeMutableRawPointer?, handle: DnsHandle?) {
        self.base = base
        self.type = type
        self.callback = callback
        self.userPointer = user
        self.handle = handle
    }

    /// A request dropped before it was finished still frees its timer.
    deinit { releaseBlock() }

    func releaseBlock() {
        if delivering { return }   // its event carries the callback; freed after it
        // Once only: a program's free function also sees NULL (event_mm_free_
        // passes it on, as libevent's), and counting allocators count it.
        guard let b = block else { return }
        if let t = timer { event_del(t) }
        Memory.free(b)
        block = nil
    }

    /// Stop the retransmit timer (not the callback it may be carrying).
    func stopTimer() { if !delivering, let t = timer { event_del(t) } }

    func setTransId(_ id: UInt16) {
        transId = id
        if let b = block, packetLen >= 2 {
            b.storeBytes(of: UInt8(id >> 8), toByteOffset: Request.eventSize, as: UInt8.self)
            b.storeBytes(of: UInt8(id & 0xff), toByteOffset: Request.eventSize + 1, as: UInt8.self)
        }
    }

}

/// The outcome of a request as the user callback gets it.
struct DnsOutcome {
    var err: Int32
    var ttl: UInt32 = 0
    var reply: DnsPacket.Reply? = nil
}

extension Request {
    /// Deliver `outcome` through the loop (libevent's reply_schedule_callback):
    /// the request, about to finish, lives on until then and its timer event
    /// carries the callback (its block holds the reply's addresses).
    /// `outcome` is consumed: stored, not copied (no retains of its arrays).
    /// Speed: for size the compiler moves the outcome with `rep movsb`.
    @_optimize(speed)
    func scheduleCallback(_ outcome: __owned DnsOutcome) {
        handle?.pendingCallback = true
        if let t = timer {
            event_del(t)
            let arg = Unmanaged.passRetained(self).toOpaque()
            if event_assign(t, base.eventBase, -1, 0, Request.deliver, arg) == 0 {
                self.outcome = outcome
                heldHandle = handle
                delivering = true
                event_active(t, Int32(EV_TIMEOUT), 1)
                return
            }
            Unmanaged<Request>.fromOpaque(arg).release()
        }
        // No event of ours to use: a separate one, the addresses copied out.
        var o = outcome
        o.reply?.detachArea()
        guard let d = Memory.build({ DnsDeferred(cb: callback, user: userPointer, type: type, outcome: o, handle: handle) }) else {
            Log.warnx("reply_schedule_callback: Couldn't allocate space for deferred callback.")
            return
        }
        d.schedule(base.eventBase, reusing: nil)
    }

    static let deliver: event_callback_fn = { _, _, arg in deliverNow(arg) }

    @_optimize(speed)
    static func deliverNow(_ arg: UnsafeMutableRawPointer?) {
        let req = Unmanaged<Request>.fromOpaque(arg!).takeRetainedValue()
        // Moved out, not copied.
        if let o = req.outcome.take() {
            DnsHandleCallback.run(req.callback, req.userPointer, req.type, o)
        }
        req.delivering = false
        req.heldHandle = nil
        // Dropping `req` frees its block, event included (no longer in use).
    }
}

enum DnsHandleCallback {
    static func run(_ cb: DnsCallback?, _ user: UnsafeMutableRawPointer?, _ type: UInt16, _ o: DnsOutcome) {
        guard let cb else { return }
        // The reply is read in place (binding it would copy, retaining its arrays).
        guard o.err == 0, o.reply?.haveAnswer == true else {
            cb(o.err, 0, 0, Int32(bitPattern: o.ttl), nil, user)
            return
        }
        let ttl = Int32(bitPattern: o.ttl)
        switch type {
        case DnsPacket.typePTR:
            var name = o.reply.unsafelyUnwrapped.ptrName
            name.append(0)
            name.withUnsafeMutableBytes { nb in
                var p: UnsafeMutableRawPointer? = nb.baseAddress
                withUnsafeMutablePointer(to: &p) { pp in
                    cb(0, CChar(DNS_PTR), 1, ttl, UnsafeMutableRawPointer(pp), user)
                }
            }
        default:
            // The callback gets a pointer even for no address, as libevent's.
            let t = CChar(type == DnsPacket.typeAAAA ? DNS_IPv6_AAAA : DNS_IPv4_A)
            let count = Int32(o.reply.unsafelyUnwrapped.count)
            o.reply.unsafelyUnwrapped.withAddressBytes { cb(0, t, count, ttl, UnsafeMutableRawPointer(mutating: $0), user) }
        }
    }
}
