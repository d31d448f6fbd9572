import CEventSys

// libevent-internal evutil helpers (util-internal.h, time-internal.h,
// strlcpy-internal.h) that libevent_core exports and that libevent_extra
// or programs built against libevent call (issue 15). Behaviour is libevent
// 2.1.12's; where it would crash or loop forever we log and fail instead.

// MARK: ASCII classes (EVUTIL_IS*_ / EVUTIL_TO*_): locale-free, bytes >= 0x80 in none

@inline(__always) private func byte(_ c: CChar) -> UInt8 { UInt8(bitPattern: c) }
@inline(__always) private func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5a }
@inline(__always) private func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7a }
@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) private func flag(_ v: Bool) -> Int32 { v ? 1 : 0 }

@_cdecl("EVUTIL_ISALPHA_")
public func EVUTIL_ISALPHA_(_ c: CChar) -> Int32 { flag(isUpper(byte(c)) || isLower(byte(c))) }

@_cdecl("EVUTIL_ISALNUM_")
public func EVUTIL_ISALNUM_(_ c: CChar) -> Int32 { flag(isUpper(byte(c)) || isLower(byte(c)) || isDigit(byte(c))) }

/// Space, \t, \n, \v, \f, \r.
@_cdecl("EVUTIL_ISSPACE_")
public func EVUTIL_ISSPACE_(_ c: CChar) -> Int32 { flag(byte(c) == 0x20 || (byte(c) >= 0x09 && byte(c) <= 0x0d)) }

@_cdecl("EVUTIL_ISDIGIT_")
public func EVUTIL_ISDIGIT_(_ c: CChar) -> Int32 { flag(isDigit(byte(c))) }

@_cdecl("EVUTIL_ISXDIGIT_")
public func EVUTIL_ISXDIGIT_(_ c: CChar) -> Int32 {
    let b = byte(c) | 0x20
    return flag(isDigit(byte(c)) || (b >= 0x61 && b <= 0x66))
}

/// Space through '~'.
@_cdecl("EVUTIL_ISPRINT_")
public func EVUTIL_ISPRINT_(_ c: CChar) -> Int32 { flag(byte(c) >= 0x20 && byte(c) <= 0x7e) }

@_cdecl("EVUTIL_ISLOWER_")
public func EVUTIL_ISLOWER_(_ c: CChar) -> Int32 { flag(isLower(byte(c))) }

@_cdecl("EVUTIL_ISUPPER_")
public func EVUTIL_ISUPPER_(_ c: CChar) -> Int32 { flag(isUpper(byte(c))) }

@_cdecl("EVUTIL_TOUPPER_")
public func EVUTIL_TOUPPER_(_ c: CChar) -> CChar { isLower(byte(c)) ? CChar(bitPattern: byte(c) - 32) : c }

@_cdecl("EVUTIL_TOLOWER_")
public func EVUTIL_TOLOWER_(_ c: CChar) -> CChar { isUpper(byte(c)) ? CChar(bitPattern: byte(c) + 32) : c }

/// evutil_hex_char_to_int_: 0-15, or -1.
@_cdecl("evutil_hex_char_to_int_")
public func evutil_hex_char_to_int_(_ c: CChar) -> Int32 {
    guard let v = ASCII.hexValue(byte(c)) else { return -1 }
    return Int32(v)
}

/// Cuts trailing spaces and tabs (only those) in place.
@_cdecl("evutil_rtrim_lws_")
public func evutil_rtrim_lws_(_ s: UnsafeMutablePointer<CChar>?) {
    guard let s else { return }
    var n = strlen(s)
    while n > 0 && (s[n - 1] == 0x20 || s[n - 1] == 0x09) {
        n -= 1
        s[n] = 0
    }
}

