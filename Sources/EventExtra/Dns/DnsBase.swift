import CEventExtra

/// `struct evdns_base`: nameservers, queries in flight and waiting, the
/// search list, the hosts table and the options.
///
/// Lock rules: a base made after the program set lock callbacks has its own
/// recursive lock (`lock`), as libevent's. Every exported function that
/// reads or changes the base, its nameservers, requests or handles takes it,
/// and so does every event callback of the base (nameserver reads and
/// writes, request timeouts, probes). User callbacks never run under it:
/// they are deferred through the loop (the finished request's event,
/// `Request.deliver`, or a `DnsDeferred`) and run unlocked, so a callback
/// may call back into the base or free it. The getaddrinfo state
/// (GetAddrInfo.swift) and the server ports (ServerPort.swift) have their
/// own rules, written there.
final class DnsBase {
    let eventBase: OpaquePointer?
    var lock = DnsLock()

    /// The ring of nameservers; `head` is where the next pick starts.
    var servers: [Nameserver] = []
    var head = 0
    var goodNameservers = 0

    var inflightList: [Request] = []
    var waiting: [Request] = []
    var maxInflight = 64

    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    var maxReissues = 1
    var maxRetransmits = 3
    var maxNameserverTimeouts = 3
    var randomizeCase: Int32 = 1
    var probeInitialTimeout = timeval(tv_sec: 10, tv_usec: 0)
    var outgoing: DnsAddr? = nil
    var getaddrinfoAllowSkew = timeval(tv_sec: 3, tv_usec: 0)
    var soRcvbuf: Int32 = 0
    var soSndbuf: Int32 = 0
    var disableWhenInactive = false
    /// clear_nameservers_and_suspend was called and resume was not.
    var suspended = false

    var search: SearchState? = nil
    var hosts: [HostEntry] = []

    init(eventBase: OpaquePointer?) { self.eventBase = eventBase }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    static func from(_ p: OpaquePointer) -> DnsBase { Unmanaged<DnsBase>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue() }

    // MARK: nameservers

    /// libevent's return codes: 0 added, 1 no socket, 2 bind/event failure
    /// or address too long, 3 already there, -SO_RCVBUF/-SO_SNDBUF.
    func addNameserver(_ a: DnsAddr) -> Int32 {
        for s in servers where s.addr.equals(a, includePort: true) { return 3 }
        let ns = Nameserver(base: self, addr: a)
        var err: Int32 = 0
        let fd = DnsSock.retry { Int(socket(a.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)) }.0
        if fd < 0 {
            err = 1
        } else {
            ns.fd = Int32(fd)
            if let o = outgoing, !a.isLoopback {
                if o.with({ bind(ns.fd, __CONST_SOCKADDR_ARG(__sockaddr__: $0), o.len) }) < 0 {
                    DnsLog.emit(DnsLog.warn, DnsText("Couldn't bind to outgoing address").b)
                    err = 2
                }
            }
            if err == 0 && soRcvbuf != 0 {
                var v = soRcvbuf
                if setsockopt(ns.fd, SOL_SOCKET, SO_RCVBUF, &v, 4) != 0 {
                    var t = DnsText("Couldn't set SO_RCVBUF to "); t.append(int: Int(v))
                    DnsLog.emit(DnsLog.warn, t.b)
                    err = -SO_RCVBUF
                }
            }
            if err == 0 && soSndbuf != 0 {
                var v = soSndbuf
                if setsockopt(ns.fd, SOL_SOCKET, SO_SNDBUF, &v, 4) != 0 {
                    var t = DnsText("Couldn't set SO_SNDBUF to "); t.append(int: Int(v))
                    DnsLog.emit(DnsLog.warn, t.b)
                    err = -SO_SNDBUF
                }
            }
            if err == 0 {
                ns.event = event_new(eventBase, ns.fd, Int16(EV_READ | EV_PERSIST), Nameserver.readyCallback, ns.opaque)
                ns.probeTimer = event_new(eventBase, -1, 0, Nameserver.probeCallback, ns.opaque)
                if ns.event == nil || ns.probeTimer == nil {
                    err = 2
                } else if !disableWhenInactive {
                    if event_add(ns.event, nil) < 0 { err = 2 } else { ns.eventAdded = true }
                }
            }
        }
        if err != 0 {
            ns.close()
            var t = DnsText("Unable to add nameserver ")
            t.append(a.text); t.append(": error "); t.append(int: Int(err))
            DnsLog.emit(DnsLog.warn, t.b)
            return err
        }
        var t = DnsText("Added nameserver ")
        t.append(a.text)
        DnsLog.emit(DnsLog.debug, t.b)
        // libevent links a new server right after the current head.
        if servers.isEmpty { servers.append(ns); head = 0 } else { servers.insert(ns, at: head + 1) }
        goodNameservers += 1
        return 0
    }

