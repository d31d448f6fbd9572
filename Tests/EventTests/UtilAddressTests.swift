import XCTest
import CEventSys
@testable import Event

/// Address parsing/formatting (Util/Address.swift) and the util.h exports
/// around it. The byte-for-byte parity with libevent is pinned by
/// ctests/util_addr_parse.c and util_inet_pton_ntop.c; these check
/// invariants and the NULL handling libevent lacks.
final class UtilAddressTests: XCTestCase {
    private func pton6(_ s: String) -> [UInt8]? {
        var out = [UInt8](repeating: 0xAA, count: 16)
        let r = s.withCString { Event.evutil_inet_pton(AF_INET6, $0, &out) }
        return r == 1 ? out : nil
    }

    private func pton4(_ s: String) -> [UInt8]? {
        var out = [UInt8](repeating: 0xAA, count: 4)
        let r = s.withCString { Event.evutil_inet_pton(AF_INET, $0, &out) }
        return r == 1 ? out : nil
    }

    private func ntop(_ af: Int32, _ bytes: [UInt8], len: Int = 64) -> String? {
        var buf = [CChar](repeating: 0x5a, count: 80)
        let p = bytes.withUnsafeBytes { Event.evutil_inet_ntop(af, $0.baseAddress, &buf, len) }
        guard p != nil else { return nil }
        return String(cString: buf)
    }

    func testIPv4Dialect() {
        XCTAssertEqual(pton4("1.2.3.4"), [1, 2, 3, 4])
        XCTAssertEqual(pton4("01.02.03.004"), [1, 2, 3, 4])       // leading zeros are fine
        XCTAssertEqual(pton4(" 1. 2.3.4"), [1, 2, 3, 4])          // scanf skips white space
        XCTAssertEqual(pton4("4294967297.2.3.4"), [1, 2, 3, 4])   // %u wraps into 32 bits
        XCTAssertNil(pton4("1.2.3.4 "))
        XCTAssertNil(pton4("256.0.0.0"))
        XCTAssertNil(pton4("1.2.3"))
        XCTAssertNil(pton4(""))
        XCTAssertNil(pton4("-1.2.3.4"))
        XCTAssertEqual(pton4("-0.1.2.3"), [0, 1, 2, 3])
    }

    func testIPv6Dialect() {
        XCTAssertEqual(pton6("::"), [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(pton6("::1")?.last, 1)
        XCTAssertEqual(pton6("0x12::")?.prefix(2), [0x00, 0x12])
        XCTAssertNotNil(pton6("1:2:3:4:5:6:7:8:"))                // a trailing colon is tolerated
        XCTAssertNil(pton6("1:2:3:4:5:6:7:"))
        XCTAssertNil(pton6("12345::"))
        XCTAssertNil(pton6("1::2::3"))
        XCTAssertEqual(pton6("::ffff:1.2.3.4")?.suffix(6), [0xff, 0xff, 1, 2, 3, 4])
        XCTAssertNil(pton6("::ffff:1.2.3"))
        XCTAssertNil(pton6(".::1"))
    }

    func testFormatting() {
        XCTAssertEqual(ntop(AF_INET, [127, 0, 0, 1]), "127.0.0.1")
        XCTAssertEqual(ntop(AF_INET6, [UInt8](repeating: 0, count: 16)), "::")
        var b = [UInt8](repeating: 0, count: 16)
        b[1] = 2; b[15] = 8
        XCTAssertEqual(ntop(AF_INET6, b), "2::8")
        // A single zero word is not compressed.
        XCTAssertEqual(ntop(AF_INET6, pton6("::2:3:4:5:6:7:8")!), "0:2:3:4:5:6:7:8")
        XCTAssertEqual(ntop(AF_INET6, pton6("::ffff:10.0.0.1")!), "::ffff:10.0.0.1")
        XCTAssertEqual(ntop(AF_INET6, pton6("::1:80")!), "::0.1.0.128")
        // Buffer sizes: IPv4 needs room for the NUL; IPv6 only for the text, truncating.
        XCTAssertNil(ntop(AF_INET, [1, 2, 3, 4], len: 7))
        XCTAssertEqual(ntop(AF_INET, [1, 2, 3, 4], len: 8), "1.2.3.4")
        XCTAssertEqual(ntop(AF_INET6, b, len: 4), "2::")
        XCTAssertNil(ntop(AF_INET6, b, len: 3))
        XCTAssertNil(ntop(AF_UNIX, b))
    }

    func testRoundTripRandomAddresses() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var b = [UInt8](repeating: 0, count: 16)
            for w in 0..<8 {
                let kind = Int.random(in: 0..<4, using: &rng)
                let v: UInt16 = kind < 2 ? 0 : kind == 2 ? 0xffff : UInt16.random(in: 0...0xffff, using: &rng)
                b[2 * w] = UInt8(v >> 8)
                b[2 * w + 1] = UInt8(v & 0xff)
            }
            guard let text = ntop(AF_INET6, b) else { return XCTFail("ntop failed for \(b)") }
            XCTAssertEqual(pton6(text), b, text)
        }
    }

