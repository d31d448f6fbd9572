import CEventSys

/// A C string seen as bytes, with reads past the end answering NUL, so the
/// parsers below can look ahead the way C code scanning a NUL-terminated
/// string does.
struct CText {
    let base: UnsafePointer<UInt8>
    let count: Int

    init(_ p: UnsafePointer<CChar>) {
        base = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self)
        count = strlen(p)
    }

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always) subscript(_ i: Int) -> UInt8 { i >= 0 && i < count ? base[i] : 0 }

    /// The bytes from `start` to the end.
    func suffix(from start: Int) -> CText {
        let s = min(max(start, 0), count)
        return CText(base: base + s, count: count - s)
    }

    func prefix(_ n: Int) -> CText { CText(base: base, count: min(max(n, 0), count)) }

    func firstIndex(of c: UInt8, from start: Int = 0) -> Int? {
        var i = start
        while i < count {
            if base[i] == c { return i }
            i += 1
        }
        return nil
    }
}

/// Character classes of the C locale (what libevent's EVUTIL_IS*_ use).
enum ASCII {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }
    @inline(__always) static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }
    @inline(__always) static func isXDigit(_ c: UInt8) -> Bool { hexValue(c) != nil }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c + 32 : c }
}

/// Reading numbers the way the C library functions libevent leans on do.
enum Scan {
    /// strtoul/strtol's digits in `radix` starting at `i` (no sign, no
    /// space): the value, saturated, and whether it overflowed.
    static func digits(_ s: CText, _ i: inout Int, radix: UInt64) -> (UInt64, Bool)? {
        var v: UInt64 = 0
        var over = false
        var any = false
        while true {
            guard let d = ASCII.hexValue(s[i]).map({ UInt64($0) }), d < radix else { break }
            if !over {
                let (m, o1) = v.multipliedReportingOverflow(by: radix)
                let (a, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { over = true } else { v = a }
            }
            any = true
            i += 1
        }
        return any ? (v, over) : nil
    }

    /// strtoul(s, &end, 10) as an unsigned long: space, sign, digits.
    /// `nil` when there are no digits (end would be the start).
    static func cUnsignedLong(_ s: CText, _ i: inout Int) -> UInt64? {
        var j = i
        while ASCII.isSpace(s[j]) { j += 1 }
        var negative = false
        if s[j] == 0x2b || s[j] == 0x2d { negative = s[j] == 0x2d; j += 1 }
        guard let (v, over) = digits(s, &j, radix: 10) else { return nil }
        i = j
        if over { return UInt64.max }
        return negative ? 0 &- v : v
    }

    /// scanf's %u into an unsigned int: strtoul's reading, then the value
    /// cut to 32 bits.
    static func scanfUnsigned(_ s: CText, _ i: inout Int) -> UInt32? {
        guard let v = cUnsignedLong(s, &i) else { return nil }
        return UInt32(truncatingIfNeeded: v)
    }

    /// atoi: strtol's long, clamped on overflow, then cut to int.
    static func atoi(_ s: CText) -> Int32 {
        var j = 0
        while ASCII.isSpace(s[j]) { j += 1 }
        var negative = false
        if s[j] == 0x2b || s[j] == 0x2d { negative = s[j] == 0x2d; j += 1 }
        guard let (v, over) = digits(s, &j, radix: 10) else { return 0 }
        let value: Int64
        if negative {
            value = over || v > UInt64(Int64.max) + 1 ? Int64.min : Int64(truncatingIfNeeded: 0 &- v)
        } else {
            value = over || v > UInt64(Int64.max) ? Int64.max : Int64(v)
        }
        return Int32(truncatingIfNeeded: value)
    }
}

/// Address text and binary forms in libevent's own dialect: its parsers are
/// more permissive than inet_pton (leading zeros, white space, signs inside
/// dotted quads; a "0x" prefix on IPv6 words) and its IPv6 formatter writes
/// a truncated string when the buffer is only just too small.  Every quirk
/// here is pinned by ctests/util_inet_pton_ntop.c against real libevent.
enum Address {
    // MARK: text -> binary

    /// "a.b.c.d" read like sscanf("%u.%u.%u.%u%c") == 4, each part <= 255.
    /// Returns the address in host byte order.
    static func parseIPv4(_ s: CText) -> UInt32? {
        var i = 0
        var parts: UInt32 = 0
        for k in 0..<4 {
            if k > 0 {
                if s[i] != 0x2e { return nil }
                i += 1
            }
            guard let v = Scan.scanfUnsigned(s, &i), v <= 255 else { return nil }
            parts = parts << 8 | v
        }
        // Anything left over would be picked up by the trailing %c.
        return i < s.count ? nil : parts
    }

