import CEventExtra

public typealias GetAddrInfoCallback = @convention(c) (Int32, UnsafeMutablePointer<addrinfo>?, UnsafeMutableRawPointer?) -> Void
public typealias AddrInfoPtr = UnsafeMutablePointer<addrinfo>

/// evdns_getaddrinfo: numeric hosts and the hosts table answer at once; a
/// name needs an A and/or an AAAA query, and once one is answered the other
/// gets getaddrinfo-allow-skew more before we answer without it.
///
/// Lock rules: the query handles (v4, v6) and the done/cancelled flags
/// change under the dns base's lock, which evdns_getaddrinfo holds while it
/// starts both queries (so their callbacks, run by the loop, wait for it);
/// the rest is touched only by the request's own callbacks, one at a time;
/// the user callback is called without the lock.
final class GetAddrInfoRequest {
    /// Strong: evdns_base_free(base, 1) delivers DNS_ERR_SHUTDOWN to our
    /// queries after the base is gone (libevent then locks a freed base).
    let base: DnsBase
    var hints: addrinfo
    let cb: GetAddrInfoCallback
    let user: UnsafeMutableRawPointer?
    let port: UInt16
    var v4: DnsHandle? = nil
    var v6: DnsHandle? = nil
    var cname: [UInt8]? = nil
    var pendingResult: AddrInfoPtr? = nil
    var pendingError: Int32 = 0
    var timer: EvPtr? = nil
    var userCanceled = false
    var done = false
    /// The pointer each query's callback gets: this object and which query.
    var sub4: UnsafeMutableRawPointer? = nil
    var sub6: UnsafeMutableRawPointer? = nil

    init(base: DnsBase, hints: addrinfo, cb: @escaping GetAddrInfoCallback, user: UnsafeMutableRawPointer?, port: UInt16) {
        self.base = base
        self.hints = hints
        self.cb = cb
        self.user = user
        self.port = port
    }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    /// Let go of everything; the object goes when the last callback drops it.
    func release() {
        if let p = pendingResult { evutil_freeaddrinfo(p); pendingResult = nil }
        if let t = timer { event_del(t); event_free(t); timer = nil }
        DnsMem.free(sub4); sub4 = nil
        DnsMem.free(sub6); sub6 = nil
        Unmanaged.passUnretained(self).release()
    }

    static let timeoutCallback: event_callback_fn = { _, _, arg in
        let data = Unmanaged<GetAddrInfoRequest>.fromOpaque(arg!).takeUnretainedValue()
        withExtendedLifetime(data) { data.otherTookTooLong() }
    }

    /// One answer is in and the other query took too long: cancel it and
    /// answer with what we have.
    func otherTookTooLong() {
        var v4Out = false, v6Out = false
        if let r = v4 { base.lock.lock(); base.cancel(r); base.lock.unlock(); v4Out = true }
        if let r = v6 { base.lock.lock(); base.cancel(r); base.lock.unlock(); v6Out = true }
        if let res = pendingResult {
            addCname(res)
            pendingResult = nil
            cb(0, res, user)
        } else {
            cb(pendingError != 0 ? pendingError : EVUTIL_EAI_AGAIN, nil, user)
        }
        if !v4Out && !v6Out { release() }
    }

    func addCname(_ ai: AddrInfoPtr) {
        if let c = cname, ai.pointee.ai_canonname == nil {
            ai.pointee.ai_canonname = DnsMem.cString(c)
            cname = nil
        }
    }

    func startSkewTimer() {
        var tv = base.getaddrinfoAllowSkew
        event_add(timer, &tv)
    }

    static let gotResolve: DnsCallback = { result, type, count, _, addresses, arg in
        let raw = arg!
        let isV4 = raw.load(fromByteOffset: 8, as: Int.self) == 4
        let data = Unmanaged<GetAddrInfoRequest>.fromOpaque(raw.load(as: UnsafeRawPointer.self)).takeUnretainedValue()
        withExtendedLifetime(data) {
            data.resolved(isV4: isV4, result: result, type: type, count: count, addresses: addresses)
        }
    }

