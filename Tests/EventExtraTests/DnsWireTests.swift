import XCTest
import CEventExtra
@testable import EventExtra

/// The DNS wire format as evdns reads and writes it: names (compression,
/// bounds, loops), queries, replies, the server's query parser.
final class DnsWireTests: XCTestCase {
    func bytes(_ s: StaticString) -> [UInt8] { sbytes(s) }

    func parse(_ p: [UInt8], at: Int, limit: Int = 256) -> ([UInt8]?, Int) {
        var j = at
        let n = p.withUnsafeBytes { DnsName.parse($0, &j, limit: limit) }
        return (n, j)
    }

    func testNameParsePlainAndCompressed() {
        // 0: 3www7example3com0   17: 3ftp + pointer to 4 (example.com)
        let p: [UInt8] = [3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0,
                          3, 102, 116, 112, 0xc0, 4]
        let (a, ja) = parse(p, at: 0)
        XCTAssertEqual(a, bytes("www.example.com"))
        XCTAssertEqual(ja, 17)
        let (b, jb) = parse(p, at: 17)
        XCTAssertEqual(b, bytes("ftp.example.com"))
        XCTAssertEqual(jb, 23, "resumes after the first pointer")
    }

    func testNameLabelPastEndIsRefused() {
        // CVE-2016-10195: a label claiming more bytes than the packet has.
        let p: [UInt8] = [3, 119, 119, 119, 40, 101, 120]
        XCTAssertNil(parse(p, at: 0).0)
        // A pointer outside the packet, a truncated pointer, no terminator.
        XCTAssertNil(parse([0xc0, 9], at: 0).0)
        XCTAssertNil(parse([0xc0], at: 0).0)
        XCTAssertNil(parse([3, 97, 98, 99], at: 0).0)
        XCTAssertNil(parse([], at: 0).0)
    }

    func testNameCompressionLoopIsRefused() {
        XCTAssertNil(parse([0xc0, 0], at: 0).0, "pointer to itself")
        XCTAssertNil(parse([1, 97, 0xc0, 0], at: 0).0, "label then pointer back")
        XCTAssertNil(parse([0xc0, 2, 0xc0, 0], at: 0).0, "two pointers in a ring")
    }

    func testNameLimitAndReservedBits() {
        // 4 labels of 63 = 255 chars with dots: too long for a 256-byte buffer? 63*4+3 = 255 < 256: fits.
        var p: [UInt8] = []
        for _ in 0..<4 { p.append(63); p.append(contentsOf: [UInt8](repeating: 97, count: 63)) }
        p.append(0)
        XCTAssertEqual(parse(p, at: 0).0?.count, 255)
        XCTAssertNil(parse(p, at: 0, limit: 255).0, "PTR/CNAME buffers hold 254 characters")
        XCTAssertNil(parse([64] + [UInt8](repeating: 97, count: 64) + [0], at: 0).0, "labels are at most 63")
        XCTAssertNil(parse([0x80, 0], at: 0).0, "0x80 is not a length")
    }

    func testEncodeWithCompression() {
        var table = DnsName.Table()
        var b: [UInt8] = [0, 0]
        XCTAssertNil(DnsName.encode(bytes("a.example.com"), into: &b, cap: 512, table: &table))
        XCTAssertNil(DnsName.encode(bytes("b.example.com"), into: &b, cap: 512, table: &table))
        XCTAssertNil(DnsName.encode(bytes("example.com"), into: &b, cap: 512, table: &table))
        XCTAssertEqual(b, [0, 0, 1, 97, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0,
                           1, 98, 0xc0, 4, 0xc0, 4])
        var c: [UInt8] = []
        XCTAssertNil(DnsName.encode(bytes("abc."), into: &c, cap: 512, table: nil))
        XCTAssertEqual(c, [3, 97, 98, 99, 0])
        var d: [UInt8] = []
        XCTAssertEqual(DnsName.encode([UInt8](repeating: 97, count: 64), into: &d, cap: 512, table: nil), .labelTooLong)
        var e: [UInt8] = []
        XCTAssertEqual(DnsName.encode(bytes("abc"), into: &e, cap: 3, table: nil), .noRoom)
    }