/// BSD strlcpy: at most siz-1 bytes and a NUL (nothing for siz 0); the
/// length of src.
@_cdecl("event_strlcpy_")
public func event_strlcpy_(_ dst: UnsafeMutablePointer<CChar>?, _ src: UnsafePointer<CChar>?, _ siz: Int) -> Int {
    guard let src else { return 0 }
    let n = strlen(src)
    guard let dst, siz != 0 else { return n }
    let k = Swift.min(n, siz &- 1)
    if k > 0 { memmove(dst, src, k) }
    dst[k] = 0
    return n
}

// MARK: the weak random generator (struct evutil_weakrand_state: one uint32)

/// Seed 0 picks one from the time and the process id; the seed used is returned.
@_cdecl("evutil_weakrand_seed_")
public func evutil_weakrand_seed_(_ state: UnsafeMutablePointer<UInt32>?, _ seed: UInt32) -> UInt32 {
    var s = seed
    if s == 0 {
        let tv = Clock.wall()
        s = UInt32(truncatingIfNeeded: tv.tv_sec) &+ UInt32(truncatingIfNeeded: tv.tv_usec) &+ UInt32(truncatingIfNeeded: getpid())
    }
    state?.pointee = s
    return s
}

/// The linear congruential generator libevent uses (modulus 2^31,
/// multiplier 1103515245, increment 12345): 0...0x7fffffff.
@_cdecl("evutil_weakrand_")
public func evutil_weakrand_(_ state: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let state else { return 0 }
    state.pointee = (state.pointee &* 1103515245 &+ 12345) & 0x7fff_ffff
    return Int32(bitPattern: state.pointee)
}

/// 0..<top from the high bits. libevent divides by zero for top 0 and
/// never returns for a negative top: we log and return 0.
@_cdecl("evutil_weakrand_range_")
public func evutil_weakrand_range_(_ state: UnsafeMutablePointer<UInt32>?, _ top: Int32) -> Int32 {
    if top <= 0 {
        Log.warnx("evutil_weakrand_range_: top must be positive, not \(top)")
        return 0
    }
    let divisor = Int32.max / top
    while true {
        let r = evutil_weakrand_(state) / divisor
        if r < top { return r }
    }
}

// MARK: time

/// One nanosleep of the given time (not resumed after a signal).
@_cdecl("evutil_usleep_")
public func evutil_usleep_(_ tv: UnsafePointer<timeval>?) {
    guard let tv else { return }
    var ts = timespec(tv_sec: tv.pointee.tv_sec, tv_nsec: tv.pointee.tv_usec &* 1000)
    _ = nanosleep(&ts, nil)
}

/// Milliseconds, rounded up; -1 when tv_usec is above a second or the
/// result would not fit a long.
@_cdecl("evutil_tv_to_msec_")
public func evutil_tv_to_msec_(_ tv: UnsafePointer<timeval>?) -> Int {
    guard let tv else { return -1 }
    let sec = tv.pointee.tv_sec, usec = tv.pointee.tv_usec
    if usec > 1_000_000 || sec > (Int.max - 999) / 1000 { return -1 }
    return sec &* 1000 &+ (usec &+ 999) / 1000
}

/// libevent's private struct evutil_monotonic_timer as it is on Linux; the
/// caller owns the memory (40 bytes).
private struct RawMonotonicTimer {
    var clock: Int32
    var adjust: timeval
    var last: timeval
}

/// EV_MONOT_PRECISE / EV_MONOT_FALLBACK as in util.h.
@_cdecl("evutil_configure_monotonic_time_")
public func evutil_configure_monotonic_time_(_ base: UnsafeMutableRawPointer?, _ flags: Int32) -> Int32 {
    guard let base else { return -1 }
    let t = base.assumingMemoryBound(to: RawMonotonicTimer.self)
    let precise = flags & MonotonicTimer.precise != 0, fallback = flags & MonotonicTimer.fallback != 0
    var ts = timespec()
    if !precise && !fallback && clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0 {
        t.pointee.clock = Int32(CLOCK_MONOTONIC_COARSE)
    } else if !fallback && clock_gettime(CLOCK_MONOTONIC, &ts) == 0 {
        t.pointee.clock = Int32(CLOCK_MONOTONIC)
    } else {
        t.pointee.clock = -1  // wall clock, kept from going backwards
    }
    return 0
}

