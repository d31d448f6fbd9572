import CEventSys

public typealias AddrInfoPtr = UnsafeMutablePointer<addrinfo>

/// evutil_getaddrinfo and friends.
///
/// On Linux every EVUTIL_AI_* flag is the system's, so (like libevent built
/// here) the exported call hands the request to the C library's resolver
/// after dropping the flag bits only libevent understands; lists from it are
/// freed with freeaddrinfo.  `numeric` is libevent's resolver-free path
/// (no host, or a numeric host; a numeric or named service) that builds
/// lists itself, marked `libeventAllocated`; evdns-style callers use it
/// before deciding a lookup is needed, and evutil_freeaddrinfo frees either
/// kind.
enum AddrInfo {
    static let libeventAllocated: Int32 = Int32(bitPattern: 0x8000_0000)
    /// Flags that are ours alone and must not reach the system resolver.
    static let nonNativeFlags: Int32 = libeventAllocated

    static let eaiCancel: Int32 = -90001
    /// Internal: `numeric` could not answer without a DNS lookup.
    static let eaiNeedResolve: Int32 = -90002

    // MARK: the exported call

    static func resolve(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                        _ hintsIn: UnsafePointer<addrinfo>?, _ res: UnsafeMutablePointer<AddrInfoPtr?>) -> Int32 {
        var hints = hintsIn?.pointee ?? defaultHints()
        hints.ai_flags &= ~nonNativeFlags
        return getaddrinfo(node, service, &hints, res)
    }

    static func defaultHints() -> addrinfo {
        var h = addrinfo()
        h.ai_family = AF_UNSPEC
        return h
    }

    /// evutil_freeaddrinfo: system lists go back to freeaddrinfo, ours are
    /// freed entry by entry (each entry and its sockaddr are one block).
    static func free(_ ai: AddrInfoPtr?) {
        guard let ai else { return }
        if ai.pointee.ai_flags & libeventAllocated == 0 {
            freeaddrinfo(ai)
            return
        }
        var e: AddrInfoPtr? = ai
        while let cur = e {
            e = cur.pointee.ai_next
            Memory.free(cur.pointee.ai_canonname)
            Memory.free(cur)
        }
    }