    /// The next nameserver, preferring ones we think are up; nil if none.
    @_optimize(speed)
    func pickNameserver() -> Nameserver? {
        if servers.isEmpty { return nil }
        if goodNameservers == 0 {
            head = (head + 1) % servers.count
            return servers[head]
        }
        let start = head
        while true {
            let s = servers[head]
            if s.up {
                head = (head + 1) % servers.count
                return s
            }
            head = (head + 1) % servers.count
            if head == start {
                let picked = servers[head]
                head = (head + 1) % servers.count
                return picked
            }
        }
    }

    func swapNameserver(_ req: Request, _ ns: Nameserver?) {
        guard let ns, let old = req.ns, old !== ns else { return }
        old.requestsInflight -= 1
        ns.requestsInflight += 1
        req.ns = ns
    }

    func clearNameserversAndSuspend() {
        if servers.isEmpty { return }
        for s in servers { s.close() }
        servers.removeAll()
        head = 0
        goodNameservers = 0
        suspended = true
        // Queries in flight go back to the front of the waiting queue, in order.
        var back: [Request] = []
        for req in inflightList {
            req.txCount = 0
            req.reissueCount = 0
            req.ns = nil
            req.stopTimer()
            req.transId = 0
            req.transmitMe = false
            req.inflight = false
            back.append(req)
        }
        inflightList.removeAll()
        waiting.insert(contentsOf: back, at: 0)
    }

    // MARK: requests

    @_optimize(speed)
    func pickTransId() -> UInt16 {
        while true {
            let id = DnsRandom.u16()
            if id == 0xffff { continue }
            if !inflightList.contains(where: { $0.transId == id }) { return id }
        }
    }

    /// libevent's request_new: the query packet (0x20-randomized when asked),
    /// an id and a nameserver if it can go out now. nil when the name does
    /// not make a valid query.
    func makeRequest(handle: DnsHandle?, type: UInt16, name: [UInt8], callback: DnsCallback?, user: UnsafeMutableRawPointer?) -> Request? {
        name.withUnsafeBufferPointer { makeRequest(handle: handle, type: type, name: $0, callback: callback, user: user) }
    }

    @_optimize(speed)
    func makeRequest(handle: DnsHandle?, type: UInt16, name: UnsafeBufferPointer<UInt8>, callback: DnsCallback?, user: UnsafeMutableRawPointer?) -> Request? {
        let issuingNow = inflightList.count < maxInflight
        if name.count >= 256 { return nil }
        let id: UInt16 = issuingNow ? pickTransId() : 0xffff
        let capacity = DnsPacket.queryCapacity(name.count)
        guard let block = Memory.malloc(Request.eventSize + ((capacity + 15) & ~15) + Request.addressArea) else { return nil }
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let len: Int? = withUnsafeMutableBytes(of: &bits) { b in
            if randomizeCase != 0 { evutil_secure_rng_get_bytes(b.baseAddress, (name.count + 7) / 8) }
            return DnsPacket.writeQuery((block + Request.eventSize).assumingMemoryBound(to: UInt8.self), name: name, id: id, type: type,
                                        randomBits: randomizeCase != 0 ? UnsafeRawBufferPointer(b) : nil)
        }
        guard let len, let req = Memory.build({
            Request(base: self, type: type, callback: callback, user: user, handle: handle)
        }) else {
            Memory.free(block)
            return nil
        }
        req.packetLen = len
        req.packetCapacity = capacity
        req.transId = id
        if event_assign(block.assumingMemoryBound(to: event.self), eventBase, -1, 0, DnsBase.timeoutCallback,
                        Unmanaged.passUnretained(req).toOpaque()) != 0 {
            Memory.free(block)
            return nil
        }
        req.block = block
        req.ns = issuingNow ? pickNameserver() : nil
        handle?.current = req
        return req
    }

