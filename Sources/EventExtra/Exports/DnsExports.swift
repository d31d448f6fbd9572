import CEventExtra

// dns.h and dns_compat.h: thin entry points over Dns/. A NULL base, where
// libevent would crash, returns its failure value.

nonisolated(unsafe) var dnsCurrentBase: OpaquePointer? = nil

@inline(__always) func dnsBase(_ p: OpaquePointer?) -> DnsBase? { p.map { DnsBase.from($0) } }


@_cdecl("evdns_base_new")
public func evdns_base_new(_ eventBase: OpaquePointer?, _ flags: Int32) -> OpaquePointer? {
    DnsBase.make(eventBase: eventBase, flags: flags)?.opaque
}

@_cdecl("evdns_base_free")
public func evdns_base_free(_ p: OpaquePointer?, _ failRequests: Int32) {
    guard let b = dnsBase(p) else { return }
    if dnsCurrentBase == p { dnsCurrentBase = nil }
    b.lock.lock()
    b.free(failRequests: failRequests != 0)
    b.lock.unlock()
    // Objects still holding the base (a getaddrinfo awaiting its shutdown
    // callback) must not reach the freed lock.
    let l = b.lock
    b.lock = DnsLock()
    l.free()
    Unmanaged<DnsBase>.fromOpaque(UnsafeRawPointer(p!)).release()
}

@_cdecl("evdns_base_clear_host_addresses")
public func evdns_base_clear_host_addresses(_ p: OpaquePointer?) {
    guard let b = dnsBase(p) else { return }
    dnsLocked(b) { b.hosts.removeAll() }
}

@_cdecl("evdns_err_to_string")
public func evdns_err_to_string(_ err: Int32) -> UnsafePointer<CChar>? {
    let s: StaticString
    switch err {
    case DNS_ERR_NONE: s = "no error"
    case DNS_ERR_FORMAT: s = "misformatted query"
    case DNS_ERR_SERVERFAILED: s = "server failed"
    case DNS_ERR_NOTEXIST: s = "name does not exist"
    case DNS_ERR_NOTIMPL: s = "query not implemented"
    case DNS_ERR_REFUSED: s = "refused"
    case DNS_ERR_TRUNCATED: s = "reply truncated or ill-formed"
    case DNS_ERR_UNKNOWN: s = "unknown"
    case DNS_ERR_TIMEOUT: s = "request timed out"
    case DNS_ERR_SHUTDOWN: s = "dns subsystem shut down"
    case DNS_ERR_CANCEL: s = "dns request canceled"
    case DNS_ERR_NODATA: s = "no records in the reply"
    default: s = "[Unknown error code]"
    }
    return s.withCPointer { $0 }
}

@_cdecl("evdns_base_nameserver_add")
public func evdns_base_nameserver_add(_ p: OpaquePointer?, _ address: UInt) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_port = UInt16(53).bigEndian
    sin.sin_addr.s_addr = UInt32(truncatingIfNeeded: address)
    let a = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { DnsAddr($0, MemoryLayout<sockaddr_in>.size)! } }
    return dnsLocked(b) { b.addNameserver(a) }
}

@_cdecl("evdns_base_count_nameservers")
public func evdns_base_count_nameservers(_ p: OpaquePointer?) -> Int32 {
    guard let b = dnsBase(p) else { return 0 }
    return dnsLocked(b) { Int32(b.servers.count) }
}

@_cdecl("evdns_base_clear_nameservers_and_suspend")
public func evdns_base_clear_nameservers_and_suspend(_ p: OpaquePointer?) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    dnsLocked(b) { b.clearNameserversAndSuspend() }
    return 0
}

@_cdecl("evdns_base_resume")
public func evdns_base_resume(_ p: OpaquePointer?) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    dnsLocked(b) {
        b.suspended = false
        b.pumpWaiting()
        for r in b.waiting { b.armNoServerTimeout(r) }
    }
    return 0
}

@_cdecl("evdns_base_nameserver_ip_add")
public func evdns_base_nameserver_ip_add(_ p: OpaquePointer?, _ ip: UnsafePointer<CChar>?) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    guard let ip else { return 4 }
    return dnsLocked(b) { b.addNameserver(text: cBytes(ip)) }
}