@_cdecl("evutil_gettime_monotonic_")
public func evutil_gettime_monotonic_(_ base: UnsafeMutableRawPointer?, _ tp: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let base, let tp else { return -1 }
    let t = base.assumingMemoryBound(to: RawMonotonicTimer.self)
    if t.pointee.clock >= 0 {
        var ts = timespec()
        if clock_gettime(clockid_t(t.pointee.clock), &ts) != 0 { return -1 }
        tp.pointee = timeval(tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000)
        return 0
    }
    var now = timeval()
    if gettimeofday(&now, nil) != 0 { return -1 }
    now = tvAdd(now, t.pointee.adjust)
    if tvLess(now, t.pointee.last) {
        t.pointee.adjust = tvAdd(t.pointee.adjust, tvSub(t.pointee.last, now))
        now = t.pointee.last
    }
    t.pointee.last = now
    tp.pointee = now
    return 0
}

// MARK: addresses

/// Class A loopback (127/8) or ::1.
@_cdecl("evutil_sockaddr_is_loopback_")
public func evutil_sockaddr_is_loopback_(_ sa: UnsafePointer<sockaddr>?) -> Int32 {
    guard let sa else { return 0 }
    let raw = UnsafeRawPointer(sa)
    switch Int32(sa.pointee.sa_family) {
    case AF_INET:
        let a = UInt32(bigEndian: raw.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_addr.s_addr)
        return flag(a >> 24 == 127)
    case AF_INET6:
        var a = raw.loadUnaligned(as: sockaddr_in6.self).sin6_addr
        return withUnsafeBytes(of: &a) { b in
            for k in 0..<15 where b[k] != 0 { return 0 }
            return flag(b[15] == 1)
        }
    default:
        return 0
    }
}

/// Addresses that are no use to announce or look up: 0.0.0.0, 127/8,
/// link-local 169.254/16 and multicast 224/4.
@_cdecl("evutil_v4addr_is_local_")
public func evutil_v4addr_is_local_(_ a: UnsafePointer<in_addr>?) -> Int32 {
    guard let a else { return 0 }
    let v = UInt32(bigEndian: a.pointee.s_addr)
    return flag(v == 0 || v >> 24 == 127 || v & 0xffff_0000 == 0xa9fe_0000 || v >> 28 == 0xe)
}

/// The IPv6 counterpart: a zero first half (::, ::1, v4-compatible), unique
/// local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8.
@_cdecl("evutil_v6addr_is_local_")
public func evutil_v6addr_is_local_(_ a: UnsafePointer<in6_addr>?) -> Int32 {
    guard let a else { return 0 }
    let b = UnsafeRawPointer(a).assumingMemoryBound(to: UInt8.self)
    var zeroHalf = true
    for k in 0..<8 where b[k] != 0 { zeroHalf = false }
    return flag(zeroHalf || b[0] & 0xfe == 0xfc || (b[0] == 0xfe && b[1] & 0x80 == 0x80) || b[0] == 0xff)
}