    /// IPv6 text to 16 bytes. 1 on success, 0 for malformed text.
    static func parseIPv6(_ s: CText, _ out: UnsafeMutablePointer<UInt8>) -> Int32 {
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 8) { words -> Int32 in
            words.initialize(repeating: 0)
            var setWords = 0
            let dot = s.firstIndex(of: 0x2e)
            let endOfWords: Int
            if let dot {
                if dot == 0 { return 0 }
                // The dotted quad starts at the run of decimal digits before the first dot.
                var e = dot - 1
                while e >= 0 && ASCII.isDigit(s[e]) { e -= 1 }
                endOfWords = e + 1
                guard let v4 = parseIPv4(s.suffix(from: endOfWords)) else { return 0 }
                words[6] = UInt16(truncatingIfNeeded: v4 >> 16)
                words[7] = UInt16(truncatingIfNeeded: v4)
                setWords += 2
            } else {
                endOfWords = s.count
            }
            var i = 0
            var gap = -1
            var src = 0
            while src < endOfWords {
                if i > 7 { return 0 }
                if ASCII.isXDigit(s[src]) {
                    // strtol(src, &next, 16): "0x" is skipped when a hex digit follows.
                    var j = src
                    if s[j] == 0x30 && (s[j + 1] | 0x20) == 0x78 && ASCII.isXDigit(s[j + 2]) { j += 2 }
                    guard let (value, _) = Scan.digits(s, &j, radix: 16) else { return 0 }
                    if j > src + 4 || value > 65536 { return 0 }
                    words[i] = UInt16(truncatingIfNeeded: value)
                    i += 1
                    setWords += 1
                    src = j
                    if s[src] != 0x3a && src != endOfWords { return 0 }
                    src += 1
                } else if s[src] == 0x3a && i > 0 && gap == -1 {
                    gap = i
                    src += 1
                } else if s[src] == 0x3a && i == 0 && s[src + 1] == 0x3a && gap == -1 {
                    gap = i
                    src += 2
                } else {
                    return 0
                }
            }
            if setWords > 8 || (setWords == 8 && gap != -1) || (setWords < 8 && gap == -1) { return 0 }
            if gap >= 0 {
                let toMove = setWords - (dot != nil ? 2 : 0) - gap
                let gapLen = 8 - setWords
                if toMove < 0 { return -1 }
                var k = toMove - 1
                while k >= 0 {
                    words[gap + gapLen + k] = words[gap + k]
                    k -= 1
                }
                for k in 0..<gapLen { words[gap + k] = 0 }
            }
            for k in 0..<8 {
                out[2 * k] = UInt8(truncatingIfNeeded: words[k] >> 8)
                out[2 * k + 1] = UInt8(truncatingIfNeeded: words[k])
            }
            return 1
        }
    }

    /// evutil_inet_pton: 1 parsed, 0 malformed, -1 unknown family.
    static func pton(_ af: Int32, _ s: CText, _ dst: UnsafeMutableRawPointer) -> Int32 {
        switch af {
        case AF_INET:
            guard let v = parseIPv4(s) else { return 0 }
            let b = dst.assumingMemoryBound(to: UInt8.self)
            b[0] = UInt8(truncatingIfNeeded: v >> 24)
            b[1] = UInt8(truncatingIfNeeded: v >> 16)
            b[2] = UInt8(truncatingIfNeeded: v >> 8)
            b[3] = UInt8(truncatingIfNeeded: v)
            return 1
        case AF_INET6:
            return parseIPv6(s, dst.assumingMemoryBound(to: UInt8.self))
        default:
            return -1
        }
    }

    /// evutil_inet_pton_scope: IPv6 text may end in "%zone", a zone being an
    /// interface name or a decimal index, written to `index` (0 otherwise).
    static func ptonScope(_ af: Int32, _ s: CText, _ dst: UnsafeMutableRawPointer,
                          _ index: UnsafeMutablePointer<UInt32>?) -> Int32 {
        index?.pointee = 0
        guard af == AF_INET6, let pct = s.firstIndex(of: 0x25) else { return pton(af, s, dst) }
        let zone = s.suffix(from: pct + 1)
        var ifIndex = zoneToIndex(zone)
        if ifIndex == nil {
            var i = 0
            if let v = Scan.cUnsignedLong(zone, &i) {
                if i < zone.count { return 0 }
                ifIndex = UInt32(truncatingIfNeeded: v)
            } else {
                // No digits: strtoul's end is the start, acceptable only when empty.
                if zone.count > 0 { return 0 }
                ifIndex = 0
            }
        }
        index?.pointee = ifIndex ?? 0
        return pton(af, s.prefix(pct), dst)
    }