    func resolved(isV4: Bool, result: Int32, type: CChar, count: Int32, addresses: UnsafeMutableRawPointer?) {
        // DNS_ERR_SHUTDOWN comes from evdns_base_free(base, 1): the base and
        // its lock may be gone when this deferred callback runs, so it is
        // not touched (libevent's rule; its regress dns/client_fail_requests_getaddrinfo).
        let shutdown = result == DNS_ERR_SHUTDOWN
        if !shutdown { base.lock.lock() }
        let other = isV4 ? v6 : v4
        let canceled = userCanceled
        if other == nil { done = true }
        if isV4 { v4 = nil } else { v6 = nil }
        if !shutdown { base.lock.unlock() }

        if result == DNS_ERR_CANCEL && !canceled {
            // Cancelled by us (the skew timer): the user already has an answer.
            if other == nil { release() }
            return
        }
        var err: Int32
        if result == DNS_ERR_NONE {
            err = count == 0 ? EVUTIL_EAI_NODATA : 0
        } else {
            err = result == DNS_ERR_NOTEXIST ? EVUTIL_EAI_NONAME : EVUTIL_EAI_FAIL
        }
        if err != 0 {
            if other != nil {
                if !shutdown { startSkewTimer() }
                pendingError = err
                return
            }
            if canceled {
                cb(EVUTIL_EAI_CANCEL, nil, user)
            } else if let res = pendingResult {
                addCname(res)
                pendingResult = nil
                cb(0, res, user)
            } else {
                if pendingError != 0 && err == 0 { err = pendingError }
                cb(err, nil, user)
            }
            release()
            return
        } else if canceled {
            if other != nil { return }
            cb(EVUTIL_EAI_CANCEL, nil, user)
            release()
            return
        }
        var res: AddrInfoPtr? = nil
        let unit = isV4 ? 4 : 16
        for i in 0..<Int(max(count, 0)) {
            guard let addresses, let ai = GetAddrInfoRequest.entries(family: isV4 ? AF_INET : AF_INET6,
                                                            addr: UnsafeRawPointer(addresses) + i * unit, port: port, hints: hints) else {
                if let o = other { base.lock.lock(); base.cancel(o); base.lock.unlock() }
                cb(EVUTIL_EAI_MEMORY, nil, user)
                if let r = res { evutil_freeaddrinfo(r) }
                if other == nil { release() }
                return
            }
            res = GetAddrInfoRequest.append(res, ai)
        }
        if other != nil {
            startSkewTimer()
            pendingResult = res
            return
        }
        if let p = pendingResult {
            res = isV4 ? GetAddrInfoRequest.append(res, p) : GetAddrInfoRequest.append(p, res)
            pendingResult = nil
        }
        if let r = res { addCname(r) }
        cb(0, res, user)
        release()
    }

    // MARK: addrinfo lists (the core's evutil_new_addrinfo_, so that
    // evutil_freeaddrinfo frees them)

