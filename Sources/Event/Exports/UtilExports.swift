import CEventSys

// util.h. Thin: check arguments, call Util/ (Address, Strings, AddrInfo,
// SecureRandom, MonotonicTimer, Sockets).  Where libevent would crash on a
// NULL argument we log and fail.  evutil_snprintf / evutil_vsnprintf are C
// (Sources/CEventSys/shim.c); evutil_gettimeofday, evutil_socket_geterror
// and evutil_socket_error_to_string are macros on this platform.

@inline(__always)
private func text(_ p: UnsafePointer<CChar>) -> CText { CText(p) }

// MARK: sockets

@_cdecl("evutil_socketpair")
public func evutil_socketpair(_ family: Int32, _ type: Int32, _ proto: Int32, _ sv: UnsafeMutablePointer<Int32>?) -> Int32 {
    return socketpair(family, type, proto, sv)
}

@_cdecl("evutil_make_socket_nonblocking")
public func evutil_make_socket_nonblocking(_ fd: Int32) -> Int32 {
    addFdFlagLogging(fd, O_NONBLOCK, descriptor: false)
}

@_cdecl("evutil_make_socket_closeonexec")
public func evutil_make_socket_closeonexec(_ fd: Int32) -> Int32 {
    addFdFlagLogging(fd, FD_CLOEXEC, descriptor: true)
}

/// Sys.addFdFlag with libevent's warning ("fcntl(fd, F_GETFL)" etc.) and result.
private func addFdFlagLogging(_ fd: Int32, _ flag: Int32, descriptor: Bool) -> Int32 {
    guard let failure = Sys.addFdFlag(fd, flag, descriptor: descriptor) else { return 0 }
    Log.warnErrno("fcntl(\(fd), \(failure.command))", failure.errno)
    return -1
}

@_cdecl("evutil_make_listen_socket_reuseable")
public func evutil_make_listen_socket_reuseable(_ fd: Int32) -> Int32 { Sockets.makeReusable(fd) }

@_cdecl("evutil_make_listen_socket_reuseable_port")
public func evutil_make_listen_socket_reuseable_port(_ fd: Int32) -> Int32 { Sockets.makeReusablePort(fd) }

@_cdecl("evutil_make_listen_socket_ipv6only")
public func evutil_make_listen_socket_ipv6only(_ fd: Int32) -> Int32 { Sockets.makeIPv6Only(fd) }

@_cdecl("evutil_make_tcp_listen_socket_deferred")
public func evutil_make_tcp_listen_socket_deferred(_ fd: Int32) -> Int32 { Sockets.makeDeferred(fd) }

@_cdecl("evutil_closesocket")
public func evutil_closesocket(_ fd: Int32) -> Int32 { Sys.close(fd) }

// MARK: strings

@_cdecl("evutil_strtoll")
public func evutil_strtoll(_ s: UnsafePointer<CChar>?, _ endptr: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ base: Int32) -> Int64 {
    guard let s else {
        Log.warnx("evutil_strtoll: NULL string")
        Sys.errno = EINVAL
        return 0
    }
    var end = 0
    let v = Strings.strtoll(text(s), base: base, end: &end)
    if end >= 0, let endptr { endptr.pointee = UnsafeMutablePointer(mutating: s + end) }
    return v
}

@_cdecl("evutil_ascii_strcasecmp")
public func evutil_ascii_strcasecmp(_ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?) -> Int32 {
    guard let a, let b else {
        Log.warnx("evutil_ascii_strcasecmp: NULL string")
        return a == nil ? (b == nil ? 0 : -1) : 1
    }
    return Strings.asciiCaseCompare(a, b)
}

@_cdecl("evutil_ascii_strncasecmp")
public func evutil_ascii_strncasecmp(_ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
    if n == 0 { return 0 }
    guard let a, let b else {
        Log.warnx("evutil_ascii_strncasecmp: NULL string")
        return a == nil ? (b == nil ? 0 : -1) : 1
    }
    // n is a size_t: beyond ssize_t it is no limit.
    return Strings.asciiCaseCompare(a, b, limit: n < 0 ? nil : n)
}

@_cdecl("evutil_date_rfc1123")
public func evutil_date_rfc1123(_ date: UnsafeMutablePointer<CChar>?, _ len: Int, _ tm: UnsafePointer<tm>?) -> Int32 {
    return Strings.dateRFC1123(date, len, tm)
}

// MARK: addresses

@_cdecl("evutil_inet_ntop")
public func evutil_inet_ntop(_ af: Int32, _ src: UnsafeRawPointer?, _ dst: UnsafeMutablePointer<CChar>?,
                             _ len: Int) -> UnsafePointer<CChar>? {
    guard let src, let dst else {
        let what: StaticString = src == nil ? "source" : "destination"
        Log.warnx("evutil_inet_ntop: NULL \(what)")
        return nil
    }
    return Address.ntop(af, src, dst, len) ? UnsafePointer(dst) : nil
}

