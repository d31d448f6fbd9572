import CEventExtra

/// DNS messages: the query the resolver sends, the parse of a reply, and
/// big-endian field access bounded by the packet.
enum DnsPacket {
    static let typeA: UInt16 = 1
    static let typeCNAME: UInt16 = 5
    static let typeSOA: UInt16 = 6
    static let typePTR: UInt16 = 12
    static let typeAAAA: UInt16 = 28
    static let classIN: UInt16 = 1

    static let flagQR: UInt16 = 0x8000
    static let flagTC: UInt16 = 0x0200
    static let rcodeMask: UInt16 = 0x000f

    /// libevent records at most this many addresses of one reply.
    static let maxAddrs = 32

    /// A cursor over a packet; every read fails (nil) past the end.
    struct Reader {
        let p: UnsafeRawBufferPointer
        var j: Int = 0
        init(_ p: UnsafeRawBufferPointer, at j: Int = 0) { self.p = p; self.j = j }
        mutating func u8() -> UInt8? {
            if j >= p.count { return nil }
            defer { j += 1 }
            return p[j]
        }
        @inline(__always) mutating func u16() -> UInt16? {
            if j + 2 > p.count { return nil }
            defer { j += 2 }
            return UInt16(p[j]) << 8 | UInt16(p[j + 1])
        }
        mutating func u32() -> UInt32? {
            if j + 4 > p.count { return nil }
            defer { j += 4 }
            return UInt32(p[j]) << 24 | UInt32(p[j + 1]) << 16 | UInt32(p[j + 2]) << 8 | UInt32(p[j + 3])
        }
        mutating func name(limit: Int = 256) -> [UInt8]? { DnsName.parse(p, &j, limit: limit) }
        /// Past a name, with the checks of reading it.
        mutating func skipName() -> Bool { DnsName.withName(p, &j) { $0 != nil } }
    }