    static func entries(family: Int32, addr: UnsafeRawPointer, port: UInt16, hints: addrinfo) -> AddrInfoPtr? {
        var h = hints
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.baseAddress!.copyMemory(from: addr, byteCount: 4) }
            return withUnsafeMutableBytes(of: &sin) {
                evutil_new_addrinfo_($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count), &h)
            }
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.baseAddress!.copyMemory(from: addr, byteCount: 16) }
        return withUnsafeMutableBytes(of: &sin6) {
            evutil_new_addrinfo_($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count), &h)
        }
    }

    static func append(_ a: AddrInfoPtr?, _ b: AddrInfoPtr?) -> AddrInfoPtr? { evutil_addrinfo_append_(a, b) }

    /// The hosts table's answer: nil if the name is not in it; an empty
    /// list if it is, but not with the family asked for.
    static func fromHosts(_ base: DnsBase, _ name: [UInt8], _ hints: addrinfo, _ port: UInt16) -> (Bool, AddrInfoPtr?) {
        var found = 0
        var res: AddrInfoPtr? = nil
        for e in base.hosts where DnsName.equalIgnoringCase(e.name, name) {
            found += 1
            let f = e.addr.family
            if (f == AF_INET && hints.ai_family == AF_INET6) || (f == AF_INET6 && hints.ai_family == AF_INET) { continue }
            var h = hints
            var ss = e.addr.ss
            guard let ai = withUnsafeMutableBytes(of: &ss, {
                evutil_new_addrinfo_($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), e.addr.len, &h)
            }) else {
                if let r = res { evutil_freeaddrinfo(r) }
                return (false, nil)
            }
            // libevent sets the port on the first entry of the pair only.
            UnsafeMutableRawPointer(ai.pointee.ai_addr).storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
            res = append(res, ai)
        }
        return (found > 0, res)
    }

    /// evdns_getaddrinfo: answers at once (numeric, hosts file, errors:
    /// nil returned) or starts the A and/or AAAA queries.
    static func start(_ b: DnsBase?, _ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                      _ hintsIn: UnsafePointer<addrinfo>?, _ cb: @escaping GetAddrInfoCallback, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
        guard let b else {
            DnsLog.emit(DnsLog.warn, DnsText("Call to getaddrinfo_async with no evdns_base configured.").b)
            cb(EVUTIL_EAI_FAIL, nil, arg)
            return nil
        }
        if let h = hintsIn, h.pointee.ai_flags & EVUTIL_AI_NUMERICHOST != 0 {
            var res: AddrInfoPtr? = nil
            let err = evutil_getaddrinfo(node, service, h, &res)
            cb(err, res, arg)
            return nil
        }
        var hints = hintsIn?.pointee ?? addrinfo()
        if hintsIn == nil { hints.ai_family = AF_UNSPEC }
        evutil_adjust_hints_for_addrconfig_(&hints)
        var res: AddrInfoPtr? = nil
        var portNumber: Int32 = 0
        let err = evutil_getaddrinfo_common_(node, service, &hints, &res, &portNumber)
        if err != EVUTIL_EAI_NEED_RESOLVE {
            cb(err, res, arg)
            return nil
        }
        let port = UInt16(truncatingIfNeeded: portNumber)
        let name = cBytes(node)
        let (found, fromHosts) = dnsLocked(b) { GetAddrInfoRequest.fromHosts(b, name, hints, port) }
        if found {
            cb(0, fromHosts, arg)
            return nil
        }
        guard let data = Memory.build({ GetAddrInfoRequest(base: b, hints: hints, cb: cb, user: arg, port: port) }) else {
            cb(EVUTIL_EAI_MEMORY, nil, arg)
            return nil
        }
        _ = Unmanaged.passRetained(data)
        let me = Unmanaged.passUnretained(data).toOpaque()
        data.timer = event_new(b.eventBase, -1, 0, GetAddrInfoRequest.timeoutCallback, me)
        let wantCname = hints.ai_flags & EVUTIL_AI_CANONNAME != 0
        func sub(_ tag: Int) -> UnsafeMutableRawPointer? {
            guard let s = DnsMem.malloc(16) else { return nil }
            s.storeBytes(of: UnsafeRawPointer(me), as: UnsafeRawPointer.self)
            s.storeBytes(of: tag, toByteOffset: 8, as: Int.self)
            return s
        }
        b.lock.lock()
        if data.timer != nil {
            if hints.ai_family != AF_INET6, let s = sub(4) {
                data.sub4 = s
                if let h = dnsResolve(b.opaque, type: DnsPacket.typeA, name: name, flags: 0, search: true, GetAddrInfoRequest.gotResolve, s) {
                    let handle = DnsHandle.from(h)
                    data.v4 = handle
                    if wantCname { handle.current?.cnameSink = data }
                }
            }
            if hints.ai_family != AF_INET, let s = sub(6) {
                data.sub6 = s
                if let h = dnsResolve(b.opaque, type: DnsPacket.typeAAAA, name: name, flags: 0, search: true, GetAddrInfoRequest.gotResolve, s) {
                    let handle = DnsHandle.from(h)
                    data.v6 = handle
                    if wantCname { handle.current?.cnameSink = data }
                }
            }
        }
        let started = data.v4 != nil || data.v6 != nil
        b.lock.unlock()
        if started { return data.opaque }
        data.release()
        cb(EVUTIL_EAI_FAIL, nil, arg)
        return nil
    }
}