@_cdecl("evutil_inet_pton")
public func evutil_inet_pton(_ af: Int32, _ src: UnsafePointer<CChar>?, _ dst: UnsafeMutableRawPointer?) -> Int32 {
    guard let src, let dst else {
        let what: StaticString = src == nil ? "source" : "destination"
        Log.warnx("evutil_inet_pton: NULL \(what)")
        return -1
    }
    return Address.pton(af, text(src), dst)
}

@_cdecl("evutil_inet_pton_scope")
public func evutil_inet_pton_scope(_ af: Int32, _ src: UnsafePointer<CChar>?, _ dst: UnsafeMutableRawPointer?,
                                   _ index: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let src, let dst else {
        let what: StaticString = src == nil ? "source" : "destination"
        Log.warnx("evutil_inet_pton_scope: NULL \(what)")
        index?.pointee = 0
        return -1
    }
    return Address.ptonScope(af, text(src), dst, index)
}

@_cdecl("evutil_parse_sockaddr_port")
public func evutil_parse_sockaddr_port(_ s: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<sockaddr>?,
                                       _ outlen: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let s, let out, let outlen else {
        let what: StaticString = s == nil ? "string" : out == nil ? "sockaddr" : "length"
        Log.warnx("evutil_parse_sockaddr_port: NULL \(what)")
        return -1
    }
    return Address.parseSockaddrPort(text(s), UnsafeMutableRawPointer(out), outlen)
}

@_cdecl("evutil_sockaddr_cmp")
public func evutil_sockaddr_cmp(_ a: UnsafePointer<sockaddr>?, _ b: UnsafePointer<sockaddr>?, _ includePort: Int32) -> Int32 {
    guard let a, let b else {
        Log.warnx("evutil_sockaddr_cmp: NULL sockaddr")
        return a == nil ? (b == nil ? 0 : -1) : 1
    }
    return Address.compare(a, b, includePort: includePort != 0)
}

// MARK: getaddrinfo

@_cdecl("evutil_getaddrinfo")
public func evutil_getaddrinfo(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                               _ hints: UnsafePointer<addrinfo>?, _ res: UnsafeMutablePointer<AddrInfoPtr?>?) -> Int32 {
    guard let res else {
        Log.warnx("evutil_getaddrinfo: NULL result pointer")
        return EAI_SYSTEM
    }
    return AddrInfo.resolve(node, service, hints, res)
}

@_cdecl("evutil_freeaddrinfo")
public func evutil_freeaddrinfo(_ ai: AddrInfoPtr?) { AddrInfo.free(ai) }

@_cdecl("evutil_gai_strerror")
public func evutil_gai_strerror(_ code: Int32) -> UnsafePointer<CChar>? { AddrInfo.describe(code) }

// MARK: random bytes

@_cdecl("evutil_secure_rng_init")
public func evutil_secure_rng_init() -> Int32 { SecureRandom.initialize() }

@_cdecl("evutil_secure_rng_get_bytes")
public func evutil_secure_rng_get_bytes(_ buf: UnsafeMutableRawPointer?, _ n: Int) {
    guard n > 0 else { return }
    guard let buf else {
        Log.warnx("evutil_secure_rng_get_bytes: NULL buffer")
        return
    }
    SecureRandom.fill(buf, n)
}

@_cdecl("evutil_secure_rng_add_bytes")
public func evutil_secure_rng_add_bytes(_ data: UnsafePointer<CChar>?, _ n: Int) {
    // The kernel's generator needs no seeding from us.
}

@_cdecl("evutil_secure_rng_set_urandom_device_file")
public func evutil_secure_rng_set_urandom_device_file(_ path: UnsafeMutablePointer<CChar>?) -> Int32 { -1 }

// MARK: monotonic time

@inline(__always)
private func timerOf(_ p: OpaquePointer) -> MonotonicTimer {
    Unmanaged<MonotonicTimer>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@_cdecl("evutil_monotonic_timer_new")
public func evutil_monotonic_timer_new() -> OpaquePointer? {
    guard let t = Memory.build({ MonotonicTimer() }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(t).toOpaque())
}

@_cdecl("evutil_monotonic_timer_free")
public func evutil_monotonic_timer_free(_ p: OpaquePointer?) {
    guard let p else { return }
    Unmanaged<MonotonicTimer>.fromOpaque(UnsafeRawPointer(p)).release()
}

@_cdecl("evutil_configure_monotonic_time")
public func evutil_configure_monotonic_time(_ p: OpaquePointer?, _ flags: Int32) -> Int32 {
    guard let p else {
        Log.warnx("evutil_configure_monotonic_time: NULL timer")
        return -1
    }
    timerOf(p).configure(flags: flags)
    return 0
}

@_cdecl("evutil_gettime_monotonic")
public func evutil_gettime_monotonic(_ p: OpaquePointer?, _ tv: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let p, let tv else {
        let what: StaticString = p == nil ? "timer" : "timeval"
        Log.warnx("evutil_gettime_monotonic: NULL \(what)")
        return -1
    }
    tv.pointee = timerOf(p).now()
    return 0
}