/// "a.b.c.d:port", "[v6]:port", or "<addr with socktype N>" for any other
/// family, as much as fits in `out` (always terminated when outlen > 0).
@_cdecl("evutil_format_sockaddr_port_")
public func evutil_format_sockaddr_port_(_ sa: UnsafePointer<sockaddr>?, _ out: UnsafeMutablePointer<CChar>?,
                                         _ outlen: Int) -> UnsafePointer<CChar>? {
    guard let out else { return nil }
    var text: [UInt8] = []
    var buf: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
              UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    let family = sa.map { Int32($0.pointee.sa_family) } ?? -1
    if let sa, family == AF_INET || family == AF_INET6 {
        let raw = UnsafeRawPointer(sa)
        let v6 = family == AF_INET6
        var s6 = v6 ? raw.loadUnaligned(as: sockaddr_in6.self) : sockaddr_in6()
        var s4 = v6 ? sockaddr_in() : raw.loadUnaligned(as: sockaddr_in.self)
        let port = v6 ? s6.sin6_port : s4.sin_port
        withUnsafeMutableBytes(of: &buf) { b in
            let p = b.baseAddress!.assumingMemoryBound(to: CChar.self)
            let ok = v6 ? withUnsafeBytes(of: &s6.sin6_addr) { Address.ntop(family, $0.baseAddress!, p, b.count) }
                        : withUnsafeBytes(of: &s4.sin_addr) { Address.ntop(family, $0.baseAddress!, p, b.count) }
            if ok {
                if v6 { text.append(0x5b) }
                var k = 0
                while p[k] != 0 { text.append(UInt8(bitPattern: p[k])); k += 1 }
                if v6 { text.append(0x5d) }
                text.append(0x3a)
                Address.appendNumber(UInt32(UInt16(bigEndian: port)), radix: 10, to: &text)
            }
        }
    }
    if text.isEmpty {
        Strings.append("<addr with socktype ", to: &text)
        if family < 0 { text.append(0x2d) }
        Address.appendNumber(UInt32(family.magnitude), radix: 10, to: &text)
        text.append(0x3e)
    }
    Address.copyTruncating(text, out, outlen)
    return UnsafePointer(out)
}

// MARK: sockets and files

/// Opens a non-blocking TCP socket for `sa` when *fd is negative, then
/// connects: 1 connected, 0 in progress, 2 refused, -1 error (a socket it
/// made is closed again and *fd set back to -1).
@_cdecl("evutil_socket_connect_")
public func evutil_socket_connect_(_ fdp: UnsafeMutablePointer<Int32>?, _ sa: UnsafePointer<sockaddr>?,
                                   _ len: Int32) -> Int32 {
    guard let fdp, let sa else { return -1 }
    var made = false
    if fdp.pointee < 0 {
        let r = Sys.call { socket(Int32(sa.pointee.sa_family), Int32(SOCK_STREAM.rawValue), 0) }
        if r.failed { return -1 }
        fdp.pointee = r.value
        made = true
        if !Sys.setNonBlocking(r.value) {
            let e = Sys.errno
            Sys.close(r.value)
            fdp.pointee = -1
            Sys.errno = e
            return -1
        }
    }
    if connect(fdp.pointee, __CONST_SOCKADDR_ARG(__sockaddr__: sa), socklen_t(truncatingIfNeeded: len)) == 0 { return 1 }
    let e = Sys.errno
    if e == EINTR || e == EINPROGRESS { return 0 }
    if e == ECONNREFUSED { return 2 }
    if made {
        Sys.close(fdp.pointee)
        fdp.pointee = -1
        Sys.errno = e
    }
    return -1
}

/// After a non-blocking connect: 1 connected, 0 still going, -1 failed
/// (errno then holds the reason).
@_cdecl("evutil_socket_finished_connecting_")
public func evutil_socket_finished_connecting_(_ fd: Int32) -> Int32 {
    var e: Int32 = 0
    var len = socklen_t(MemoryLayout<Int32>.size)
    if getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0 { return -1 }
    if e == 0 { return 1 }
    if e == EINTR || e == EINPROGRESS { return 0 }
    Sys.errno = e
    return -1
}

