import CEventExtra

/// evdns_base_set_option and resolv.conf, with libevent's number parsing
/// (strtol / strtod on the whole value) and option-name matching.
enum ResolvConf {
    /// "ndots" or "ndots:" or "ndots:junk" all name the option "ndots:".
    static func matches(_ s: [UInt8], _ option: StaticString) -> Bool {
        let opt = UnsafeBufferPointer(start: option.utf8Start, count: option.utf8CodeUnitCount)
        let n = s.count == opt.count || s.count == opt.count - 1 ? s.count : (s.count > opt.count ? opt.count : -1)
        if n < 0 { return false }
        for i in 0..<n where s[i] != opt[i] { return false }
        return true
    }

    /// libevent's strtoint: the whole string as a decimal (strtol), else -1.
    static func toInt(_ v: [UInt8]) -> Int32 {
        var z = v; z.append(0)
        return z.withUnsafeBufferPointer { b -> Int32 in
            b.withMemoryRebound(to: CChar.self) { c -> Int32 in
                var end: UnsafeMutablePointer<CChar>? = nil
                let r = strtol(c.baseAddress!, &end, 10)
                if let end, end.pointee != 0 { return -1 }
                return Int32(truncatingIfNeeded: r)
            }
        }
    }

    static func toIntClipped(_ v: [UInt8], _ lo: Int32, _ hi: Int32) -> Int32 {
        let r = toInt(v)
        if r == -1 { return r }
        return r < lo ? lo : (r > hi ? hi : r)
    }

