import CEventExtra

/// Percent-encoding, HTML escaping and query strings (evhttp_uriencode,
/// evhttp_uridecode, evhttp_htmlescape, evhttp_parse_query), with
/// libevent's exact output.
enum HttpUriChars {
    /// RFC 3986 unreserved: ALPHA DIGIT - . _ ~
    @inline(__always)
    static func unreserved(_ c: UInt8) -> Bool {
        return HttpBytes.isAlpha(c) || HttpBytes.isDigit(c) || c == 45 || c == 46 || c == 95 || c == 126
    }
    /// sub-delims: ! $ & ' ( ) * + , ; =
    @inline(__always)
    static func subDelim(_ c: UInt8) -> Bool {
        switch c {
        case 33, 36, 38, 39, 40, 41, 42, 43, 44, 59, 61: return true
        default: return false
        }
    }
}

enum HttpEncoding {
    static let hexUpper: StaticString = "0123456789ABCDEF"

    static func encode(_ p: UnsafeRawPointer, _ n: Int, spaceAsPlus: Bool) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(n, 1 << 16))  // n comes from the caller: no arithmetic on it
        let hex = hexUpper.utf8Start
        for i in 0..<n {
            let c = p.load(fromByteOffset: i, as: UInt8.self)
            if HttpUriChars.unreserved(c) {
                out.append(c)
            } else if c == 32 && spaceAsPlus {
                out.append(43)
            } else {
                out.append(37)
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            }
        }
        return out
    }

    /// plusMode: 1 decode '+' everywhere, 0 never, -1 only after a '?'.
    static func decode(_ s: UnsafeRawPointer, _ n: Int, plusMode: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(n, 1 << 16))
        var plus = plusMode == 1
        var i = 0
        while i < n {
            var c = s.load(fromByteOffset: i, as: UInt8.self)
            if c == 63 {
                if plusMode < 0 { plus = true }
            } else if c == 43 && plus {
                c = 32
            } else if c == 37 && i + 2 < n,
                      let h = HttpBytes.hexValue(s.load(fromByteOffset: i + 1, as: UInt8.self)),
                      let l = HttpBytes.hexValue(s.load(fromByteOffset: i + 2, as: UInt8.self)) {
                c = UInt8(h << 4 | l)
                i += 2
            }
            out.append(c)
            i += 1
        }
        return out
    }

    static func htmlEscape(_ p: UnsafePointer<CChar>) -> HCStr? {
        var out = [UInt8]()
        var i = 0
        while true {
            let c = UInt8(bitPattern: p[i])
            if c == 0 { break }
            switch c {
            case 60: HttpBytes.append(&out, "&lt;")
            case 62: HttpBytes.append(&out, "&gt;")
            case 34: HttpBytes.append(&out, "&quot;")
            case 39: HttpBytes.append(&out, "&#039;")
            case 38: HttpBytes.append(&out, "&amp;")
            default: out.append(c)
            }
            i += 1
        }
        return HttpBytes.dup(out)
    }

    /// evhttp_parse_query(_str): key=value pairs split on '&', values
    /// decoded ('+' as space), keys kept as they are. Any pair without '='
    /// or with an empty key fails the whole query (list emptied, -1).
    static func parseQuery(_ str: UnsafePointer<CChar>, _ q: HKVQ, wholeUri: Bool) -> Int32 {
        HttpHeaders.initList(q)
        var uri: HttpUri? = nil
        var text: [UInt8]
        if wholeUri {
            guard let u = HttpUri.parse(HttpBytes.array(str), flags: 0) else { return -1 }
            uri = u
            guard let qp = u.query else { return 0 }
            text = HttpBytes.array(qp)
        } else {
            text = HttpBytes.array(str)
        }
        _ = uri
        if text.isEmpty { return 0 }
        var start = 0
        let n = text.count
        while start < n {
            var end = start
            while end < n && text[end] != 38 { end += 1 }
            var eq = start
            while eq < end && text[eq] != 61 { eq += 1 }
            if eq == end || eq == start {
                HttpHeaders.clear(q)
                return -1
            }
            var key = [UInt8](text[start..<eq])
            key.append(0)
            var value = text.withUnsafeBytes { b in
                decode(b.baseAddress! + eq + 1, end - eq - 1, plusMode: 1)
            }
            value.append(0)
            let r = key.withUnsafeBytes { kb in
                value.withUnsafeBytes { vb in
                    HttpHeaders.addUnchecked(q, kb.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         vb.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
            }
            if r != 0 {
                HttpHeaders.clear(q)
                return -1
            }
            if end >= n { break }
            start = end + 1
        }
        return 0
    }
}