@_cdecl("evdns_base_nameserver_sockaddr_add")
public func evdns_base_nameserver_sockaddr_add(_ p: OpaquePointer?, _ sa: UnsafePointer<sockaddr>?, _ len: socklen_t, _ flags: UInt32) -> Int32 {
    guard let b = dnsBase(p), let sa else { return -1 }
    guard let a = DnsAddr(sa, Int(len)) else { return 2 }
    return dnsLocked(b) { b.addNameserver(a) }
}

@_cdecl("evdns_base_get_nameserver_addr")
public func evdns_base_get_nameserver_addr(_ p: OpaquePointer?, _ idx: Int32, _ sa: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    return dnsLocked(b) {
        if idx < 0 || Int(idx) >= b.servers.count { return -1 }
        let s = b.servers[(b.head + Int(idx)) % b.servers.count]
        if s.addr.len > len { return Int32(s.addr.len) }
        if let sa { withUnsafeBytes(of: s.addr.ss) { UnsafeMutableRawPointer(sa).copyMemory(from: $0.baseAddress!, byteCount: Int(s.addr.len)) } }
        return Int32(s.addr.len)
    }
}

@_cdecl("evdns_base_resolve_ipv4")
public func evdns_base_resolve_ipv4(_ p: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let name else { return nil }
    return dnsResolve(p, type: DnsPacket.typeA, name: cView(name), flags: flags, search: true, cb, arg)
}

@_cdecl("evdns_base_resolve_ipv6")
public func evdns_base_resolve_ipv6(_ p: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let name else { return nil }
    return dnsResolve(p, type: DnsPacket.typeAAAA, name: cView(name), flags: flags, search: true, cb, arg)
}

@_cdecl("evdns_base_resolve_reverse")
public func evdns_base_resolve_reverse(_ p: OpaquePointer?, _ ina: UnsafePointer<in_addr>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let ina else { return nil }
    return dnsResolve(p, type: DnsPacket.typePTR, name: DnsReverse.ipv4(ina.pointee), flags: flags, search: false, cb, arg)
}

@_cdecl("evdns_base_resolve_reverse_ipv6")
public func evdns_base_resolve_reverse_ipv6(_ p: OpaquePointer?, _ in6: UnsafePointer<in6_addr>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let in6 else { return nil }
    return dnsResolve(p, type: DnsPacket.typePTR, name: DnsReverse.ipv6(in6.pointee), flags: flags, search: false, cb, arg)
}

@_cdecl("evdns_cancel_request")
public func evdns_cancel_request(_ p: OpaquePointer?, _ r: OpaquePointer?) {
    guard let r else { return }
    let h = DnsHandle.from(r)
    if h.current == nil { return }
    let b = dnsBase(p) ?? h.base
    withExtendedLifetime(h) { dnsLocked(b) { b.cancel(h) } }
}

@_cdecl("evdns_base_set_option")
public func evdns_base_set_option(_ p: OpaquePointer?, _ option: UnsafePointer<CChar>?, _ val: UnsafePointer<CChar>?) -> Int32 {
    guard let b = dnsBase(p), let option, let val else { return -1 }
    return dnsLocked(b) { b.setOption(cBytes(option), cBytes(val), flags: dnsOptionsAll) }
}

@_cdecl("evdns_base_resolv_conf_parse")
public func evdns_base_resolv_conf_parse(_ p: OpaquePointer?, _ flags: Int32, _ filename: UnsafePointer<CChar>?) -> Int32 {
    guard let b = dnsBase(p) else { return -1 }
    return dnsLocked(b) { b.parseResolvConf(flags: flags, path: filename) }
}

@_cdecl("evdns_base_load_hosts")
public func evdns_base_load_hosts(_ p: OpaquePointer?, _ fname: UnsafePointer<CChar>?) -> Int32 {
    guard let b = dnsBase(p ?? dnsCurrentBase) else { return -1 }
    return dnsLocked(b) { b.loadHosts(path: fname) }
}

@_cdecl("evdns_base_search_clear")
public func evdns_base_search_clear(_ p: OpaquePointer?) {
    guard let b = dnsBase(p) else { return }
    dnsLocked(b) { b.searchClear() }
}

