import CEventExtra

public typealias GetAddrInfoCallback = @convention(c) (Int32, UnsafeMutablePointer<addrinfo>?, UnsafeMutableRawPointer?) -> Void
public typealias AddrInfoPtr = UnsafeMutablePointer<addrinfo>

/// evdns_getaddrinfo: numeric hosts and the hosts table answer at once; a
/// name needs an A and/or an AAAA query, and once one is answered the other
/// gets getaddrinfo-allow-skew more before we answer without it.
///
/// Lock rules: the request's fields are changed under its dns base's lock
/// or from its own callbacks, which the loop runs one at a time; the user
/// callback is called without the lock.
final class GetAddrInfoRequest {
    unowned(unsafe) let base: DnsBase
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
        base.lock.lock()
        let other = isV4 ? v6 : v4
        let canceled = userCanceled
        if other == nil { done = true }
        base.lock.unlock()
        if isV4 { v4 = nil } else { v6 = nil }

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
                startSkewTimer()
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

    // MARK: addrinfo lists (each entry and its sockaddr one block, marked
    // as libevent-made so evutil_freeaddrinfo frees them)

    static let libeventAllocated = Int32(bitPattern: 0x8000_0000)

    static func entries(family: Int32, addr: UnsafeRawPointer, port: UInt16, hints: addrinfo) -> AddrInfoPtr? {
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.baseAddress!.copyMemory(from: addr, byteCount: 4) }
            return withUnsafeBytes(of: &sin) { make($0, hints) }
        }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.baseAddress!.copyMemory(from: addr, byteCount: 16) }
        return withUnsafeBytes(of: &sin6) { make($0, hints) }
    }

    /// libevent's evutil_new_addrinfo_: a TCP and a UDP entry when the hints
    /// name neither socket type nor protocol.
    static func make(_ sa: UnsafeRawBufferPointer, _ hints: addrinfo) -> AddrInfoPtr? {
        if hints.ai_socktype == 0 && hints.ai_protocol == 0 {
            var h = hints
            h.ai_socktype = Int32(SOCK_STREAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_TCP)
            guard let tcp = make(sa, h) else { return nil }
            h.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_UDP)
            guard let udp = make(sa, h) else { evutil_freeaddrinfo(tcp); return nil }
            tcp.pointee.ai_next = udp
            return tcp
        }
        let stride = MemoryLayout<addrinfo>.stride
        guard let raw = DnsMem.calloc(stride + sa.count) else { return nil }
        let ai = raw.bindMemory(to: addrinfo.self, capacity: 1)
        let addr = raw + stride
        addr.copyMemory(from: sa.baseAddress!, byteCount: sa.count)
        ai.pointee.ai_addr = addr.assumingMemoryBound(to: sockaddr.self)
        ai.pointee.ai_addrlen = socklen_t(sa.count)
        ai.pointee.ai_family = Int32(ai.pointee.ai_addr.pointee.sa_family)
        ai.pointee.ai_socktype = hints.ai_socktype
        ai.pointee.ai_protocol = hints.ai_protocol
        ai.pointee.ai_flags = hints.ai_flags | libeventAllocated
        return ai
    }

    static func append(_ a: AddrInfoPtr?, _ b: AddrInfoPtr?) -> AddrInfoPtr? {
        guard let a else { return b }
        var last = a
        while let n = last.pointee.ai_next { last = n }
        last.pointee.ai_next = b
        return a
    }

    // MARK: answering at once

    enum Immediate { case answered(Int32, AddrInfoPtr?), needLookup(UInt16) }

    static func inferProtocol(_ h: inout addrinfo) {
        if h.ai_protocol != 0 { return }
        if h.ai_socktype == Int32(SOCK_STREAM.rawValue) { h.ai_protocol = Int32(IPPROTO_TCP) }
        else if h.ai_socktype == Int32(SOCK_DGRAM.rawValue) { h.ai_protocol = Int32(IPPROTO_UDP) }
    }

    static func parseService(_ s: UnsafePointer<CChar>, _ hints: addrinfo) -> Int32 {
        var end: UnsafeMutablePointer<CChar>? = nil
        let n = Int32(truncatingIfNeeded: strtol(s, &end, 10))
        if n >= 0 && n <= 65535 && s.pointee != 0, let end, end.pointee == 0 { return n }
        if hints.ai_flags & EVUTIL_AI_NUMERICSERV != 0 { return -1 }
        let proto: StaticString? = hints.ai_protocol == Int32(IPPROTO_TCP) ? "tcp" : (hints.ai_protocol == Int32(IPPROTO_UDP) ? "udp" : nil)
        let ent: UnsafeMutablePointer<servent>?
        if let proto { ent = proto.withCPointer { getservbyname(s, $0) } } else { ent = getservbyname(s, nil) }
        guard let ent else { return -1 }
        return Int32(UInt16(truncatingIfNeeded: ent.pointee.s_port).bigEndian)
    }

    /// libevent's evutil_getaddrinfo_common_: no host, or a numeric one.
    /// Like libevent's, it fills in the protocol of the caller's hints.
    static func immediate(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?, _ hints: inout addrinfo) -> Immediate {
        if node == nil && service == nil { return .answered(EVUTIL_EAI_NONAME, nil) }
        if hints.ai_family != AF_UNSPEC && hints.ai_family != AF_INET && hints.ai_family != AF_INET6 {
            return .answered(EVUTIL_EAI_FAMILY, nil)
        }
        inferProtocol(&hints)
        var port: Int32 = 0
        if let service {
            port = parseService(service, hints)
            if port < 0 { return .answered(EVUTIL_EAI_NONAME, nil) }
        }
        let p = UInt16(truncatingIfNeeded: port)
        let passive = hints.ai_flags & EVUTIL_AI_PASSIVE != 0
        guard let node else {
            var v6: AddrInfoPtr? = nil, v4: AddrInfoPtr? = nil
            if hints.ai_family != AF_INET {
                var a = [UInt8](repeating: 0, count: 16)
                if !passive { a[15] = 1 }
                guard let r = a.withUnsafeBytes({ entries(family: AF_INET6, addr: $0.baseAddress!, port: p, hints: hints) }) else { return .answered(EVUTIL_EAI_MEMORY, nil) }
                v6 = r
            }
            if hints.ai_family != AF_INET6 {
                let a: [UInt8] = passive ? [0, 0, 0, 0] : [127, 0, 0, 1]
                guard let r = a.withUnsafeBytes({ entries(family: AF_INET, addr: $0.baseAddress!, port: p, hints: hints) }) else {
                    if let v6 { evutil_freeaddrinfo(v6) }
                    return .answered(EVUTIL_EAI_MEMORY, nil)
                }
                v4 = r
            }
            return .answered(0, append(v4, v6))
        }
        var buf = [UInt8](repeating: 0, count: 16)
        if hints.ai_family == AF_INET6 || hints.ai_family == AF_UNSPEC {
            if buf.withUnsafeMutableBytes({ evutil_inet_pton(AF_INET6, node, $0.baseAddress) }) == 1 {
                let r = buf.withUnsafeBytes { entries(family: AF_INET6, addr: $0.baseAddress!, port: p, hints: hints) }
                return r == nil ? .answered(EVUTIL_EAI_MEMORY, nil) : .answered(0, r)
            }
        }
        if hints.ai_family == AF_INET || hints.ai_family == AF_UNSPEC {
            if buf.withUnsafeMutableBytes({ evutil_inet_pton(AF_INET, node, $0.baseAddress) }) == 1 {
                let r = buf.withUnsafeBytes { entries(family: AF_INET, addr: $0.baseAddress!, port: p, hints: hints) }
                return r == nil ? .answered(EVUTIL_EAI_MEMORY, nil) : .answered(0, r)
            }
        }
        if hints.ai_flags & EVUTIL_AI_NUMERICHOST != 0 { return .answered(EVUTIL_EAI_NONAME, nil) }
        return .needLookup(p)
    }

    /// The hosts table's answer: nil if the name is not in it; an empty
    /// list if it is, but not with the family asked for.
    static func fromHosts(_ base: DnsBase, _ name: [UInt8], _ hints: addrinfo, _ port: UInt16) -> (Bool, AddrInfoPtr?) {
        var found = 0
        var res: AddrInfoPtr? = nil
        for e in base.hosts where DnsName.equalIgnoringCase(e.name, name) {
            found += 1
            let f = e.addr.family
            if (f == AF_INET && hints.ai_family == AF_INET6) || (f == AF_INET6 && hints.ai_family == AF_INET) { continue }
            guard let ai = withUnsafeBytes(of: e.addr.ss, { make(UnsafeRawBufferPointer(rebasing: $0[0..<Int(e.addr.len)]), hints) }) else {
                if let r = res { evutil_freeaddrinfo(r) }
                return (false, nil)
            }
            // libevent sets the port on the first entry of the pair only.
            UnsafeMutableRawPointer(ai.pointee.ai_addr).storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
            res = append(res, ai)
        }
        return (found > 0, res)
    }
}