    func testQueryBytes() {
        let q = DnsPacket.query(name: bytes("ab.c"), id: 0x1234, type: DnsPacket.typeAAAA)
        XCTAssertEqual(q, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 97, 98, 1, 99, 0, 0, 28, 0, 1])
        XCTAssertNil(DnsPacket.query(name: [UInt8](repeating: 97, count: 70), id: 1, type: 1))
    }

    /// A reply to `q` with the given flags and raw sections.
    func reply(_ q: [UInt8], flags: UInt16, an: UInt16, ns: UInt16 = 0, _ rest: [UInt8]) -> [UInt8] {
        var r = Array(q[0..<12])
        r[2] = UInt8(flags >> 8); r[3] = UInt8(flags & 0xff)
        r[6] = UInt8(an >> 8); r[7] = UInt8(an & 0xff)
        r[8] = UInt8(ns >> 8); r[9] = UInt8(ns & 0xff)
        return r + q[12...] + rest
    }

    func run(_ packet: [UInt8], _ q: [UInt8], type: UInt16, exact: Bool = true, cname: Bool = false) -> DnsPacket.Reply {
        packet.withUnsafeBytes { p in
            var r = DnsPacket.Reader(p)
            let h = DnsPacket.header(&r)!
            return DnsPacket.parseReply(p, header: h, question: q, type: type, exactCase: exact, wantCname: cname)
        }
    }

    func testReplyA() {
        let q = DnsPacket.query(name: bytes("Host.Test"), id: 7, type: DnsPacket.typeA)!
        // CNAME then two A records (ttl 300 and 100), names by pointer to the question.
        let rest: [UInt8] = [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 9, 0, 4, 1, 120, 0xc0, 12,
                             0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1,
                             0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 100, 0, 4, 10, 0, 0, 2]
        let r = run(reply(q, flags: 0x8180, an: 3, rest), q, type: DnsPacket.typeA, cname: true)
        XCTAssertTrue(r.parsed && r.haveAnswer)
        XCTAssertEqual(r.count, 2)
        XCTAssertEqual(r.addrs, [10, 0, 0, 1, 10, 0, 0, 2])
        XCTAssertEqual(r.ttl, 100)
        XCTAssertEqual(r.cname, bytes("x.Host.Test"))
    }

    func testReplyNameMustMatchQuestion() {
        let q = DnsPacket.query(name: bytes("HoSt.test"), id: 7, type: DnsPacket.typeA)!
        var other = q
        other[13] = 104  // "hoSt.test": differs only in case
        let rest: [UInt8] = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4]
        let pkt = reply(other, flags: 0x8180, an: 1, rest)
        XCTAssertFalse(run(pkt, q, type: DnsPacket.typeA, exact: true).parsed, "0x20: case must match")
        XCTAssertTrue(run(pkt, q, type: DnsPacket.typeA, exact: false).haveAnswer)
    }

    func testReplyErrorsAndNegativeTtl() {
        let q = DnsPacket.query(name: bytes("none.test"), id: 9, type: DnsPacket.typeAAAA)!
        // NXDOMAIN with an SOA in authority: ttl = min(ttl, minimum).
        let soa: [UInt8] = [0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 22, 0, 0,
                            0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 30]
        let nx = run(reply(q, flags: 0x8183, an: 0, ns: 1, soa), q, type: DnsPacket.typeAAAA)
        XCTAssertTrue(nx.parsed)
        XCTAssertFalse(nx.haveAnswer)
        XCTAssertEqual(nx.ttl, 30)
        // SERVFAIL and truncated replies are not parsed.
        XCTAssertFalse(run(reply(q, flags: 0x8182, an: 0, []), q, type: DnsPacket.typeAAAA).parsed)
        XCTAssertFalse(run(reply(q, flags: 0x8380, an: 0, []), q, type: DnsPacket.typeAAAA).parsed)
        // An answer count with nothing behind it.
        XCTAssertFalse(run(reply(q, flags: 0x8180, an: 3, []), q, type: DnsPacket.typeAAAA).parsed)
        // AAAA data not a multiple of 16.
        let bad: [UInt8] = [0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4]
        XCTAssertFalse(run(reply(q, flags: 0x8180, an: 1, bad), q, type: DnsPacket.typeAAAA).parsed)
    }

    func testReplyPtrAndTooManyAddresses() {
        let q = DnsPacket.query(name: bytes("4.3.2.1.in-addr.arpa"), id: 1, type: DnsPacket.typePTR)!
        let rest: [UInt8] = [0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 5, 0, 4, 2, 104, 111, 0]
        let r = run(reply(q, flags: 0x8180, an: 1, rest), q, type: DnsPacket.typePTR)
        XCTAssertEqual(r.ptrName, bytes("ho"))
        let qa = DnsPacket.query(name: bytes("many"), id: 1, type: DnsPacket.typeA)!
        var many: [UInt8] = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 160]
        many += [UInt8](repeating: 7, count: 160)
        let m = run(reply(qa, flags: 0x8180, an: 1, many), qa, type: DnsPacket.typeA)
        XCTAssertEqual(m.count, 32, "libevent keeps 32 addresses")
    }

    func testServerQueryParse() {
        let q = DnsPacket.query(name: bytes("a.b"), id: 5, type: 1)!
        let parsed = q.withUnsafeBytes { ServerQuery.parse($0) }
        XCTAssertEqual(parsed?.id, 5)
        XCTAssertEqual(parsed?.flags, 0x0100)
        XCTAssertEqual(parsed?.questions.first?.name, bytes("a.b"))
        var answer = q; answer[2] |= 0x80
        XCTAssertNil(answer.withUnsafeBytes { ServerQuery.parse($0) }, "a reply is not a query")
        var none = q; none[5] = 0
        XCTAssertNil(none.withUnsafeBytes { ServerQuery.parse($0) }, "no question, no request")
        XCTAssertNil(Array(q[0..<(q.count - 1)]).withUnsafeBytes { ServerQuery.parse($0) })
        var loop = Array(q[0..<12]) + [0xc0, 12, 0, 1, 0, 1]
        loop[5] = 1
        XCTAssertNil(loop.withUnsafeBytes { ServerQuery.parse($0) })
    }
}

