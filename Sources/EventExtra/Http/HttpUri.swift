import CEventExtra

/// struct evhttp_uri: a parsed URI (RFC 3986 productions, as libevent
/// checks them). Parts are C strings from the program's allocator because
/// the getters hand them out; nil where libevent has NULL.
final class HttpUri {
    var flags: UInt32 = 0
    var scheme: HCStr? = nil
    var userinfo: HCStr? = nil
    var host: HCStr? = nil
    var port: Int32 = -1
    var path: HCStr? = nil
    var query: HCStr? = nil
    var fragment: HCStr? = nil

    init() {}

    deinit {
        HMem.free(scheme); HMem.free(userinfo); HMem.free(host)
        HMem.free(path); HMem.free(query); HMem.free(fragment)
    }

    enum Part { case path, query, fragment }

    // Byte access that reads 0 past the end, as the C code reads the NUL.
    @inline(__always)
    static func at(_ s: [UInt8], _ i: Int) -> UInt8 { return i < s.count && i >= 0 ? s[i] : 0 }

    static func schemeOK(_ s: [UInt8], _ from: Int, _ to: Int) -> Bool {
        if from >= to || !HttpBytes.isAlpha(s[from]) { return false }
        var i = from + 1
        while i < to {
            let c = s[i]
            if !(HttpBytes.isAlpha(c) || HttpBytes.isDigit(c) || c == 43 || c == 45 || c == 46) { return false }
            i += 1
        }
        return true
    }

    static func isHex(_ c: UInt8) -> Bool { return HttpBytes.hexValue(c) != nil }