    /// if_nametoindex on a bounded name; nil when no interface has that name.
    private static func zoneToIndex(_ zone: CText) -> UInt32? {
        if zone.count >= Int(IF_NAMESIZE) { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(IF_NAMESIZE) + 1) { buf -> UInt32? in
            for i in 0..<zone.count { buf[i] = CChar(bitPattern: zone.base[i]) }
            buf[zone.count] = 0
            let r = if_nametoindex(buf.baseAddress!)
            return r == 0 ? nil : r
        }
    }

    // MARK: binary -> text

    /// Decimal or lowercase hex digits of `v` appended to `out`.
    static func appendNumber(_ v: UInt32, radix: UInt32, to out: inout [UInt8]) {
        if v >= radix { appendNumber(v / radix, radix: radix, to: &out) }
        let d = UInt8(v % radix)
        out.append(d < 10 ? 0x30 + d : 0x61 + d - 10)
    }

    static func formatIPv4(_ b: UnsafePointer<UInt8>, into out: inout [UInt8]) {
        for k in 0..<4 {
            if k > 0 { out.append(0x2e) }
            appendNumber(UInt32(b[k]), radix: 10, to: &out)
        }
    }

    /// IPv6 text: the longest run of two or more zero words (the first
    /// of equal runs) becomes "::"; ::a.b.c.d and ::ffff:a.b.c.d forms for
    /// IPv4-compatible and IPv4-mapped addresses.
    static func formatIPv6(_ b: UnsafePointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(46)
        func word(_ i: Int) -> UInt32 { UInt32(b[2 * i]) << 8 | UInt32(b[2 * i + 1]) }
        let leadingZero = word(0) == 0 && word(1) == 0 && word(2) == 0 && word(3) == 0 && word(4) == 0
        if leadingZero && ((word(5) == 0 && word(6) != 0 && word(7) != 0) || word(5) == 0xffff) {
            out.append(0x3a); out.append(0x3a)
            if word(5) != 0 {
                appendNumber(word(5), radix: 16, to: &out)
                out.append(0x3a)
            }
            formatIPv4(b + 12, into: &out)
            return out
        }
        var bestPos = -1, bestLen = 0
        var i = 0
        while i < 8 {
            if word(i) == 0 {
                let start = i
                while i < 8 && word(i) == 0 { i += 1 }
                if i - start > bestLen { bestPos = start; bestLen = i - start }
            } else {
                i += 1
            }
        }
        if bestLen <= 1 { bestPos = -1 }
        i = 0
        while i < 8 {
            if i == bestPos {
                if i == 0 { out.append(0x3a) }
                out.append(0x3a)
                i += bestLen
                continue
            }
            appendNumber(word(i), radix: 16, to: &out)
            if i != 7 { out.append(0x3a) }
            i += 1
        }
        return out
    }

    /// evutil_inet_ntop. IPv4 fails (after writing what fits) when the text
    /// and its NUL do not fit; IPv6 fails only when the text alone is longer
    /// than `len`, and otherwise writes as much as fits.
    static func ntop(_ af: Int32, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<CChar>, _ len: Int) -> Bool {
        let b = src.assumingMemoryBound(to: UInt8.self)
        var text: [UInt8]
        switch af {
        case AF_INET:
            text = []
            formatIPv4(b, into: &text)
            // Formatted as by evutil_snprintf, then refused if it did not fit.
            _ = Strings.snprintfResult(text, dst, len)
            // len is a size_t: beyond ssize_t it is room enough.
            return len < 0 || text.count < len
        case AF_INET6:
            text = formatIPv6(b)
            let room = len < 0 ? Int.max : len
            if text.count > room { return false }
            copyTruncating(text, dst, room)
            return true
        default:
            return false
        }
    }

    /// strlcpy-style: at most len-1 bytes and a NUL; nothing when len is 0.
    static func copyTruncating(_ text: [UInt8], _ dst: UnsafeMutablePointer<CChar>, _ len: Int) {
        if len <= 0 { return }
        let n = min(text.count, len - 1)
        for k in 0..<n { dst[k] = CChar(bitPattern: text[k]) }
        dst[n] = 0
    }