@_cdecl("evdns_base_search_add")
public func evdns_base_search_add(_ p: OpaquePointer?, _ domain: UnsafePointer<CChar>?) {
    guard let b = dnsBase(p), let domain else { return }
    dnsLocked(b) { b.searchAdd(cBytes(domain)) }
}

@_cdecl("evdns_base_search_ndots_set")
public func evdns_base_search_ndots_set(_ p: OpaquePointer?, _ ndots: Int32) {
    guard let b = dnsBase(p) else { return }
    dnsLocked(b) { b.searchState().ndots = ndots }
}

@_cdecl("evdns_set_log_fn")
public func evdns_set_log_fn(_ fn: DnsLog.Fn?) { DnsLog.fn = fn }

/// No-ops in libevent 2.1 too: ids and 0x20 bits come from its secure RNG.
@_cdecl("evdns_set_transaction_id_fn")
public func evdns_set_transaction_id_fn(_ fn: (@convention(c) () -> UInt16)?) {}

@_cdecl("evdns_set_random_bytes_fn")
public func evdns_set_random_bytes_fn(_ fn: (@convention(c) (UnsafeMutablePointer<CChar>?, Int) -> Void)?) {}

// MARK: server

@_cdecl("evdns_add_server_port_with_base")
public func evdns_add_server_port_with_base(_ base: OpaquePointer?, _ fd: Int32, _ flags: Int32, _ cb: ServerCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    if flags != 0 { return nil }
    guard let port = Memory.build({ ServerPort(fd: fd, eventBase: base, callback: cb, user: arg) }) else { return nil }
    let ctx = Unmanaged.passRetained(port).toOpaque()
    guard let ev = event_new(base, fd, Int16(EV_READ | EV_PERSIST), ServerPort.ready, ctx), event_add(ev, nil) == 0 else {
        Unmanaged<ServerPort>.fromOpaque(ctx).release()
        return nil
    }
    port.event = ev
    port.lock = DnsLock.make()
    return port.opaque
}

@_cdecl("evdns_add_server_port")
public func evdns_add_server_port(_ fd: Int32, _ flags: Int32, _ cb: ServerCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    evdns_add_server_port_with_base(nil, fd, flags, cb, arg)
}

@_cdecl("evdns_close_server_port")
public func evdns_close_server_port(_ p: OpaquePointer?) {
    guard let p else { return }
    let port = Unmanaged<ServerPort>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    port.lock.lock()
    if port.refs == 1 {
        port.lock.unlock()
        port.unref()
    } else {
        port.refs -= 1
        port.closing = true
        port.lock.unlock()
    }
}

@inline(__always) func serverRequest(_ r: UnsafeMutablePointer<evdns_server_request>?) -> ServerRequest? { r.map { ServerRequest.from($0) } }

@_cdecl("evdns_server_request_set_flags")
public func evdns_server_request_set_flags(_ r: UnsafeMutablePointer<evdns_server_request>?, _ flags: Int32) {
    guard let r else { return }
    r.pointee.flags &= ~(EVDNS_FLAGS_AA | EVDNS_FLAGS_RD)
    r.pointee.flags |= flags
}

@_cdecl("evdns_server_request_add_reply")
public func evdns_server_request_add_reply(_ r: UnsafeMutablePointer<evdns_server_request>?, _ section: Int32, _ name: UnsafePointer<CChar>?,
                                           _ type: Int32, _ cls: Int32, _ ttl: Int32, _ datalen: Int32, _ isName: Int32, _ data: UnsafePointer<CChar>?) -> Int32 {
    guard let req = serverRequest(r), let name else { return -1 }
    return req.addReply(section: section, name: name, type: type, cls: cls, ttl: ttl, datalen: datalen, isName: isName != 0, data: data)
}

@_cdecl("evdns_server_request_add_a_reply")
public func evdns_server_request_add_a_reply(_ r: UnsafeMutablePointer<evdns_server_request>?, _ name: UnsafePointer<CChar>?, _ n: Int32, _ addrs: UnsafeRawPointer?, _ ttl: Int32) -> Int32 {
    evdns_server_request_add_reply(r, EVDNS_ANSWER_SECTION, name, EVDNS_TYPE_A, EVDNS_CLASS_INET, ttl, n &* 4, 0, addrs?.assumingMemoryBound(to: CChar.self))
}