    static func put16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v >> 8)); b.append(UInt8(v & 0xff)) }
    static func put32(_ b: inout [UInt8], _ v: UInt32) { put16(&b, UInt16(v >> 16)); put16(&b, UInt16(v & 0xffff)) }

    /// Room `writeQuery` needs for a name of `n` bytes.
    static func queryCapacity(_ n: Int) -> Int { 12 + n + 2 + 4 }

    /// Write the query for one question, recursion desired, as libevent
    /// builds it, at `b` (queryCapacity bytes); with `randomBits`, letters
    /// get the case of the matching bit (0x20). Its length, or nil when a
    /// label is longer than 63 bytes or the name too long.
    @_optimize(speed)
    static func writeQuery(_ b: UnsafeMutablePointer<UInt8>, name: UnsafeBufferPointer<UInt8>, id: UInt16, type: UInt16,
                           randomBits: UnsafeRawBufferPointer? = nil) -> Int? {
        let n = name.count
        if n > 255 { return nil }
        b[0] = UInt8(id >> 8); b[1] = UInt8(id & 0xff); b[2] = 1; b[3] = 0
        b[4] = 0; b[5] = 1; b[6] = 0; b[7] = 0; b[8] = 0; b[9] = 0; b[10] = 0; b[11] = 0
        // One pass over the name: its bytes go to b[13...] (0x20-cased),
        // and at each '.' (where a length byte goes) the label before it
        // gets its length.
        let src = name.baseAddress
        let bits = randomBits?.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var lenAt = 12
        var k = 0
        while k < n {
            var c = src.unsafelyUnwrapped[k]
            if c == 0x2e {
                let len = k &+ 13 &- lenAt &- 1
                if len > 63 { return nil }
                b[lenAt] = UInt8(truncatingIfNeeded: len)
                lenAt = k &+ 13
                if k &+ 1 >= n { b[lenAt] = 0; lenAt = -1; break }   // "a." ends with an empty label
            } else if let bits {
                let l = c | 0x20
                if l &- 0x61 < 26 {
                    c = (bits[k &>> 3] &>> UInt8(truncatingIfNeeded: k & 7)) & 1 != 0 ? l : c & 0xdf
                }
            }
            b[k &+ 13] = c
            k &+= 1
        }
        if lenAt >= 0 {
            let len = n &+ 13 &- lenAt &- 1
            if len > 63 { return nil }
            b[lenAt] = UInt8(truncatingIfNeeded: len)
        }
        let end = 13 + n
        var e = end
        if b[e - 1] != 0 { b[e] = 0; e += 1 }
        b[e] = UInt8(type >> 8); b[e + 1] = UInt8(type & 0xff); b[e + 2] = 0; b[e + 3] = 1
        return e + 4
    }

    /// The same query as an array.
    static func query(name: UnsafeBufferPointer<UInt8>, id: UInt16, type: UInt16,
                      randomBits: UnsafeRawBufferPointer? = nil) -> [UInt8]? {
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: queryCapacity(name.count)) { buf, count in
            if let n = writeQuery(buf.baseAddress!, name: name, id: id, type: type, randomBits: randomBits) { count = n } else { ok = false; count = 0 }
        }
        return ok ? out : nil
    }

    static func query(name: [UInt8], id: UInt16, type: UInt16) -> [UInt8]? {
        name.withUnsafeBufferPointer { query(name: $0, id: id, type: type) }
    }

    struct Header {
        var id: UInt16 = 0, flags: UInt16 = 0, qd: UInt16 = 0, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0
    }

    /// The 12 header bytes at the reader, checked once.
    @_optimize(speed)
    static func header(_ r: inout Reader) -> Header? {
        let j = r.j
        if j < 0 || r.p.count &- j < 12 { return nil }
        let b = (r.p.baseAddress.unsafelyUnwrapped + j).assumingMemoryBound(to: UInt8.self)
        @inline(__always) func be16(_ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i &+ 1]) }
        r.j = j &+ 12
        return Header(id: be16(0), flags: be16(2), qd: be16(4), an: be16(6), ns: be16(8), ar: be16(10))
    }

    /// What a reply says about one request.
    struct Reply {
        var flags: UInt16 = 0
        /// false: the reply could not be used (libevent's error path: the
        /// outcome comes from the flags alone, with no TTL).
        var parsed = false
        var haveAnswer = false
        var ttl: UInt32 = 0
        /// A: 4 bytes per address, AAAA: 16, network order.
        var addrs: [UInt8] = []
        /// Where the addresses are while they fit `areaCapacity` bytes of the
        /// caller's area (then `addrs` is empty); nil once they spilled.
        var area: UnsafeMutableRawPointer? = nil
        var areaCapacity = 0
        var areaBytes = 0

        /// Run `body` on the address bytes (a valid pointer even for none).
        func withAddressBytes<R>(_ body: (UnsafeRawPointer) -> R) -> R {
            if let a = area, addrs.isEmpty { return body(a) }
            let a = addrs.isEmpty ? [0] : addrs
            return a.withUnsafeBytes { body($0.baseAddress!) }
        }

        /// Copy addresses held in the area into `addrs` (the area is going).
        mutating func detachArea() {
            if let a = area, addrs.isEmpty, areaBytes > 0 {
                addrs = Array(UnsafeRawBufferPointer(start: a, count: areaBytes))
            }
            area = nil
        }

        mutating func appendAddresses(_ bytes: UnsafeRawBufferPointer) {
            if let a = area {
                if areaBytes + bytes.count <= areaCapacity {
                    (a + areaBytes).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                    areaBytes += bytes.count
                    return
                }
                addrs.reserveCapacity(areaBytes + bytes.count)
                addrs.append(contentsOf: UnsafeRawBufferPointer(start: a, count: areaBytes))
                area = nil
            }
            addrs.append(contentsOf: bytes)
        }
        var count = 0
        var ptrName: [UInt8] = []
        var cname: [UInt8]? = nil
    }

    /// Parse the body of a reply to `question` (the query bytes we sent).
    /// `exactCase`: names must match byte for byte. libevent asks for it only
    /// when randomize-case is off; with it on (the default) the reply may
    /// carry the name in any case (servers that lowercase it still work).
    static func parseReply(_ p: UnsafeRawBufferPointer, header h: Header, question: [UInt8],
                           type: UInt16, exactCase: Bool, wantCname: Bool) -> Reply {
        question.withUnsafeBytes { parseReply(p, header: h, question: $0, type: type, exactCase: exactCase, wantCname: wantCname) }
    }

    /// `area`: room for the addresses while they fit (`areaCapacity` bytes).
    static func parseReply(_ p: UnsafeRawBufferPointer, header h: Header, question q: UnsafeRawBufferPointer,
                           type: UInt16, exactCase: Bool, wantCname: Bool,
                           area: UnsafeMutableRawPointer? = nil, areaCapacity: Int = 0) -> Reply {
        var reply = Reply()
        parseReply(p, header: h, question: q, type: type, exactCase: exactCase, wantCname: wantCname,
                   area: area, areaCapacity: areaCapacity, into: &reply)
        return reply
    }

    /// The same into `reply` (a fresh `Reply()`): filled in place, never
    /// copied (each copy would retain its arrays).
    @_optimize(speed)
    static func parseReply(_ p: UnsafeRawBufferPointer, header h: Header, question q: UnsafeRawBufferPointer,
                           type: UInt16, exactCase: Bool, wantCname: Bool,
                           area: UnsafeMutableRawPointer?, areaCapacity: Int, into reply: inout Reply) {
        reply.area = area
        reply.areaCapacity = areaCapacity
        reply.flags = h.flags
        let err = h.flags & (rcodeMask | flagTC)
        if err != 0 && err != 3 { return }      // NXDOMAIN is parsed for its SOA TTL
        var r = Reader(p, at: 12)
        var ttlMin: UInt32 = 0xffff_ffff
        var nameMatches = false
        let ok: Bool = { () -> Bool in
            for _ in 0..<h.qd {
                // libevent reads the query's name at the reply question's offset.
                var k = r.j
                let same: Bool? = DnsName.withName(p, &r.j) { got in
                    guard let got else { return nil }
                    // Our own query's first question: plain labels, read in place.
                    if k == 12 { return DnsName.equalsQueryName(got, q, exact: exactCase) }
                    return DnsName.withName(q, &k) { asked -> Bool? in
                        guard let asked else { return nil }
                        return exactCase ? DnsName.equal(got, asked) : DnsName.equalFolded(got, asked)
                    }
                }
                guard let same else { return false }
                if same { nameMatches = true }
                r.j += 4
                if r.j > p.count { return false }
            }
            return nameMatches
        }()
        if !ok { return }
        let unit = type == typeA ? 4 : 16
        for _ in 0..<h.an {
            guard r.skipName(), let t = r.u16(), let c = r.u16(), let ttl = r.u32(), let len = r.u16() else { return }
            if (t == typeA || t == typeAAAA) && c == classIN {
                if t != type { r.j += Int(len); continue }
                if Int(len) % unit != 0 { return }
                let n = min(maxAddrs - reply.count, Int(len) / unit)
                ttlMin = min(ttlMin, ttl)
                if r.j + unit * n > p.count { return }
                reply.appendAddresses(UnsafeRawBufferPointer(rebasing: p[r.j..<(r.j + unit * n)]))
                r.j += unit * n
                reply.count += n
                reply.haveAnswer = true
                if reply.count == maxAddrs { break }
            } else if t == typePTR && c == classIN {
                if type != typePTR { r.j += Int(len); continue }
                guard let n = r.name(limit: 255) else { return }
                reply.ptrName = n
                ttlMin = min(ttlMin, ttl)
                reply.haveAnswer = true
                break
            } else if t == typeCNAME {
                if !wantCname || reply.cname != nil { r.j += Int(len); continue }
                guard let n = r.name(limit: 255) else { return }
                reply.cname = n
            } else {
                r.j += Int(len)
            }
        }
        if !reply.haveAnswer {
            for _ in 0..<h.ns {
                guard r.skipName(), let t = r.u16(), let c = r.u16(), let ttl = r.u32(), let len = r.u16() else { return }
                if t == typeSOA && c == classIN {
                    guard r.skipName(), r.skipName(), r.u32() != nil, r.u32() != nil, r.u32() != nil,
                          r.u32() != nil, let minimum = r.u32() else { return }
                    ttlMin = min(ttlMin, ttl, minimum)
                } else {
                    r.j += Int(len)
                }
            }
        }
        reply.parsed = true
        reply.ttl = ttlMin == 0xffff_ffff ? 0 : ttlMin
    }
}