    @_optimize(speed)
    func submit(_ req: Request) {
        if let ns = req.ns {
            req.inflight = true
            inflightList.append(req)
            ns.requestsInflight += 1
            transmit(req)
        } else {
            waiting.append(req)
            armNoServerTimeout(req)
        }
    }

    /// Not in libevent: a query that waits because the base has no
    /// nameserver at all (and was not suspended on purpose) fails with
    /// DNS_ERR_TIMEOUT after the timeout instead of waiting forever.
    func armNoServerTimeout(_ req: Request) {
        if !servers.isEmpty || suspended { return }
        var tv = timeout
        event_add(req.timer, &tv)
    }

    /// Send `req` to its nameserver: 0 sent, 1 not now (choked or failed).
    @discardableResult
    @_optimize(speed)
    func transmit(_ req: Request) -> Int {
        req.transmitMe = true
        guard let ns = req.ns else { return 1 }
        if ns.choked { return 1 }
        var r = 0
        if ns.requestsInflight == 1 && disableWhenInactive && !ns.eventAdded {
            if event_add(ns.event, nil) < 0 { return 1 }
            ns.eventAdded = true
        }
        let pb = req.packet
        let (n, err) = ns.addr.with { sa in DnsSock.retry { sendto(ns.fd, pb.baseAddress, pb.count, 0, __CONST_SOCKADDR_ARG(__sockaddr__: sa), ns.addr.len) } }
        if n < 0 {
            if DnsSock.isRetriable(err) { r = 1 } else {
                ns.failed(cBytes(strerror(err)))
                r = 2
            }
        } else if n != req.packetLen {
            r = 1
        }
        if r == 1 {
            ns.choked = true
            ns.setWriteWaiting(true)
            return 1
        }
        var tv = timeout
        if event_add(req.timer, &tv) < 0 {
            DnsLog.emit(DnsLog.warn, DnsText("Error from libevent when adding timer for request").b)
        }
        req.txCount += 1
        req.transmitMe = false
        return r == 2 ? 1 : 0
    }

    /// Retry every query marked for sending; true if any was.
    func transmitAll() -> Bool {
        var did = false
        for req in inflightList where req.transmitMe {
            did = true
            transmit(req)
        }
        return did
    }

    static let timeoutCallback: event_callback_fn = { _, _, arg in
        let req = Unmanaged<Request>.fromOpaque(arg!).takeUnretainedValue()
        let base = req.base
        base.lock.lock()
        withExtendedLifetime(req) { base.timedOut(req) }
        base.lock.unlock()
    }

    func timedOut(_ req: Request) {
        guard req.inflight, let ns = req.ns else {
            // Waiting with no nameserver to send to (see armNoServerTimeout).
            if !req.inflight && servers.isEmpty && !suspended, let i = waiting.firstIndex(where: { $0 === req }) {
                waiting.remove(at: i)
                req.scheduleCallback(DnsOutcome(err: DNS_ERR_TIMEOUT))
                finishBookkeeping(req, freeHandle: true)
            }
            return
        }
        if req.txCount >= maxRetransmits {
            req.scheduleCallback(DnsOutcome(err: DNS_ERR_TIMEOUT))
            finish(req, freeHandle: true)
            ns.failed(DnsText("request timed out.").b)
        } else {
            req.stopTimer()
            swapNameserver(req, pickNameserver())
            transmit(req)
            if let cur = req.ns {
                cur.timedOut += 1
                if cur.timedOut > maxNameserverTimeouts {
                    cur.timedOut = 0
                    cur.failed(DnsText("request timed out.").b)
                }
            }
        }
    }

    /// Take `req` off its queue and let it go (libevent's request_finished).
    @_optimize(speed)
    func finish(_ req: Request, freeHandle: Bool) {
        if req.inflight {
            if let i = inflightList.firstIndex(where: { $0 === req }) { inflightList.remove(at: i) }
            req.stopTimer()
            req.ns?.requestsInflight -= 1
            req.inflight = false
        } else if let i = waiting.firstIndex(where: { $0 === req }) {
            waiting.remove(at: i)
        }
        finishBookkeeping(req, freeHandle: freeHandle)
    }

    @_optimize(speed)
    private func finishBookkeeping(_ req: Request, freeHandle: Bool) {
        req.stopTimer()
        if let ns = req.ns, ns.requestsInflight == 0, disableWhenInactive {
            event_del(ns.event)
            ns.eventAdded = false
            event_del(ns.probeTimer)
        }
        if let h = req.handle {
            if freeHandle {
                h.search = nil
                h.searchName = []
            }
            h.current = nil
        }
        req.handle = nil
        req.releaseBlock()
        pumpWaiting()
    }