    /// Seconds as a timeval (strtod), at least a millisecond; nil otherwise.
    static func toTimeval(_ v: [UInt8]) -> timeval? {
        var z = v; z.append(0)
        let d: Double? = z.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c -> Double? in
                var end: UnsafeMutablePointer<CChar>? = nil
                let d = strtod(c.baseAddress!, &end)
                if let end, end.pointee != 0 { return nil }
                return d
            }
        }
        guard let d, d >= 0, !d.isNaN else { return nil }
        // (int)d in C; saturate instead of trapping on huge values.
        let whole = d < 2147483647 ? Int(Int32(d)) : Int(Int32.max)
        let usec = d < 2147483647 ? Int(Int32((d - Double(Int32(d))) * 1_000_000)) : 0
        if whole == 0 && usec < 1000 { return nil }
        return timeval(tv_sec: whole, tv_usec: usec)
    }

    /// The whitespace-separated (space, tab) tokens of a line.
    static func tokens(_ line: ArraySlice<UInt8>) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var cur: [UInt8] = []
        for c in line {
            if c == 0x20 || c == 0x09 {
                if !cur.isEmpty { out.append(cur); cur = [] }
            } else {
                cur.append(c)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// The lines of a file as libevent walks them: split at '\n', nothing
    /// after a NUL byte.
    static func lines(_ text: [UInt8]) -> [ArraySlice<UInt8>] {
        var t = text[...]
        if let z = t.firstIndex(of: 0) { t = t[..<z] }
        var out: [ArraySlice<UInt8>] = []
        var start = t.startIndex
        for i in t.indices where t[i] == 0x0a {
            out.append(t[start..<i])
            start = i + 1
        }
        out.append(t[start...])
        return out
    }

    /// Read a whole file: nil and -1 if it cannot be opened, -2 on a read error.
    static func readFile(_ path: UnsafePointer<CChar>) -> ([UInt8]?, Int32) {
        let fd = cevx_open_read(path)
        if fd < 0 { return (nil, -1) }
        defer { _ = close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let (n, _) = buf.withUnsafeMutableBytes { b in DnsSock.retry { CEventExtra.read(fd, b.baseAddress, 4096) } }
            if n < 0 { return (nil, -2) }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return (out, 0)
    }
}

extension DnsBase {
    /// libevent's evdns_base_set_option_impl: -1 for a bad value, else 0
    /// (also for an option `flags` leaves out, or one it does not know).
    func setOption(_ option: [UInt8], _ val: [UInt8], flags: Int32) -> Int32 {
        let m = { (o: StaticString) in ResolvConf.matches(option, o) }
        if m("ndots:") {
            let n = ResolvConf.toInt(val)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_SEARCH == 0 { return 0 }
            searchState().ndots = n
        } else if m("timeout:") {
            guard let tv = ResolvConf.toTimeval(val) else { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            timeout = tv
        } else if m("getaddrinfo-allow-skew:") {
            guard let tv = ResolvConf.toTimeval(val) else { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            getaddrinfoAllowSkew = tv
        } else if m("max-timeouts:") {
            let n = ResolvConf.toIntClipped(val, 1, 255)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            maxNameserverTimeouts = Int(n)
        } else if m("max-inflight:") {
            let n = ResolvConf.toIntClipped(val, 1, 65000)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            maxInflight = Int(n)
        } else if m("attempts:") {
            var n = ResolvConf.toInt(val)
            if n == -1 { return -1 }
            if n > 255 { n = 255 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            maxRetransmits = Int(n)
        } else if m("randomize-case:") {
            let n = ResolvConf.toInt(val)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            randomizeCase = n
        } else if m("bind-to:") {
            if flags & DNS_OPTION_NAMESERVERS == 0 { return 0 }
            guard let a = DnsBase.parseAddress(val) else { return -1 }
            outgoing = a
        } else if m("initial-probe-timeout:") {
            guard var tv = ResolvConf.toTimeval(val) else { return -1 }
            if tv.tv_sec > 3600 { tv.tv_sec = 3600 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            probeInitialTimeout = tv
        } else if m("so-rcvbuf:") {
            let n = ResolvConf.toInt(val)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            soRcvbuf = n
        } else if m("so-sndbuf:") {
            let n = ResolvConf.toInt(val)
            if n == -1 { return -1 }
            if flags & DNS_OPTION_MISC == 0 { return 0 }
            soSndbuf = n
        }
        return 0
    }

    /// evutil_parse_sockaddr_port on bytes.
    static func parseAddress(_ s: [UInt8]) -> DnsAddr? {
        var z = s; z.append(0)
        var a = DnsAddr()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = z.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                withUnsafeMutableBytes(of: &a.ss) { evutil_parse_sockaddr_port(c.baseAddress, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len) }
            }
        }
        if r != 0 { return nil }
        a.len = socklen_t(len)
        return a
    }

    /// evdns_base_nameserver_ip_add: 4 if the text is not an address.
    func addNameserver(text: [UInt8]) -> Int32 {
        guard var a = DnsBase.parseAddress(text) else {
            var t = DnsText("Unable to parse nameserver address ")
            t.append(text)
            DnsLog.emit(DnsLog.warn, t.b)
            return 4
        }
        if a.port == 0 { a.port = 53 }
        return addNameserver(a)
    }

    func resolvConfLine(_ line: ArraySlice<UInt8>, flags: Int32) {
        let tok = ResolvConf.tokens(line)
        guard let first = tok.first else { return }
        let isWord = { (w: StaticString) -> Bool in
            first.elementsEqual(UnsafeBufferPointer(start: w.utf8Start, count: w.utf8CodeUnitCount))
        }
        if isWord("nameserver") && flags & DNS_OPTION_NAMESERVERS != 0 {
            if tok.count > 1 { _ = addNameserver(text: tok[1]) }
        } else if isWord("domain") && flags & DNS_OPTION_SEARCH != 0 {
            if tok.count > 1 {
                searchClear()
                searchAdd(tok[1])
            }
        } else if isWord("search") && flags & DNS_OPTION_SEARCH != 0 {
            searchClear()
            for d in tok.dropFirst() { searchAdd(d) }
            searchState().domains.reverse()
        } else if isWord("options") {
            for o in tok.dropFirst() {
                var val: [UInt8] = []
                if let c = o.firstIndex(of: 0x3a) { val = Array(o[(c + 1)...]) }
                _ = setOption(o, val, flags: flags)
            }
        }
    }

    /// evdns_base_resolv_conf_parse: 0, 1 (no file: defaults), 2 (read
    /// error), 6 (no nameserver in it: 127.0.0.1 added).
    func parseResolvConf(flags: Int32, path: UnsafePointer<CChar>?) -> Int32 {
        let addDefault = flags & DNS_OPTION_NAMESERVERS != 0 && flags & DNS_OPTION_NAMESERVERS_NO_DEFAULT == 0
        if flags & DNS_OPTION_HOSTSFILE != 0 {
            _ = StaticString("/etc/hosts").withCPointer { loadHosts(path: $0) }
        }
        guard let path else { return 1 }
        let (text, err) = ResolvConf.readFile(path)
        guard let text else {
            if err == -1 {
                if flags & DNS_OPTION_SEARCH != 0 { searchFromHostname() }
                if addDefault { _ = addNameserver(text: sbytes("127.0.0.1")) }
                return 1
            }
            return 2
        }
        for line in ResolvConf.lines(text) { resolvConfLine(line, flags: flags) }
        var r: Int32 = 0
        if servers.isEmpty && addDefault {
            _ = addNameserver(text: sbytes("127.0.0.1"))
            r = 6
        }
        if flags & DNS_OPTION_SEARCH != 0 && (search?.domains.isEmpty ?? true) {
            searchFromHostname()
        }
        return r
    }
}