    static func userinfoOK(_ s: [UInt8], _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            let c = s[i]
            if HttpUriChars.unreserved(c) || HttpUriChars.subDelim(c) || c == 58 {
                i += 1
            } else if c == 37 && i + 2 < to && isHex(s[i + 1]) && isHex(s[i + 2]) {
                i += 3
            } else {
                return false
            }
        }
        return true
    }

    static func regnameOK(_ s: [UInt8], _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            let c = s[i]
            if HttpUriChars.unreserved(c) || HttpUriChars.subDelim(c) {
                i += 1
            } else if c == 37 && isHex(at(s, i + 1)) && isHex(at(s, i + 2)) {
                i += 3
            } else {
                return false
            }
        }
        return true
    }

    /// 0 bad, 1 IPv6, 2 IPvFuture.
    static func bracketOK(_ s: [UInt8], _ from: Int, _ to: Int) -> Int {
        if from + 3 > to || s[from] != 91 || s[to - 1] != 93 { return 0 }
        if s[from + 1] == 118 {
            var i = from + 2
            let end = to - 1
            if !isHex(at(s, i)) { return 0 }
            while i < end && s[i] != 46 {
                if isHex(s[i]) { i += 1 } else { return 0 }
            }
            if at(s, i) != 46 || i >= end { return 0 }
            i += 1
            while i < end {
                let c = s[i]
                if HttpUriChars.unreserved(c) || HttpUriChars.subDelim(c) || c == 58 { i += 1 } else { return 0 }
            }
            return 2
        }
        let n = to - from - 2
        if n >= 64 { return 0 }
        var buf = [UInt8](s[(from + 1)..<(to - 1)])
        buf.append(0)
        var in6 = in6_addr()
        let ok = buf.withUnsafeBytes { b in
            evutil_inet_pton(AF_INET6, b.baseAddress!.assumingMemoryBound(to: CChar.self), &in6)
        }
        return ok == 1 ? 1 : 0
    }

    static func parsePort(_ s: [UInt8], _ from: Int, _ to: Int) -> Int32 {
        var v: Int32 = 0
        var i = from
        while i < to {
            guard HttpBytes.isDigit(s[i]) else { return -1 }
            v = v * 10 + Int32(s[i] - 48)
            if v > 65535 { return -1 }
            i += 1
        }
        return v
    }

    func parseAuthority(_ s: [UInt8], _ from: Int, _ to: Int) -> Bool {
        if from == to {
            host = HttpBytes.dup("")
            return host != nil
        }
        var cp = from
        var at = from
        while at < to && s[at] != 64 { at += 1 }
        if at < to {
            if !HttpUri.userinfoOK(s, from, at) { return false }
            userinfo = s.withUnsafeBytes { HttpBytes.dup($0.baseAddress! + from, at - from) }
            if userinfo == nil { return false }
            cp = at + 1
        }
        var eos = to
        var p = eos - 1
        while p >= cp && HttpBytes.isDigit(s[p]) { p -= 1 }
        if p >= cp && s[p] == 58 {
            if p + 1 == eos {
                port = -1
            } else {
                port = HttpUri.parsePort(s, p + 1, eos)
                if port < 0 { return false }
            }
            eos = p
        }
        if HttpUri.at(s, cp) == 91 && eos >= cp + 2 && s[eos - 1] == 93 {
            if HttpUri.bracketOK(s, cp, eos) == 0 { return false }
        } else if !HttpUri.regnameOK(s, cp, eos) {
            return false
        }
        host = s.withUnsafeBytes { HttpBytes.dup($0.baseAddress! + cp, eos - cp) }
        return host != nil
    }

    /// Index just past the longest run that is valid for `part`.
    static func endOfPath(_ s: [UInt8], _ from: Int, _ part: Part, _ flags: UInt32) -> Int {
        var i = from
        let n = s.count
        if flags & UInt32(EVHTTP_URI_NONCONFORMANT) != 0 {
            switch part {
            case .path: while i < n && s[i] != 35 && s[i] != 63 { i += 1 }
            case .query: while i < n && s[i] != 35 { i += 1 }
            case .fragment: i = n
            }
            return i
        }
        while i < n {
            let c = s[i]
            if HttpUriChars.unreserved(c) || HttpUriChars.subDelim(c) || c == 58 || c == 64 || c == 47 {
                i += 1
            } else if c == 37 && isHex(at(s, i + 1)) && isHex(at(s, i + 2)) {
                i += 3
            } else if c == 63 && part != .path {
                i += 1
            } else {
                return i
            }
        }
        return i
    }

    /// Parses a URI given as its bytes (no NUL inside: it came from a C
    /// string). nil where libevent returns NULL.
    static func parse(_ s: [UInt8], flags: UInt32) -> HttpUri? {
        let mark = Memory.failureMark()
        guard let u = parseParts(s, flags: flags) else { return nil }
        return Memory.failed(since: mark) ? nil : u
    }

    static func parseParts(_ s: [UInt8], flags: UInt32) -> HttpUri? {
        let u = HttpUri()
        u.flags = flags
        let n = s.count
        var readp = 0
        // 1. scheme ':' (the first colon of the text)
        var colon = 0
        while colon < n && s[colon] != 58 { colon += 1 }
        if colon < n && schemeOK(s, 0, colon) {
            u.scheme = s.withUnsafeBytes { HttpBytes.dup($0.baseAddress!, colon) }
            if u.scheme == nil { return nil }
            readp = colon + 1
        }
        // 2. '//' authority
        var gotAuthority = false
        if at(s, readp) == 47 && at(s, readp + 1) == 47 {
            readp += 2
            var end = readp
            while end < n && s[end] != 63 && s[end] != 35 && s[end] != 47 { end += 1 }
            if !u.parseAuthority(s, readp, end) { return nil }
            readp = end
            gotAuthority = true
        }
        // 3. path, ?query, #fragment
        let pathStart = readp
        readp = endOfPath(s, readp, .path, flags)
        let pathEnd = readp
        var qStart = -1, qEnd = -1, fStart = -1, fEnd = -1
        if at(s, readp) == 63 {
            qStart = readp + 1
            readp = endOfPath(s, qStart, .query, flags)
            qEnd = readp
        }
        if at(s, readp) == 35 {
            fStart = readp + 1
            readp = endOfPath(s, fStart, .fragment, flags)
            fEnd = readp
        }
        if readp < n { return nil }
        let p0 = pathEnd > pathStart ? s[pathStart] : 0
        let p1 = pathEnd > pathStart + 1 ? s[pathStart + 1] : 0
        if !gotAuthority && p0 == 47 && p1 == 47 { return nil }
        if gotAuthority && p0 != 47 && p0 != 0 { return nil }
        if u.scheme == nil {
            // no scheme: the first segment of the path has no colon
            var i = pathStart
            while i < pathEnd {
                if s[i] == 58 { return nil }
                if s[i] == 47 { break }
                i += 1
            }
        }
        s.withUnsafeBytes { b in
            let base = b.baseAddress
            u.path = HttpBytes.dup(base.map { $0 + pathStart }, pathEnd - pathStart)
            if qStart >= 0 { u.query = HttpBytes.dup(base.map { $0 + qStart }, qEnd - qStart) }
            if fStart >= 0 { u.fragment = HttpBytes.dup(base.map { $0 + fStart }, fEnd - fStart) }
        }
        if u.path == nil || (qStart >= 0 && u.query == nil) || (fStart >= 0 && u.fragment == nil) { return nil }
        return u
    }

    /// evhttp_uri_join: the text, NUL included, into buf if it fits.
    func join(_ buf: UnsafeMutablePointer<CChar>, _ limit: Int) -> UnsafeMutablePointer<CChar>? {
        var out = [UInt8]()
        if let scheme { HttpBytes.append(&out, scheme); out.append(58) }
        if let host {
            HttpBytes.append(&out, "//")
            if let userinfo { HttpBytes.append(&out, userinfo); out.append(64) }
            HttpBytes.append(&out, host)
            if port >= 0 { out.append(58); HttpBytes.appendDecimal(&out, Int64(port)) }
            if let path, path[0] != 47, path[0] != 0 { return nil }
        }
        if let path { HttpBytes.append(&out, path) }
        if let query { out.append(63); HttpBytes.append(&out, query) }
        if let fragment { out.append(35); HttpBytes.append(&out, fragment) }
        out.append(0)
        if out.count > limit { return nil }
        out.withUnsafeBytes { _ = memcpy(buf, $0.baseAddress!, $0.count) }
        return buf
    }

    // Setters: validate as the parser does, then replace the copy.
    static func replace(_ slot: inout HCStr?, _ v: UnsafePointer<CChar>?) -> Int32 {
        var copy: HCStr? = nil
        if let v {
            copy = HttpBytes.dup(v)
            if copy == nil { return -1 }
        }
        HMem.free(slot)
        slot = copy
        return 0
    }

    func setScheme(_ v: UnsafePointer<CChar>?) -> Int32 {
        if let v {
            let a = HttpBytes.array(v)
            if !HttpUri.schemeOK(a, 0, a.count) { return -1 }
        }
        return HttpUri.replace(&scheme, v)
    }
    func setUserinfo(_ v: UnsafePointer<CChar>?) -> Int32 {
        if let v {
            let a = HttpBytes.array(v)
            if !HttpUri.userinfoOK(a, 0, a.count) { return -1 }
        }
        return HttpUri.replace(&userinfo, v)
    }
    func setHost(_ v: UnsafePointer<CChar>?) -> Int32 {
        if let v {
            let a = HttpBytes.array(v)
            if HttpUri.at(a, 0) == 91 {
                if HttpUri.bracketOK(a, 0, a.count) == 0 { return -1 }
            } else if !HttpUri.regnameOK(a, 0, a.count) {
                return -1
            }
        }
        return HttpUri.replace(&host, v)
    }
    func setPart(_ v: UnsafePointer<CChar>?, _ part: Part) -> Int32 {
        if let v {
            let a = HttpBytes.array(v)
            if HttpUri.endOfPath(a, 0, part, flags) != a.count { return -1 }
        }
        switch part {
        case .path: return HttpUri.replace(&path, v)
        case .query: return HttpUri.replace(&query, v)
        case .fragment: return HttpUri.replace(&fragment, v)
        }
    }

    // Handles: the opaque struct evhttp_uri * is the object itself.
    static func from(_ p: OpaquePointer) -> HttpUri {
        return Unmanaged<HttpUri>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
    func handOut() -> OpaquePointer {
        return OpaquePointer(Unmanaged.passRetained(self).toOpaque())
    }
    static func release(_ p: OpaquePointer) {
        Unmanaged<HttpUri>.fromOpaque(UnsafeRawPointer(p)).release()
    }
}
