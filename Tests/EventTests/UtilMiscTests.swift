import XCTest
import CEventSys
@testable import Event

/// strtoll, case-insensitive comparison, dates, snprintf, getaddrinfo's
/// numeric path, random bytes, monotonic timers, socket helpers.
final class UtilMiscTests: XCTestCase {
    func testStrtollMatchesTheCLibrary() {
        let alphabet = Array("0123456789abcdefxzXZ+- \t".utf8)
        var rng = SystemRandomNumberGenerator()
        let bases: [Int32] = [0, 2, 8, 10, 16, 36, 1, 37, -1]
        for i in 0..<20000 {
            let n = Int.random(in: 0..<24, using: &rng)
            var bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            if i % 7 == 0 { bytes = Array("9223372036854775808".utf8) + bytes }
            let base = bases[i % bases.count]
            bytes.append(0)
            bytes.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { s in
                    var e1: UnsafeMutablePointer<CChar>? = nil
                    var e2: UnsafeMutablePointer<CChar>? = nil
                    cev_set_errno(0)
                    let want = strtoll(s, &e1, base)
                    let wantErr = cev_errno()
                    cev_set_errno(0)
                    let got = Event.evutil_strtoll(s, &e2, base)
                    let gotErr = cev_errno()
                    XCTAssertEqual(got, want, "\(String(cString: s)) base \(base)")
                    XCTAssertEqual(e2, e1, "\(String(cString: s)) base \(base)")
                    XCTAssertEqual(gotErr, wantErr, "\(String(cString: s)) base \(base)")
                }
            }
        }
        XCTAssertEqual(Event.evutil_strtoll(nil, nil, 10), 0)
    }

    func testAsciiCaseCompare() {
        XCTAssertEqual(Event.evutil_ascii_strcasecmp("Content-Type", "content-TYPE"), 0)
        XCTAssertEqual(Event.evutil_ascii_strcasecmp("a", "B"), -1)
        XCTAssertEqual(Event.evutil_ascii_strcasecmp("\u{e9}", "a"), -1)      // bytes >= 0x80 are negative chars
        XCTAssertEqual(Event.evutil_ascii_strncasecmp("abcX", "ABCy", 3), 0)
        XCTAssertEqual(Event.evutil_ascii_strncasecmp("abcX", "ABCy", 4), -1)
        XCTAssertEqual(Event.evutil_ascii_strncasecmp(nil, nil, 0), 0)
        XCTAssertEqual(Event.evutil_ascii_strcasecmp(nil, "a"), -1)
    }

    func testDate() {
        var t = tm()
        var clock: time_t = 784111777
        gmtime_r(&clock, &t)
        var buf = [CChar](repeating: 0, count: 64)
        XCTAssertEqual(Event.evutil_date_rfc1123(&buf, buf.count, &t), 29)
        XCTAssertEqual(String(cString: buf), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(Event.evutil_date_rfc1123(&buf, 10, &t), 29)
        XCTAssertEqual(String(cString: buf), "Sun, 06 N")
        XCTAssertEqual(Event.evutil_date_rfc1123(&buf, 0, &t), 0)
        t.tm_wday = 9
        XCTAssertEqual(Event.evutil_date_rfc1123(&buf, buf.count, &t), -1)  // libevent would read past its table
        XCTAssertEqual(Event.evutil_date_rfc1123(&buf, buf.count, nil), 29)
    }

    func testVsnprintf() {
        var buf = [CChar](repeating: 0x23, count: 16)
        let r = withVaList([Int32(12345)]) { CEventSys.evutil_vsnprintf(&buf, 3, "%d", $0) }
        XCTAssertEqual(r, 5)
        XCTAssertEqual(String(cString: buf), "12")
        XCTAssertEqual(withVaList([]) { CEventSys.evutil_vsnprintf(&buf, 0, "x", $0) }, 0)
        XCTAssertEqual(withVaList([]) { CEventSys.evutil_vsnprintf(nil, 4, "x", $0) }, -1)
    }

    private func entries(_ ai: AddrInfoPtr?) -> [(Int32, Int32, Int32, String, UInt16)] {
        var out: [(Int32, Int32, Int32, String, UInt16)] = []
        var e = ai
        while let cur = e {
            var text = [CChar](repeating: 0, count: 64)
            var port: UInt16 = 0
            if cur.pointee.ai_family == AF_INET {
                let sin = UnsafeRawPointer(cur.pointee.ai_addr).assumingMemoryBound(to: sockaddr_in.self)
                var a = sin.pointee.sin_addr
                _ = Event.evutil_inet_ntop(AF_INET, &a, &text, 64)
                port = UInt16(bigEndian: sin.pointee.sin_port)
            } else {
                let sin6 = UnsafeRawPointer(cur.pointee.ai_addr).assumingMemoryBound(to: sockaddr_in6.self)
                var a = sin6.pointee.sin6_addr
                _ = Event.evutil_inet_ntop(AF_INET6, &a, &text, 64)
                port = UInt16(bigEndian: sin6.pointee.sin6_port)
            }
            out.append((cur.pointee.ai_family, cur.pointee.ai_socktype, cur.pointee.ai_protocol, String(cString: text), port))
            XCTAssertNotEqual(cur.pointee.ai_flags & AddrInfo.libeventAllocated, 0)
            e = cur.pointee.ai_next
        }
        return out
    }

    func testNumericPath() {
        var h = AddrInfo.defaultHints()
        // A numeric host with no socket type: a TCP and a UDP entry.
        guard case .done(let ai) = AddrInfo.numeric("127.0.0.1", "80", h) else { return XCTFail() }
        let e = entries(ai)
        XCTAssertEqual(e.count, 2)
        XCTAssertEqual(e[0].1, Int32(SOCK_STREAM.rawValue)); XCTAssertEqual(e[0].2, Int32(IPPROTO_TCP))
        XCTAssertEqual(e[1].1, Int32(SOCK_DGRAM.rawValue)); XCTAssertEqual(e[1].2, Int32(IPPROTO_UDP))
        XCTAssertEqual(e[0].3, "127.0.0.1"); XCTAssertEqual(e[0].4, 80)
        Event.evutil_freeaddrinfo(ai)

        h.ai_socktype = Int32(SOCK_STREAM.rawValue)
        guard case .done(let v6) = AddrInfo.numeric("fe80::1%lo", "443", h) else { return XCTFail() }
        XCTAssertEqual(entries(v6).map { $0.3 }, ["fe80::1"])
        Event.evutil_freeaddrinfo(v6)

        // No host: wildcard when passive, loopback otherwise; IPv4 first.
        h.ai_flags = AI_PASSIVE
        guard case .done(let any) = AddrInfo.numeric(nil, "8080", h) else { return XCTFail() }
        XCTAssertEqual(entries(any).map { $0.3 }, ["0.0.0.0", "::"])
        Event.evutil_freeaddrinfo(any)
        h.ai_flags = 0
        guard case .done(let lo) = AddrInfo.numeric(nil, "8080", h) else { return XCTFail() }
        XCTAssertEqual(entries(lo).map { $0.3 }, ["127.0.0.1", "::1"])
        Event.evutil_freeaddrinfo(lo)

        guard case .needsLookup(let port) = AddrInfo.numeric("example.invalid", "25", h) else { return XCTFail() }
        XCTAssertEqual(port, 25)
        h.ai_flags = AI_NUMERICHOST
        guard case .failed(let code) = AddrInfo.numeric("example.invalid", "25", h) else { return XCTFail() }
        XCTAssertEqual(code, EAI_NONAME)
        h.ai_flags = AI_NUMERICSERV
        guard case .failed(let code2) = AddrInfo.numeric("1.2.3.4", "http", h) else { return XCTFail() }
        XCTAssertEqual(code2, EAI_NONAME)
        h.ai_flags = 0
        h.ai_family = AF_UNIX
        guard case .failed(let code3) = AddrInfo.numeric("1.2.3.4", "1", h) else { return XCTFail() }
        XCTAssertEqual(code3, EAI_FAMILY)
        guard case .failed(let code4) = AddrInfo.numeric(nil, nil, AddrInfo.defaultHints()) else { return XCTFail() }
        XCTAssertEqual(code4, EAI_NONAME)
    }

    func testAddrConfigAdjustment() {
        var h = AddrInfo.defaultHints()
        h.ai_flags = AI_ADDRCONFIG
        AddrInfo.adjustForAddrConfig(&h)
        XCTAssertTrue([AF_UNSPEC, AF_INET, AF_INET6].contains(h.ai_family))
        var fixed = AddrInfo.defaultHints()
        fixed.ai_family = AF_INET6
        fixed.ai_flags = AI_ADDRCONFIG
        AddrInfo.adjustForAddrConfig(&fixed)
        XCTAssertEqual(fixed.ai_family, AF_INET6)
    }

    func testSystemResolverPath() {
        var res: AddrInfoPtr? = nil
        var h = AddrInfo.defaultHints()
        h.ai_flags = AddrInfo.libeventAllocated   // ours alone: must not reach getaddrinfo
        h.ai_socktype = Int32(SOCK_STREAM.rawValue)
        XCTAssertEqual(Event.evutil_getaddrinfo("127.0.0.1", "80", &h, &res), 0)
        XCTAssertNotNil(res)
        Event.evutil_freeaddrinfo(res)
        XCTAssertEqual(Event.evutil_getaddrinfo("127.0.0.1", "80", nil, nil), EAI_SYSTEM)
        Event.evutil_freeaddrinfo(nil)
        XCTAssertEqual(String(cString: Event.evutil_gai_strerror(EAI_NONAME)!), "nodename nor servname provided, or not known")
        XCTAssertEqual(String(cString: Event.evutil_gai_strerror(-90001)!), "Request canceled")
    }

    func testSecureRandom() {
        XCTAssertEqual(Event.evutil_secure_rng_init(), 0)
        XCTAssertEqual(Event.evutil_secure_rng_set_urandom_device_file(nil), -1)
        var a = [UInt8](repeating: 0, count: 64), b = [UInt8](repeating: 0, count: 64)
        Event.evutil_secure_rng_get_bytes(&a, 64)
        Event.evutil_secure_rng_get_bytes(&b, 64)
        XCTAssertNotEqual(a, b)
        Event.evutil_secure_rng_get_bytes(nil, 0)
        Event.evutil_secure_rng_add_bytes("x", 1)
    }

    func testMonotonicTimer() {
        for flags: Int32 in [0, 1, 2, 3] {
            let t = Event.evutil_monotonic_timer_new()
            XCTAssertEqual(Event.evutil_configure_monotonic_time(t, flags), 0)
            var prev = timeval(), now = timeval()
            XCTAssertEqual(Event.evutil_gettime_monotonic(t, &prev), 0)
            for _ in 0..<1000 {
                XCTAssertEqual(Event.evutil_gettime_monotonic(t, &now), 0)
                XCTAssertFalse(tvLess(now, prev))
                prev = now
            }
            Event.evutil_monotonic_timer_free(t)
        }
        XCTAssertEqual(Event.evutil_gettime_monotonic(nil, nil), -1)
        XCTAssertEqual(Event.evutil_configure_monotonic_time(nil, 0), -1)
        // The wall-clock fallback absorbs a step backwards.
        let t = MonotonicTimer()
        t.configure(flags: MonotonicTimer.fallback)
        let first = t.now()
        t.last = micros(first) + 10_000_000   // pretend we had already seen ten seconds more
        let next = t.now()
        XCTAssertFalse(tvLess(next, timevalFrom(t.last - 1)))
        XCTAssertGreaterThanOrEqual(t.offset, 9_000_000)
    }

    func testSocketHelpers() {
        var sv: [Int32] = [-1, -1]
        XCTAssertEqual(Event.evutil_socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sv), 0)
        XCTAssertEqual(Event.evutil_make_socket_nonblocking(sv[0]), 0)
        XCTAssertNotEqual(fcntl_getfl(sv[0]) & O_NONBLOCK, 0)
        XCTAssertEqual(Event.evutil_make_socket_closeonexec(sv[0]), 0)
        XCTAssertNotEqual(fcntl_getfd(sv[0]) & FD_CLOEXEC, 0)
        XCTAssertEqual(Event.evutil_closesocket(sv[0]), 0)
        XCTAssertEqual(Event.evutil_closesocket(sv[1]), 0)
        XCTAssertEqual(Event.evutil_make_socket_nonblocking(-1), -1)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertEqual(Event.evutil_make_listen_socket_reuseable(tcp), 0)
        XCTAssertEqual(Event.evutil_make_listen_socket_reuseable_port(tcp), 0)
        XCTAssertEqual(Event.evutil_make_tcp_listen_socket_deferred(tcp), 0)
        XCTAssertEqual(Event.evutil_make_listen_socket_ipv6only(tcp), -1)
        close(tcp)
    }
}