/// socket(2) taking EVUTIL_SOCK_NONBLOCK / EVUTIL_SOCK_CLOEXEC in the type.
@_cdecl("evutil_socket_")
public func evutil_socket_(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 {
    let r = Sockets.open(domain, type, proto)
    return r.failed ? -1 : r.value
}

/// accept4(2) with EVUTIL_SOCK_NONBLOCK / EVUTIL_SOCK_CLOEXEC.
@_cdecl("evutil_accept4_")
public func evutil_accept4_(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: UnsafeMutablePointer<socklen_t>?,
                            _ flags: Int32) -> Int32 {
    accept4(fd, __SOCKADDR_ARG(__sockaddr__: addr), len, flags)
}

/// eventfd(2); EVUTIL_EFD_NONBLOCK / EVUTIL_EFD_CLOEXEC are the system's.
@_cdecl("evutil_eventfd_")
public func evutil_eventfd_(_ initval: UInt32, _ flags: Int32) -> Int32 { eventfd(initval, flags) }

/// A non-blocking, close-on-exec pipe (a socketpair when pipes fail); -1
/// with both set to -1 when neither can be had.
@_cdecl("evutil_make_internal_pipe_")
public func evutil_make_internal_pipe_(_ fds: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let fds else { return -1 }
    if let (r, w) = Sys.internalPipe() {
        fds[0] = r
        fds[1] = w
        return 0
    }
    Log.warnErrno("evutil_make_internal_pipe_: pipe")
    if socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Sockets.sockNonBlock | Sockets.sockCloExec, 0, fds) == 0 {
        return 0
    }
    fds[0] = -1
    fds[1] = -1
    return -1
}

/// open(2) with close-on-exec.
@_cdecl("evutil_open_closeonexec_")
public func evutil_open_closeonexec_(_ path: UnsafePointer<CChar>?, _ flags: Int32, _ mode: UInt32) -> Int32 {
    guard let path else {
        Sys.errno = EFAULT
        return -1
    }
    return cev_open_mode(path, flags | O_CLOEXEC, mode)
}

/// A whole file into memory from the program's allocator, NUL-terminated:
/// 0 (content and length set), -1 cannot open, -2 cannot stat, allocate or read.
@_cdecl("evutil_read_file_")
public func evutil_read_file_(_ path: UnsafePointer<CChar>?, _ content: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ lenOut: UnsafeMutablePointer<Int>?, _ binary: Int32) -> Int32 {
    guard let content, let lenOut else { return -1 }
    content.pointee = nil
    lenOut.pointee = 0
    let fd = evutil_open_closeonexec_(path, O_RDONLY, 0)
    if fd < 0 { return -1 }
    defer { Sys.close(fd) }
    var st = stat()
    if fstat(fd, &st) != 0 || st.st_size < 0 || st.st_size >= Int.max { return -2 }
    let size = Int(st.st_size)
    guard let mem = Memory.malloc(size + 1)?.assumingMemoryBound(to: CChar.self) else { return -2 }
    var got = 0
    while got < size {
        let r = read(fd, mem + got, size - got)
        if r < 0 {
            Memory.free(mem)
            return -2
        }
        if r == 0 { break }
        got += r
    }
    mem[got] = 0
    content.pointee = mem
    lenOut.pointee = got
    return 0
}

/// getenv, but nothing for a set-uid or set-gid process.
@_cdecl("evutil_getenv_")
public func evutil_getenv_(_ name: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    guard let name else { return nil }
    if getuid() != geteuid() || getgid() != getegid() { return nil }
    return UnsafePointer(getenv(name))
}

/// Zeroes memory in a way the compiler may not drop.
@_cdecl("evutil_memclear_")
public func evutil_memclear_(_ p: UnsafeMutableRawPointer?, _ n: Int) {
    guard let p, n > 0 else { return }
    cev_memclear(p, n)
}

// MARK: getaddrinfo pieces evdns is built from

@_cdecl("evutil_new_addrinfo_")
public func evutil_new_addrinfo_(_ sa: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t,
                                 _ hints: UnsafePointer<addrinfo>?) -> AddrInfoPtr? {
    guard let sa, let hints else { return nil }
    return AddrInfo.make(raw: sa, Int(len), hints.pointee)
}

/// `append` at the end of `first`'s list; the list's head.
@_cdecl("evutil_addrinfo_append_")
public func evutil_addrinfo_append_(_ first: AddrInfoPtr?, _ append: AddrInfoPtr?) -> AddrInfoPtr? {
    AddrInfo.append(first, append)
}