@_cdecl("evdns_server_request_add_aaaa_reply")
public func evdns_server_request_add_aaaa_reply(_ r: UnsafeMutablePointer<evdns_server_request>?, _ name: UnsafePointer<CChar>?, _ n: Int32, _ addrs: UnsafeRawPointer?, _ ttl: Int32) -> Int32 {
    evdns_server_request_add_reply(r, EVDNS_ANSWER_SECTION, name, EVDNS_TYPE_AAAA, EVDNS_CLASS_INET, ttl, n &* 16, 0, addrs?.assumingMemoryBound(to: CChar.self))
}

@_cdecl("evdns_server_request_add_ptr_reply")
public func evdns_server_request_add_ptr_reply(_ r: UnsafeMutablePointer<evdns_server_request>?, _ ina: UnsafeMutablePointer<in_addr>?, _ inaddrName: UnsafePointer<CChar>?, _ hostname: UnsafePointer<CChar>?, _ ttl: Int32) -> Int32 {
    if (ina == nil) == (inaddrName == nil) { return -1 }
    if let ina {
        var n = DnsReverse.ipv4(ina.pointee)
        n.append(0)
        return n.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { evdns_server_request_add_reply(r, EVDNS_ANSWER_SECTION, $0.baseAddress, EVDNS_TYPE_PTR, EVDNS_CLASS_INET, ttl, -1, 1, hostname) }
        }
    }
    return evdns_server_request_add_reply(r, EVDNS_ANSWER_SECTION, inaddrName, EVDNS_TYPE_PTR, EVDNS_CLASS_INET, ttl, -1, 1, hostname)
}

@_cdecl("evdns_server_request_add_cname_reply")
public func evdns_server_request_add_cname_reply(_ r: UnsafeMutablePointer<evdns_server_request>?, _ name: UnsafePointer<CChar>?, _ cname: UnsafePointer<CChar>?, _ ttl: Int32) -> Int32 {
    evdns_server_request_add_reply(r, EVDNS_ANSWER_SECTION, name, EVDNS_TYPE_CNAME, EVDNS_CLASS_INET, ttl, -1, 1, cname)
}

@_cdecl("evdns_server_request_respond")
public func evdns_server_request_respond(_ r: UnsafeMutablePointer<evdns_server_request>?, _ err: Int32) -> Int32 {
    serverRequest(r)?.respond(err) ?? -1
}

@_cdecl("evdns_server_request_drop")
public func evdns_server_request_drop(_ r: UnsafeMutablePointer<evdns_server_request>?) -> Int32 {
    guard let req = serverRequest(r) else { return -1 }
    let port = req.port
    port.lock.lock()
    withExtendedLifetime(port) { _ = req.free() }
    port.lock.unlock()
    return 0
}

@_cdecl("evdns_server_request_get_requesting_addr")
public func evdns_server_request_get_requesting_addr(_ r: UnsafeMutablePointer<evdns_server_request>?, _ sa: UnsafeMutablePointer<sockaddr>?, _ len: Int32) -> Int32 {
    guard let req = serverRequest(r), let sa else { return -1 }
    if len < Int32(req.addr.len) { return -1 }
    withUnsafeBytes(of: req.addr.ss) { UnsafeMutableRawPointer(sa).copyMemory(from: $0.baseAddress!, byteCount: Int(req.addr.len)) }
    return Int32(req.addr.len)
}

// MARK: getaddrinfo

@_cdecl("evdns_getaddrinfo")
public func evdns_getaddrinfo(_ p: OpaquePointer?, _ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                              _ hintsIn: UnsafePointer<addrinfo>?, _ cb: GetAddrInfoCallback?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let cb else { return nil }
    return GetAddrInfoRequest.start(dnsBase(p ?? dnsCurrentBase), node, service, hintsIn, cb, arg)
}