    // MARK: socket addresses

    /// evutil_parse_sockaddr_port: "[v6]:port", "v6", "[v6]", "v4:port" or
    /// "v4". A port, when present, must be 1...65535 as atoi reads it.
    /// The output must hold the whole sockaddr; it is zeroed up to `*outlen`.
    static func parseSockaddrPort(_ s: CText, _ out: UnsafeMutableRawPointer, _ outlen: UnsafeMutablePointer<Int32>) -> Int32 {
        let scratchMax = 127   // the longest address part accepted
        var addr: CText
        var portText: CText? = nil
        var isIPv6: Bool
        let colon = s.firstIndex(of: 0x3a)
        if s[0] == 0x5b {
            guard let close = s.firstIndex(of: 0x5d) else { return -1 }
            let len = close - 1
            if len > scratchMax { return -1 }
            addr = CText(base: s.base + 1, count: len)
            if s[close + 1] == 0x3a { portText = s.suffix(from: close + 2) }
            isIPv6 = true
        } else if let colon, s.firstIndex(of: 0x3a, from: colon + 1) != nil {
            addr = s
            isIPv6 = true
        } else if let colon {
            if colon > scratchMax { return -1 }
            addr = s.prefix(colon)
            portText = s.suffix(from: colon + 1)
            isIPv6 = false
        } else {
            addr = s
            isIPv6 = false
        }
        var port: Int32 = 0
        if let portText {
            port = Scan.atoi(portText)
            if port <= 0 || port > 65535 { return -1 }
        }
        let nport = UInt16(truncatingIfNeeded: port).bigEndian
        if isIPv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = nport
            var scope: UInt32 = 0
            let r = withUnsafeMutablePointer(to: &sin6.sin6_addr) {
                ptonScope(AF_INET6, addr, UnsafeMutableRawPointer($0), &scope)
            }
            if r != 1 { return -1 }
            sin6.sin6_scope_id = scope
            return store(&sin6, out, outlen)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = nport
            let r = withUnsafeMutablePointer(to: &sin.sin_addr) { pton(AF_INET, addr, UnsafeMutableRawPointer($0)) }
            if r != 1 { return -1 }
            return store(&sin, out, outlen)
        }
    }

    private static func store<T>(_ sa: inout T, _ out: UnsafeMutableRawPointer, _ outlen: UnsafeMutablePointer<Int32>) -> Int32 {
        let size = MemoryLayout<T>.size
        if Int(outlen.pointee) < size { return -1 }
        memset(out, 0, Int(outlen.pointee))
        withUnsafeBytes(of: &sa) { out.copyMemory(from: $0.baseAddress!, byteCount: size) }
        outlen.pointee = Int32(size)
        return 0
    }

    /// evutil_sockaddr_cmp: family difference first; IPv4 addresses compare
    /// as the network-order 32-bit value, IPv6 addresses bytewise; then the
    /// network-order ports' difference when asked.  Other families: 1.
    static func compare(_ a: UnsafePointer<sockaddr>, _ b: UnsafePointer<sockaddr>, includePort: Bool) -> Int32 {
        let r = Int32(a.pointee.sa_family) - Int32(b.pointee.sa_family)
        if r != 0 { return r }
        switch Int32(a.pointee.sa_family) {
        case AF_INET:
            let x = UnsafeRawPointer(a).assumingMemoryBound(to: sockaddr_in.self).pointee
            let y = UnsafeRawPointer(b).assumingMemoryBound(to: sockaddr_in.self).pointee
            if x.sin_addr.s_addr < y.sin_addr.s_addr { return -1 }
            if x.sin_addr.s_addr > y.sin_addr.s_addr { return 1 }
            return includePort ? Int32(x.sin_port) - Int32(y.sin_port) : 0
        case AF_INET6:
            let x = UnsafeRawPointer(a).assumingMemoryBound(to: sockaddr_in6.self)
            let y = UnsafeRawPointer(b).assumingMemoryBound(to: sockaddr_in6.self)
            let c = withUnsafePointer(to: x.pointee.sin6_addr) { xa in
                withUnsafePointer(to: y.pointee.sin6_addr) { ya in memcmp(xa, ya, 16) }
            }
            if c != 0 { return c }
            return includePort ? Int32(x.pointee.sin6_port) - Int32(y.pointee.sin6_port) : 0
        default:
            return 1
        }
    }
}