    /// Move waiting queries in flight while there is room.
    func pumpWaiting() {
        while inflightList.count < maxInflight && !waiting.isEmpty {
            let req = waiting.removeFirst()
            guard let ns = pickNameserver() else {
                waiting.insert(req, at: 0)
                return
            }
            req.stopTimer()
            req.ns = ns
            req.setTransId(pickTransId())
            req.inflight = true
            inflightList.append(req)
            ns.requestsInflight += 1
            transmit(req)
            _ = transmitAll()
        }
    }

    /// evdns_cancel_request: the callback gets DNS_ERR_CANCEL from the loop.
    func cancel(_ handle: DnsHandle) {
        guard let req = handle.current else { return }
        if handle.pendingCallback { return }
        req.scheduleCallback(DnsOutcome(err: DNS_ERR_CANCEL))
        finish(req, freeHandle: true)
    }

    /// Reissue to another nameserver; false if there is none to try.
    func reissue(_ req: Request) -> Bool {
        let last = req.ns
        let next = pickNameserver()
        swapNameserver(req, next)
        if req.ns === last { return false }
        req.reissueCount += 1
        req.txCount = 0
        req.transmitMe = true
        return true
    }

    // MARK: replies

    @_optimize(speed)
    func handleReply(_ p: UnsafeRawBufferPointer) {
        var r = DnsPacket.Reader(p)
        guard let h = DnsPacket.header(&r) else { return }
        guard let req = inflightList.first(where: { $0.transId == h.id }) else { return }
        if h.flags & DnsPacket.flagQR == 0 { return }
        let wantCname = req.cnameSink.map { $0.cname == nil } ?? false
        // libevent 2.1.12 compares the names exactly only when randomize-case
        // is off, and ignoring case when it is on (its test is inverted): so do we.
        var reply = DnsPacket.Reply()
        DnsPacket.parseReply(p, header: h, question: req.packet, type: req.type,
                             exactCase: randomizeCase == 0, wantCname: wantCname,
                             area: req.addressArea, areaCapacity: Request.addressArea, into: &reply)
        if let c = reply.cname, let sink = req.cnameSink, sink.cname == nil { sink.cname = c }
        // `req` lives through the call (an argument); `reply` moves in (a
        // closure here would copy it).
        handleOutcome(req, consume reply)
        withExtendedLifetime(req) {}
    }

    private static let rcodeErrors: [Int32] = [DNS_ERR_FORMAT, DNS_ERR_SERVERFAILED, DNS_ERR_NOTEXIST, DNS_ERR_NOTIMPL, DNS_ERR_REFUSED]

    @_optimize(speed)
    func handleOutcome(_ req: Request, _ reply: __owned DnsPacket.Reply) {
        let flags = reply.flags
        if flags & (DnsPacket.rcodeMask | DnsPacket.flagTC) == 0 && reply.parsed && reply.haveAnswer {
            req.scheduleCallback(DnsOutcome(err: 0, ttl: reply.ttl, reply: reply))
            if let ns = req.ns {
                if let p = ns.probe, p === req.handle { ns.probe = nil }
                ns.markUp()
            }
            finish(req, freeHandle: true)
            return
        }
        var error: Int32
        if flags & DnsPacket.flagTC != 0 {
            error = DNS_ERR_TRUNCATED
        } else if flags & DnsPacket.rcodeMask != 0 {
            let code = Int(flags & DnsPacket.rcodeMask) - 1
            error = code > 4 ? DNS_ERR_UNKNOWN : DnsBase.rcodeErrors[code]
        } else if reply.parsed {
            error = DNS_ERR_NODATA
        } else {
            error = DNS_ERR_UNKNOWN
        }
        switch error {
        case DNS_ERR_NOTIMPL, DNS_ERR_REFUSED:
            if req.reissueCount < maxReissues {
                var t = DnsText("Bad response "); t.append(int: Int(error)); t.append(" (")
                t.append(cBytes(evdns_err_to_string(error))); t.append(")")
                req.ns?.failed(t.b)
                if reissue(req) { return }
            }
        case DNS_ERR_SERVERFAILED:
            // Not libevent (which treats SERVFAIL as a timeout of that
            // nameserver): ask the next nameserver at once, without marking
            // this one down; with none left to ask, report SERVERFAILED.
            if req.reissueCount < servers.count - 1, reissue(req) {
                req.stopTimer()
                transmit(req)
                return
            }
        default:
            if let ns = req.ns {
                if let p = ns.probe, p === req.handle { ns.probe = nil }
                ns.markUp()
            }
        }
        if let h = req.handle, h.search != nil, req.type != DnsPacket.typePTR {
            if searchTryNext(h) { return }
        }
        req.scheduleCallback(DnsOutcome(err: error, ttl: reply.parsed ? reply.ttl : 0))
        finish(req, freeHandle: true)
    }