@_cdecl("evdns_getaddrinfo_cancel")
public func evdns_getaddrinfo_cancel(_ p: OpaquePointer?) {
    guard let p else { return }
    let data = Unmanaged<GetAddrInfoRequest>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    let b = data.base
    dnsLocked(b) {
        if data.done { return }
        event_del(data.timer)
        data.userCanceled = true
        if let r = data.v4 { b.cancel(r) }
        if let r = data.v6 { b.cancel(r) }
    }
}

// MARK: dns_compat.h

@_cdecl("evdns_init")
public func evdns_init() -> Int32 {
    guard let b = evdns_base_new(nil, 1) else { return -1 }
    dnsCurrentBase = b
    return 0
}

@_cdecl("evdns_get_global_base")
public func evdns_get_global_base() -> OpaquePointer? { dnsCurrentBase }

@_cdecl("evdns_shutdown")
public func evdns_shutdown(_ failRequests: Int32) {
    if let b = dnsCurrentBase {
        dnsCurrentBase = nil
        evdns_base_free(b, failRequests)
    }
    DnsLog.fn = nil
}

func dnsGlobalBase() -> OpaquePointer? {
    if dnsCurrentBase == nil { dnsCurrentBase = evdns_base_new(nil, 0) }
    return dnsCurrentBase
}

@_cdecl("evdns_nameserver_add")
public func evdns_nameserver_add(_ address: UInt) -> Int32 { evdns_base_nameserver_add(dnsGlobalBase(), address) }

@_cdecl("evdns_count_nameservers")
public func evdns_count_nameservers() -> Int32 { evdns_base_count_nameservers(dnsCurrentBase) }

@_cdecl("evdns_clear_nameservers_and_suspend")
public func evdns_clear_nameservers_and_suspend() -> Int32 { evdns_base_clear_nameservers_and_suspend(dnsCurrentBase) }

@_cdecl("evdns_resume")
public func evdns_resume() -> Int32 { evdns_base_resume(dnsCurrentBase) }

@_cdecl("evdns_nameserver_ip_add")
public func evdns_nameserver_ip_add(_ ip: UnsafePointer<CChar>?) -> Int32 { evdns_base_nameserver_ip_add(dnsGlobalBase(), ip) }

@_cdecl("evdns_resolve_ipv4")
public func evdns_resolve_ipv4(_ name: UnsafePointer<CChar>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    evdns_base_resolve_ipv4(dnsCurrentBase, name, flags, cb, arg) != nil ? 0 : -1
}

@_cdecl("evdns_resolve_ipv6")
public func evdns_resolve_ipv6(_ name: UnsafePointer<CChar>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    evdns_base_resolve_ipv6(dnsCurrentBase, name, flags, cb, arg) != nil ? 0 : -1
}

@_cdecl("evdns_resolve_reverse")
public func evdns_resolve_reverse(_ ina: UnsafePointer<in_addr>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    evdns_base_resolve_reverse(dnsCurrentBase, ina, flags, cb, arg) != nil ? 0 : -1
}

@_cdecl("evdns_resolve_reverse_ipv6")
public func evdns_resolve_reverse_ipv6(_ in6: UnsafePointer<in6_addr>?, _ flags: Int32, _ cb: DnsCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    evdns_base_resolve_reverse_ipv6(dnsCurrentBase, in6, flags, cb, arg) != nil ? 0 : -1
}

@_cdecl("evdns_set_option")
public func evdns_set_option(_ option: UnsafePointer<CChar>?, _ val: UnsafePointer<CChar>?, _ flags: Int32) -> Int32 {
    evdns_base_set_option(dnsGlobalBase(), option, val)
}

@_cdecl("evdns_resolv_conf_parse")
public func evdns_resolv_conf_parse(_ flags: Int32, _ filename: UnsafePointer<CChar>?) -> Int32 {
    evdns_base_resolv_conf_parse(dnsGlobalBase(), flags, filename)
}

@_cdecl("evdns_search_clear")
public func evdns_search_clear() { evdns_base_search_clear(dnsCurrentBase) }

@_cdecl("evdns_search_add")
public func evdns_search_add(_ domain: UnsafePointer<CChar>?) { evdns_base_search_add(dnsCurrentBase, domain) }

@_cdecl("evdns_search_ndots_set")
public func evdns_search_ndots_set(_ ndots: Int32) { evdns_base_search_ndots_set(dnsCurrentBase, ndots) }
