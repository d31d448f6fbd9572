import CEventExtra

/// The message parser: first line, header lines, body framing and chunk
/// sizes. Strict where libevent is lax in ways that allow request
/// smuggling (see README "evhttp departures"): anything ambiguous is
/// corrupted and the server answers 400.
enum HttpParseResult { case done, more, corrupted, tooLong }

enum HttpParser {
    /// One CRLF- (or LF-) terminated line without its terminator, or nil
    /// when no full line is buffered. `nul` tells whether it held a NUL.
    /// The next line as evbuffer_readln's block (NUL-terminated, the
    /// caller frees it with Memory.free) and its length, or nil.
    static func readRawLine(_ buf: OpaquePointer?) -> (p: UnsafeMutablePointer<CChar>, n: Int)? {
        var n = 0
        guard let p = evbuffer_readln(buf, &n, EVBUFFER_EOL_CRLF) else { return nil }
        return (p, n)
    }

    static func readLine(_ buf: OpaquePointer?) -> (line: [UInt8], nul: Bool)? {
        var n = 0
        guard let p = evbuffer_readln(buf, &n, EVBUFFER_EOL_CRLF) else { return nil }
        let a = [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: n))
        let nul = strlen(p) != n
        Memory.free(p)  // evbuffer_readln allocates with mm_malloc
        return (a, nul)
    }

    /// "HTTP/" 1*DIGIT "." 1*DIGIT; each number at most 2 digits' worth
    /// (libevent's sscanf takes signs, spaces and overflowing values).
    static func parseVersion(_ s: ArraySlice<UInt8>) -> (Int8, Int8)? {
        let prefix: [UInt8] = [72, 84, 84, 80, 47]
        guard s.count >= 8, Array(s.prefix(5)) == prefix else { return nil }
        var i = s.startIndex + 5
        var major = 0, minor = 0, digits = 0
        while i < s.endIndex && HttpBytes.isDigit(s[i]) {
            major = major * 10 + Int(s[i] - 48); digits += 1; i += 1
            if major > 99 { return nil }
        }
        if digits == 0 || i >= s.endIndex || s[i] != 46 { return nil }
        i += 1
        digits = 0
        while i < s.endIndex && HttpBytes.isDigit(s[i]) {
            minor = minor * 10 + Int(s[i] - 48); digits += 1; i += 1
            if minor > 99 { return nil }
        }
        if digits == 0 || i != s.endIndex || major > 1 { return nil }
        return (Int8(major), Int8(minor))
    }

    static func methodType(_ m: ArraySlice<UInt8>) -> UInt32 {
        func eq(_ s: StaticString) -> Bool {
            if m.count != s.utf8CodeUnitCount { return false }
            var i = 0
            for c in m { if c != s.utf8Start[i] { return false }; i += 1 }
            return true
        }
        switch m.count {
        case 3: return eq("GET") ? EVHTTP_REQ_GET.rawValue : eq("PUT") ? EVHTTP_REQ_PUT.rawValue : reqUnknownType
        case 4: return eq("POST") ? EVHTTP_REQ_POST.rawValue : eq("HEAD") ? EVHTTP_REQ_HEAD.rawValue : reqUnknownType
        case 5: return eq("PATCH") ? EVHTTP_REQ_PATCH.rawValue : eq("TRACE") ? EVHTTP_REQ_TRACE.rawValue : reqUnknownType
        case 6: return eq("DELETE") ? EVHTTP_REQ_DELETE.rawValue : reqUnknownType
        case 7: return eq("OPTIONS") ? EVHTTP_REQ_OPTIONS.rawValue : eq("CONNECT") ? EVHTTP_REQ_CONNECT.rawValue : reqUnknownType
        default: return reqUnknownType
        }
    }

    /// METHOD SP target SP version, split as libevent splits it: the method
    /// ends at the first space, the version starts after the last one, the
    /// target between may hold spaces (parsed as a nonconformant URI).
    static func parseRequestLine(_ r: HReq, _ line: [UInt8], isKnownHost: (UnsafePointer<CChar>) -> Bool) -> Bool {
        guard let s1 = line.firstIndex(of: 32) else { return false }
        guard let s2 = line[(s1 + 1)...].lastIndex(of: 32), s2 > s1 + 1 else { return false }
        r.pointee.type = evhttp_cmd_type(rawValue: methodType(line[0..<s1]))
        guard let (maj, min) = parseVersion(line[(s2 + 1)...]) else { return false }
        r.pointee.major = maj
        r.pointee.minor = min
        let target = Array(line[(s1 + 1)..<s2])
        guard let uri = HttpBytes.dup(target) else { return false }
        r.pointee.uri = uri
        guard let u = HttpUri.parse(target, flags: UInt32(EVHTTP_URI_NONCONFORMANT)) else { return false }
        r.pointee.uri_elems = u.handOut()
        // An absolute http(s) URI naming a host we do not serve: a proxy request.
        if let scheme = u.scheme, HttpBytes.caseEq(scheme, "http") || HttpBytes.caseEq(scheme, "https"),
           let host = u.host, !isKnownHost(host) {
            r.pointee.flags |= reqProxy
        }
        return true
    }

    /// VERSION SP CODE [SP reason]; the code is three digits.
    static func parseResponseLine(_ r: HReq, _ line: [UInt8]) -> Bool {
        guard let s1 = line.firstIndex(of: 32) else { return false }
        let rest = line[(s1 + 1)...]
        let s2 = rest.firstIndex(of: 32)
        let number = rest[rest.startIndex..<(s2 ?? rest.endIndex)]
        guard let (maj, min) = parseVersion(line[0..<s1]) else { return false }
        r.pointee.major = maj
        r.pointee.minor = min
        guard number.count == 3, number.allSatisfy({ HttpBytes.isDigit($0) }) else { return false }
        var code: Int32 = 0
        for c in number { code = code * 10 + Int32(c - 48) }
        if code == 0 { return false }
        r.pointee.response_code = code
        HMem.free(r.pointee.response_code_line)
        r.pointee.response_code_line = nil
        let reason: [UInt8] = s2.map { Array(line[($0 + 1)...]) } ?? []
        guard let rl = HttpBytes.dup(reason) else { return false }
        r.pointee.response_code_line = rl
        return true
    }

    static func firstLine(_ r: HReq, _ buf: OpaquePointer?, maxHeaders: Int, isKnownHost: (UnsafePointer<CChar>) -> Bool) -> HttpParseResult {
        guard let (line, nul) = readLine(buf) else {
            return evbuffer_get_length(buf) > maxHeaders ? .tooLong : .more
        }
        if line.count > maxHeaders { return .tooLong }
        r.pointee.headers_size = line.count
        if nul { return .corrupted }
        if r.pointee.kind == EVHTTP_REQUEST {
            return parseRequestLine(r, line, isKnownHost: isKnownHost) ? .done : .corrupted
        }
        return parseResponseLine(r, line) ? .done : .corrupted
    }

    /// token characters of RFC 7230 (header field names).
    static func isTchar(_ c: UInt8) -> Bool {
        if HttpBytes.isAlpha(c) || HttpBytes.isDigit(c) { return true }
        switch c {
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }

    @inline(__always)
    static func isLWS(_ c: UInt8) -> Bool { return c == 32 || c == 9 || c == 13 || c == 10 }

    /// Header lines up to the empty line, into req->input_headers. Each
    /// line is cut in place in readln's block: no copies but the list's.
    static func headers(_ r: HReq, _ buf: OpaquePointer?, maxHeaders: Int, into: HKVQ? = nil) -> HttpParseResult {
        guard let q = into ?? r.pointee.input_headers else { return .corrupted }
        while let (p, n) = readRawLine(buf) {
            defer { Memory.free(p) }
            r.pointee.headers_size += n
            if r.pointee.headers_size > maxHeaders { return .tooLong }
            if n == 0 { return .done }
            if strlen(p) != n { return .corrupted }
            let u = UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt8.self)
            if u[0] == 32 || u[0] == 9 {
                if !appendToLast(q, UnsafeBufferPointer(start: u, count: n)) { return .corrupted }
                continue
            }
            var colon = 0
            while colon < n && u[colon] != 58 {
                if !isTchar(u[colon]) { return .corrupted }
                colon += 1
            }
            if colon == 0 || colon == n { return .corrupted }
            var vs = colon + 1
            while vs < n && u[vs] == 32 { vs += 1 }
            var ve = n
            while ve > vs && isLWS(u[ve - 1]) { ve -= 1 }
            u[colon] = 0
            u[ve] = 0
            if HttpHeaders.add(q, p, p + vs) != 0 { return .corrupted }
        }
        if r.pointee.headers_size + evbuffer_get_length(buf) > maxHeaders { return .tooLong }
        return .more
    }

    /// An obsolete folded line: joined to the previous value with a space.
    static func appendToLast(_ q: HKVQ, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last = HttpHeaders.last(q), let old = last.pointee.value else { return false }
        var s = 0
        while s < line.count && (line[s] == 32 || line[s] == 9) { s += 1 }
        var e = line.count
        while e > s && isLWS(line[e - 1]) { e -= 1 }
        var v = HttpBytes.array(old)
        v.append(32)
        v.append(contentsOf: line[s..<e])
        guard let nv = HttpBytes.dup(v) else { return false }
        HMem.free(old)
        last.pointee.value = nv
        return true
    }

    /// Content-Length: digits only, no sign, no space, fits in Int64.
    static func contentLength(_ v: UnsafePointer<CChar>) -> Int64? {
        var i = 0
        var n: Int64 = 0
        while true {
            let c = UInt8(bitPattern: v[i])
            if c == 0 { break }
            guard HttpBytes.isDigit(c) else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            n = a
            i += 1
        }
        return i == 0 ? nil : n
    }

    enum Framing { case chunked, length(Int64), untilClose, invalid }

    /// How the body of a message ends. Several Content-Length headers must
    /// agree; Transfer-Encoding must end in chunked and comes without a
    /// Content-Length; any other Transfer-Encoding is refused.
    static func framing(_ r: HReq) -> Framing {
        guard let h = r.pointee.input_headers else { return .invalid }
        let teCount = HttpHeaders.count(h, "Transfer-Encoding")
        let clCount = HttpHeaders.count(h, "Content-Length")
        if teCount > 0 {
            if teCount > 1 || clCount > 0 { return .invalid }
            guard let te = HttpHeaders.find(h, "Transfer-Encoding") else { return .invalid }
            return teEndsChunked(te) ? .chunked : .invalid
        }
        var length: Int64? = nil
        var e = h.pointee.tqh_first
        while let x = e {
            if let k = x.pointee.key, HttpBytes.caseEq(k, "Content-Length"), let v = x.pointee.value {
                guard let n = contentLength(v) else { return .invalid }
                if let l = length, l != n { return .invalid }
                length = n
            }
            e = x.pointee.next.tqe_next
        }
        if let length { return .length(length) }
        // No length: libevent reads an empty body when the peer keeps the
        // connection (a Connection header other than close), else up to
        // the close (ntoread -1; for a request that means no body).
        if let c = HttpHeaders.find(h, "Connection"), !HttpBytes.caseEq(c, "Close") { return .length(0) }
        return .untilClose
    }

    /// "chunked" alone, or a comma list whose last coding is chunked.
    static func teEndsChunked(_ v: UnsafePointer<CChar>) -> Bool {
        let a = HttpBytes.array(v)
        var end = a.count
        while end > 0 && (a[end - 1] == 32 || a[end - 1] == 9) { end -= 1 }
        var start = end
        while start > 0 && a[start - 1] != 44 { start -= 1 }
        while start < end && (a[start] == 32 || a[start] == 9) { start += 1 }
        let last = Array(a[start..<end])
        let chunked = HttpBytes.array("chunked")
        guard last.count == chunked.count else { return false }
        for i in 0..<last.count where HttpBytes.lower(last[i]) != chunked[i] { return false }
        // every earlier coding must be a token
        for c in a[0..<start] where !(isTchar(c) || c == 44 || c == 32 || c == 9) { return false }
        // chunked twice is refused (RFC 7230 3.3.1)
        return start == 0 || !a[0..<start].isEmpty && !containsChunked(Array(a[0..<start]))
    }

    static func containsChunked(_ a: [UInt8]) -> Bool {
        let lower = a.map { HttpBytes.lower($0) }
        let c = HttpBytes.array("chunked")
        if lower.count < c.count { return false }
        for i in 0...(lower.count - c.count) where Array(lower[i..<(i + c.count)]) == c { return true }
        return false
    }

    /// A chunk-size line: 1*HEXDIG and nothing else (libevent 2.1.12 also
    /// refuses extensions). No sign, no "0x", no spaces, no value past
    /// Int64.max.
    static func chunkSize(_ line: [UInt8]) -> Int64? {
        var n: Int64 = 0
        var i = 0
        while i < line.count, let d = HttpBytes.hexValue(line[i]) {
            if n > (Int64.max >> 4) { return nil }
            n = n << 4 | Int64(d)
            i += 1
        }
        if i == 0 { return nil }
        if i < line.count { return nil }
        return n
    }
}