/// resolv.conf, options and hosts parsing; the search list.
final class DnsConfigTests: XCTestCase {
    func testOptionNames() {
        XCTAssertTrue(ResolvConf.matches(sbytes("ndots"), "ndots:"))
        XCTAssertTrue(ResolvConf.matches(sbytes("ndots:"), "ndots:"))
        XCTAssertTrue(ResolvConf.matches(sbytes("ndots:3"), "ndots:"))
        XCTAssertFalse(ResolvConf.matches(sbytes("ndot"), "ndots:"))
        XCTAssertFalse(ResolvConf.matches(sbytes("ndotsx"), "ndots:"))
    }

    func testNumbers() {
        XCTAssertEqual(ResolvConf.toInt(sbytes("12")), 12)
        XCTAssertEqual(ResolvConf.toInt(sbytes("")), 0, "strtol of nothing is 0")
        XCTAssertEqual(ResolvConf.toInt(sbytes("1x")), -1)
        XCTAssertEqual(ResolvConf.toIntClipped(sbytes("900"), 1, 255), 255)
        XCTAssertEqual(ResolvConf.toTimeval(sbytes("1.5"))?.tv_usec, 500000)
        XCTAssertNil(ResolvConf.toTimeval(sbytes("0.0001")), "under a millisecond")
        XCTAssertNil(ResolvConf.toTimeval(sbytes("-1")))
        XCTAssertEqual(ResolvConf.toTimeval(sbytes("1e300"))?.tv_sec, Int(Int32.max), "saturates")
    }

    func testTokensAndLines() {
        XCTAssertEqual(ResolvConf.tokens(sbytes(" a\t bb  c ")[...]), [sbytes("a"), sbytes("bb"), sbytes("c")])
        let l = ResolvConf.lines(sbytes("x\ny") + [0] + sbytes("\nz"))
        XCTAssertEqual(l.map { Array($0) }, [sbytes("x"), sbytes("y")])
    }

    func testHostsLines() {
        let e = HostsFile.parseLine(sbytes("10.0.0.1 a b#c d")[...])
        XCTAssertEqual(e.map { $0.name }, [sbytes("a"), sbytes("b")])
        XCTAssertEqual(HostsFile.parseLine(sbytes("# 10.0.0.1 a")[...]).count, 0)
        XCTAssertEqual(HostsFile.parseLine(sbytes("10.0.0.1:80 a")[...]).count, 0, "no ports")
        XCTAssertEqual(HostsFile.parseLine(sbytes("nonsense a")[...]).count, 0)
        XCTAssertEqual(HostsFile.parseLine(sbytes("::1 six #x")[...]).first?.addr.family, AF_INET6)
    }

    func testSearchNames() {
        let s = SearchState()
        s.domains = [sbytes("b.test"), sbytes("a.test")]
        XCTAssertEqual(DnsBase.searchName(s, 0, sbytes("h")), sbytes("h.b.test"))
        XCTAssertEqual(DnsBase.searchName(s, 1, sbytes("h.")), sbytes("h.a.test"))
        // CVE-2016-10197: an empty name is never searched.
        XCTAssertNil(DnsBase.searchName(s, 0, []))
        XCTAssertNil(DnsBase.searchName(s, 2, sbytes("h")))
        XCTAssertEqual(DnsBase.dots(sbytes("a.b.c")), 2)
    }

    func testReverseNames() {
        var a = in_addr()
        a.s_addr = UInt32(0x0102_0304).bigEndian
        XCTAssertEqual(DnsReverse.ipv4(a), sbytes("4.3.2.1.in-addr.arpa"))
        var six = in6_addr()
        withUnsafeMutableBytes(of: &six) { $0[15] = 0xab; $0[0] = 0x20 }
        let n = DnsReverse.ipv6(six)
        XCTAssertEqual(Array(n.prefix(4)), sbytes("b.a."))
        XCTAssertEqual(Array(n.suffix(12)), sbytes("0.2.ip6.arpa"))
    }
}