    // MARK: freeing

    /// libevent 2.1 fails the waiting queries first, then those in flight.
    func free(failRequests: Bool) {
        for req in waiting + inflightList {
            if failRequests { req.scheduleCallback(DnsOutcome(err: DNS_ERR_SHUTDOWN)) }
            req.inflight = false
            finishBookkeepingForFree(req)
        }
        inflightList.removeAll()
        waiting.removeAll()
        for s in servers { s.close() }
        servers.removeAll()
        goodNameservers = 0
        search = nil
        hosts.removeAll()
    }

    private func finishBookkeepingForFree(_ req: Request) {
        req.releaseBlock()
        req.handle?.current = nil
        req.handle?.search = nil
        req.handle = nil
    }
}

extension DnsBase {
    /// evdns_base_new: a retained base (released by evdns_base_free).
    static func make(eventBase: OpaquePointer?, flags flagsIn: Int32) -> DnsBase? {
        var flags = flagsIn
        let all = EVDNS_BASE_INITIALIZE_NAMESERVERS | EVDNS_BASE_DISABLE_WHEN_INACTIVE | EVDNS_BASE_NAMESERVERS_NO_DEFAULT
        evutil_secure_rng_init()
        DnsHooks.install()
        if flags & ~all != 0 {
            flags = EVDNS_BASE_INITIALIZE_NAMESERVERS
            DnsLog.emit(DnsLog.warn, DnsText("Unrecognized flag passed to evdns_base_new(). Assuming you meant EVDNS_BASE_INITIALIZE_NAMESERVERS.").b)
        }
        guard let b = Memory.build({ DnsBase(eventBase: eventBase) }) else { return nil }
        b.lock = DnsLock.make()
        if Lock.enabled && b.lock.raw == nil { return nil }
        _ = Unmanaged.passRetained(b)
        if flags & EVDNS_BASE_INITIALIZE_NAMESERVERS != 0 {
            var opts = dnsOptionsAll
            if flags & EVDNS_BASE_NAMESERVERS_NO_DEFAULT != 0 { opts |= DNS_OPTION_NAMESERVERS_NO_DEFAULT }
            b.lock.lock()
            _ = StaticString("/etc/resolv.conf").withCPointer { b.parseResolvConf(flags: opts, path: $0) }
            b.lock.unlock()
        }
        if flags & EVDNS_BASE_DISABLE_WHEN_INACTIVE != 0 { b.disableWhenInactive = true }
        return b
    }
}

/// Run `body` holding the base's lock.
@inline(__always) func dnsLocked<R>(_ b: DnsBase, _ body: () -> R) -> R {
    b.lock.lock()
    defer { b.lock.unlock() }
    return body()
}

/// Start a lookup (evdns_base_resolve_*): the handle, or nil when no query
/// could be made.
func dnsResolve(_ p: OpaquePointer?, type: UInt16, name: [UInt8], flags: Int32, search: Bool, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    name.withUnsafeBufferPointer { dnsResolve(p, type: type, name: $0, flags: flags, search: search, cb, arg) }
}

/// A lookup of `name` (not copied unless a search list needs it).
func dnsResolve(_ p: OpaquePointer?, type: UInt16, name: UnsafeBufferPointer<UInt8>, flags: Int32, search: Bool, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let b = dnsBase(p), let handle = Memory.build({ DnsHandle(base: b) }) else { return nil }
    return dnsLocked(b) {
        if search {
            b.startSearch(handle, type: type, name: name, flags: flags, callback: cb, user: arg)
        } else if let req = b.makeRequest(handle: handle, type: type, name: name, callback: cb, user: arg) {
            b.submit(req)
        }
        return handle.current == nil ? nil : handle.opaque
    }
}