    func testScope() {
        var out = [UInt8](repeating: 0, count: 16)
        var index: UInt32 = 99
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET6, "fe80::1%lo", &out, &index), 1)
        XCTAssertEqual(index, if_nametoindex("lo"))
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET6, "fe80::1%42", &out, &index), 1)
        XCTAssertEqual(index, 42)
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET6, "fe80::1%", &out, &index), 1)
        XCTAssertEqual(index, 0)
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET6, "fe80::1%nosuchif0", &out, &index), 0)
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET, "1.2.3.4", &out, &index), 1)
        XCTAssertEqual(index, 0)
        // A name longer than any interface name is read as a number (and is not one).
        XCTAssertEqual(Event.evutil_inet_pton_scope(AF_INET6, "fe80::1%aaaaaaaaaaaaaaaaaaaaaaaaa", &out, &index), 0)
    }

    private func parse(_ s: String, outlen: Int32 = Int32(MemoryLayout<sockaddr_storage>.size)) -> (Int32, Int32, sockaddr_storage) {
        var ss = sockaddr_storage()
        var len = outlen
        let r = withUnsafeMutablePointer(to: &ss) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Event.evutil_parse_sockaddr_port(s, $0, &len) }
        }
        return (r, len, ss)
    }

    func testParseSockaddrPort() {
        var (r, len, ss) = parse("[::1]:8080")
        XCTAssertEqual(r, 0)
        XCTAssertEqual(Int(len), MemoryLayout<sockaddr_in6>.size)
        XCTAssertEqual(Int32(ss.ss_family), AF_INET6)
        (r, len, ss) = parse("10.0.0.1:80")
        XCTAssertEqual(r, 0)
        XCTAssertEqual(Int(len), MemoryLayout<sockaddr_in>.size)
        let port = withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port } }
        XCTAssertEqual(UInt16(bigEndian: port), 80)
        XCTAssertEqual(parse("10.0.0.1:0").0, -1)
        XCTAssertEqual(parse("10.0.0.1:65536").0, -1)
        XCTAssertEqual(parse("[::1]:").0, -1)
        XCTAssertEqual(parse("[::1]junk").0, 0)          // libevent ignores what follows "]" unless it is ":"
        XCTAssertEqual(parse("::1", outlen: 16).0, -1)   // too small for sockaddr_in6
        XCTAssertEqual(parse(String(repeating: "1", count: 200) + ":80").0, -1)
    }

    func testParseBadArguments() {
        var ss = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &ss) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                XCTAssertEqual(Event.evutil_parse_sockaddr_port(nil, sa, &len), -1)
                XCTAssertEqual(Event.evutil_parse_sockaddr_port("1.2.3.4", sa, nil), -1)
            }
        }
        XCTAssertEqual(Event.evutil_parse_sockaddr_port("1.2.3.4", nil, &len), -1)
        XCTAssertEqual(Event.evutil_inet_pton(AF_INET, nil, &ss), -1)
        XCTAssertNil(Event.evutil_inet_ntop(AF_INET, nil, nil, 0))
        XCTAssertEqual(Event.evutil_sockaddr_cmp(nil, nil, 1), 0)
    }

    func testSockaddrCompare() {
        let a = parse("1.2.3.4:80").2, b = parse("1.2.3.4:81").2, c = parse("[::1]:80").2
        func cmp(_ x: sockaddr_storage, _ y: sockaddr_storage, _ port: Int32) -> Int32 {
            var x = x, y = y
            return withUnsafePointer(to: &x) { px in
                withUnsafePointer(to: &y) { py in
                    px.withMemoryRebound(to: sockaddr.self, capacity: 1) { sx in
                        py.withMemoryRebound(to: sockaddr.self, capacity: 1) { Event.evutil_sockaddr_cmp(sx, $0, port) }
                    }
                }
            }
        }
        XCTAssertEqual(cmp(a, b, 0), 0)
        XCTAssertEqual(cmp(a, b, 1), -256)   // network-order port difference, as libevent computes it
        XCTAssertEqual(cmp(a, c, 0), AF_INET - AF_INET6)
        XCTAssertEqual(cmp(c, c, 1), 0)
    }
}