    /// evutil_gai_strerror: libevent's texts for the codes it names, the
    /// system's for the rest.
    static func describe(_ code: Int32) -> UnsafePointer<CChar>? {
        let text: StaticString
        switch code {
        case eaiCancel: text = "Request canceled"
        case 0: text = "No error"
        case EAI_ADDRFAMILY: text = "address family for nodename not supported"
        case EAI_AGAIN: text = "temporary failure in name resolution"
        case EAI_BADFLAGS: text = "invalid value for ai_flags"
        case EAI_FAIL: text = "non-recoverable failure in name resolution"
        case EAI_FAMILY: text = "ai_family not supported"
        case EAI_MEMORY: text = "memory allocation failure"
        case EAI_NODATA: text = "no address associated with nodename"
        case EAI_NONAME: text = "nodename nor servname provided, or not known"
        case EAI_SERVICE: text = "servname not supported for ai_socktype"
        case EAI_SOCKTYPE: text = "ai_socktype not supported"
        case EAI_SYSTEM: text = "system error"
        default: return gai_strerror(code)
        }
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    // MARK: the resolver-free path

    enum Numeric {
        case done(AddrInfoPtr)
        case failed(Int32)
        /// A lookup is needed; the service resolved to this port.
        case needsLookup(port: Int32)
    }

    /// A stream socket means TCP and a datagram socket UDP, when the caller
    /// named no protocol; and the other way round (TCP or SCTP: stream, UDP:
    /// datagram) when it named no socket type.
    static func inferProtocol(_ h: inout addrinfo) {
        let stream = Int32(SOCK_STREAM.rawValue), dgram = Int32(SOCK_DGRAM.rawValue)
        if h.ai_protocol == 0 {
            if h.ai_socktype == stream { h.ai_protocol = Int32(IPPROTO_TCP) }
            else if h.ai_socktype == dgram { h.ai_protocol = Int32(IPPROTO_UDP) }
        }
        if h.ai_socktype == 0 {
            if h.ai_protocol == Int32(IPPROTO_UDP) { h.ai_socktype = dgram }
            else if h.ai_protocol == Int32(IPPROTO_TCP) || h.ai_protocol == Int32(IPPROTO_SCTP) { h.ai_socktype = stream }
        }
    }

    /// A port from a decimal service string (the whole string, 0...65535),
    /// or from the services database unless AI_NUMERICSERV.  -1 if neither.
    static func parseService(_ service: UnsafePointer<CChar>, protocolName: UnsafePointer<CChar>?, flags: Int32) -> Int32 {
        // A number is what (int)strtol(s, &end, 10) reads when it uses the whole string.
        let s = CText(service)
        var end = 0
        let v = Int32(truncatingIfNeeded: Strings.strtoll(s, base: 10, end: &end))
        if s.count > 0 && end == s.count && v >= 0 && v <= 65535 { return v }
        if flags & AI_NUMERICSERV != 0 { return -1 }
        guard let ent = getservbyname(service, protocolName) else { return -1 }
        return Int32(UInt16(truncatingIfNeeded: ent.pointee.s_port).bigEndian)
    }

    private static func protocolName(_ proto: Int32) -> UnsafePointer<CChar>? {
        let name: StaticString
        switch proto {
        case 0: return nil
        case Int32(IPPROTO_TCP): name = "tcp"
        case Int32(IPPROTO_UDP): name = "udp"
        default: return nil
        }
        return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Answer `node`/`service` without a resolver when that is possible.
    static func numeric(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?, _ hintsIn: addrinfo) -> Numeric {
        var hints = hintsIn
        if node == nil && service == nil { return .failed(EAI_NONAME) }
        if hints.ai_family != AF_UNSPEC && hints.ai_family != AF_INET && hints.ai_family != AF_INET6 {
            return .failed(EAI_FAMILY)
        }
        inferProtocol(&hints)
        var port: Int32 = 0
        if let service {
            port = parseService(service, protocolName: protocolName(hints.ai_protocol), flags: hints.ai_flags)
            if port < 0 { return .failed(EAI_NONAME) }
        }
        let nport = UInt16(truncatingIfNeeded: port).bigEndian
        let passive = hints.ai_flags & AI_PASSIVE != 0
        guard let node else {
            // No host: the wildcard address to bind, loopback to connect.
            var v6: AddrInfoPtr? = nil
            var v4: AddrInfoPtr? = nil
            if hints.ai_family != AF_INET {
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = nport
                if !passive { sin6.sin6_addr.__in6_u.__u6_addr8.15 = 1 }
                guard let r = make(&sin6, hints) else { return .failed(EAI_MEMORY) }
                v6 = r
            }
            if hints.ai_family != AF_INET6 {
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = nport
                if !passive { sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian }
                guard let r = make(&sin, hints) else {
                    free(v6)
                    return .failed(EAI_MEMORY)
                }
                v4 = r
            }
            return .done(append(v4, v6)!)
        }
        let text = CText(node)
        if hints.ai_family == AF_INET6 || hints.ai_family == AF_UNSPEC {
            var sin6 = sockaddr_in6()
            var scope: UInt32 = 0
            let ok = withUnsafeMutablePointer(to: &sin6.sin6_addr) {
                Address.ptonScope(AF_INET6, text, UnsafeMutableRawPointer($0), &scope)
            }
            if ok == 1 {
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = nport
                sin6.sin6_scope_id = scope
                guard let r = make(&sin6, hints) else { return .failed(EAI_MEMORY) }
                return .done(r)
            }
        }
        if hints.ai_family == AF_INET || hints.ai_family == AF_UNSPEC {
            var sin = sockaddr_in()
            let ok = withUnsafeMutablePointer(to: &sin.sin_addr) { Address.pton(AF_INET, text, UnsafeMutableRawPointer($0)) }
            if ok == 1 {
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = nport
                guard let r = make(&sin, hints) else { return .failed(EAI_MEMORY) }
                return .done(r)
            }
        }
        if hints.ai_flags & AI_NUMERICHOST != 0 { return .failed(EAI_NONAME) }
        return .needsLookup(port: port)
    }

    /// Entries for one address: a TCP and a UDP one when the hints name
    /// neither socket type nor protocol, else one as the hints say.
    static func make<T>(_ sa: inout T, _ hints: addrinfo) -> AddrInfoPtr? {
        if hints.ai_socktype == 0 && hints.ai_protocol == 0 {
            var h = hints
            h.ai_socktype = Int32(SOCK_STREAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_TCP)
            guard let tcp = make(&sa, h) else { return nil }
            h.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_UDP)
            guard let udp = make(&sa, h) else {
                free(tcp)
                return nil
            }
            tcp.pointee.ai_next = udp
            return tcp
        }
        return withUnsafeBytes(of: &sa) { single($0.baseAddress!, $0.count, hints) }
    }

    /// evutil_new_addrinfo_: `sa`'s `len` bytes as one entry per socket type
    /// (TCP then UDP when the hints name neither); flags are only ours.
    static func make(raw sa: UnsafeRawPointer, _ len: Int, _ hints: addrinfo) -> AddrInfoPtr? {
        if hints.ai_socktype == 0 && hints.ai_protocol == 0 {
            var h = hints
            h.ai_socktype = Int32(SOCK_STREAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_TCP)
            guard let tcp = single(sa, len, h) else { return nil }
            h.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            h.ai_protocol = Int32(IPPROTO_UDP)
            guard let udp = single(sa, len, h) else {
                free(tcp)
                return nil
            }
            tcp.pointee.ai_next = udp
            return tcp
        }
        return single(sa, len, hints)
    }

    /// One entry, its sockaddr in the same block.
    private static func single(_ sa: UnsafeRawPointer, _ size: Int, _ hints: addrinfo) -> AddrInfoPtr? {
        guard let raw = Memory.calloc(1, MemoryLayout<addrinfo>.stride &+ size) else { return nil }
        let ai = raw.bindMemory(to: addrinfo.self, capacity: 1)
        let addr = raw + MemoryLayout<addrinfo>.stride
        if size > 0 { addr.copyMemory(from: sa, byteCount: size) }
        ai.pointee.ai_addr = addr.assumingMemoryBound(to: sockaddr.self)
        ai.pointee.ai_addrlen = socklen_t(truncatingIfNeeded: size)
        ai.pointee.ai_family = size >= 2 ? Int32(ai.pointee.ai_addr.pointee.sa_family) : 0
        ai.pointee.ai_socktype = hints.ai_socktype
        ai.pointee.ai_protocol = hints.ai_protocol
        // As libevent: the hints' flags are not carried over.
        ai.pointee.ai_flags = libeventAllocated
        return ai
    }

    /// `first` followed by `second`.
    static func append(_ first: AddrInfoPtr?, _ second: AddrInfoPtr?) -> AddrInfoPtr? {
        guard let first else { return second }
        var last = first
        while let n = last.pointee.ai_next { last = n }
        last.pointee.ai_next = second
        return first
    }

    /// AI_ADDRCONFIG for resolvers that do not know it: with an unspecified
    /// family, ask only for the families this host has addresses of that
    /// are not "local" in evutil_v4addr_is_local_ / evutil_v6addr_is_local_'s
    /// sense (libevent's rule: a unique-local IPv6 address does not count).
    static func adjustForAddrConfig(_ hints: inout addrinfo) {
        if hints.ai_flags & AI_ADDRCONFIG == 0 || hints.ai_family != AF_UNSPEC { return }
        let (v4, v6) = configuredFamilies()
        if v4 && !v6 { hints.ai_family = AF_INET }
        else if v6 && !v4 { hints.ai_family = AF_INET6 }
    }

    /// Whether any interface has a usable IPv4 / IPv6 address.
    static func configuredFamilies() -> (Bool, Bool) {
        var list: UnsafeMutablePointer<ifaddrs>? = nil
        if getifaddrs(&list) != 0 { return (true, true) }
        defer { freeifaddrs(list) }
        var v4 = false, v6 = false
        var e = list
        while let cur = e {
            e = cur.pointee.ifa_next
            guard let sa = cur.pointee.ifa_addr else { continue }
            if Int32(sa.pointee.sa_family) == AF_INET {
                var a = UnsafeRawPointer(sa).loadUnaligned(as: sockaddr_in.self).sin_addr
                if evutil_v4addr_is_local_(&a) == 0 { v4 = true }
            } else if Int32(sa.pointee.sa_family) == AF_INET6 {
                var a = UnsafeRawPointer(sa).loadUnaligned(as: sockaddr_in6.self).sin6_addr
                if evutil_v6addr_is_local_(&a) == 0 { v6 = true }
            }
        }
        return (v4, v6)
    }
}