/// EVUTIL_AI_ADDRCONFIG with an unspecified family: only the families this
/// host has addresses of.
@_cdecl("evutil_adjust_hints_for_addrconfig_")
public func evutil_adjust_hints_for_addrconfig_(_ hints: UnsafeMutablePointer<addrinfo>?) {
    guard let hints else { return }
    AddrInfo.adjustForAddrConfig(&hints.pointee)
}

/// The part of evutil_getaddrinfo that needs no resolver: 0 with *res for
/// no host or a numeric one, EVUTIL_EAI_NEED_RESOLVE (-90002) with *portnum
/// when a lookup is needed, else an EVUTIL_EAI_* error. The hints get their
/// protocol filled in from the socket type, as libevent's do.
@_cdecl("evutil_getaddrinfo_common_")
public func evutil_getaddrinfo_common_(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                                       _ hints: UnsafeMutablePointer<addrinfo>?, _ res: UnsafeMutablePointer<AddrInfoPtr?>?,
                                       _ portnum: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let hints, let res else { return EAI_FAIL }
    if node == nil && service == nil { return EAI_NONAME }
    let family = hints.pointee.ai_family
    if family != AF_UNSPEC && family != AF_INET && family != AF_INET6 { return EAI_FAMILY }
    AddrInfo.inferProtocol(&hints.pointee)
    switch AddrInfo.numeric(node, service, hints.pointee) {
    case .done(let ai):
        res.pointee = ai
        return 0
    case .failed(let code):
        return code
    case .needsLookup(let port):
        portnum?.pointee = port
        return AddrInfo.eaiNeedResolve
    }
}

/// libevent's socketpair for systems without one: a connected pair of TCP
/// sockets over 127.0.0.1 (family AF_INET or AF_UNIX accepted, protocol 0).
@_cdecl("evutil_ersatz_socketpair_")
public func evutil_ersatz_socketpair_(_ family: Int32, _ type: Int32, _ proto: Int32, _ fds: UnsafeMutablePointer<Int32>?) -> Int32 {
    if proto != 0 || (family != AF_INET && family != AF_UNIX) {
        Sys.errno = EAFNOSUPPORT
        return -1
    }
    guard let fds else {
        Sys.errno = EINVAL
        return -1
    }
    var listener: Int32 = -1, connector: Int32 = -1, acceptor: Int32 = -1
    func fail() -> Int32 {
        let e = Sys.errno
        for fd in [listener, connector, acceptor] where fd >= 0 { Sys.close(fd) }
        Sys.errno = e
        return -1
    }
    listener = socket(AF_INET, type, 0)
    if listener < 0 { return fail() }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let size = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, __CONST_SOCKADDR_ARG(__sockaddr__: $0), size) }
    }
    if bound < 0 || listen(listener, 1) < 0 { return fail() }
    connector = socket(AF_INET, type, 0)
    if connector < 0 { return fail() }
    var listenAddr = sockaddr_in()
    var len = size
    let named = withUnsafeMutablePointer(to: &listenAddr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, __SOCKADDR_ARG(__sockaddr__: $0), &len) }
    }
    if named < 0 || len != size { return fail() }
    let joined = withUnsafePointer(to: &listenAddr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connector, __CONST_SOCKADDR_ARG(__sockaddr__: $0), size) }
    }
    if joined < 0 { return fail() }
    var peer = sockaddr_in()
    len = size
    acceptor = withUnsafeMutablePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, __SOCKADDR_ARG(__sockaddr__: $0), &len) }
    }
    if acceptor < 0 || len != size { return fail() }
    // The peer must be our connector, not someone racing for the port.
    var mine = sockaddr_in()
    len = size
    let own = withUnsafeMutablePointer(to: &mine) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(connector, __SOCKADDR_ARG(__sockaddr__: $0), &len) }
    }
    if own < 0 || len != size || mine.sin_family != peer.sin_family || mine.sin_addr.s_addr != peer.sin_addr.s_addr
        || mine.sin_port != peer.sin_port {
        Sys.errno = ECONNABORTED
        return fail()
    }
    Sys.close(listener)
    fds[0] = connector
    fds[1] = acceptor
    return 0
}
