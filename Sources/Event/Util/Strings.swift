import CEventSys

/// util.h's string helpers: strtoll, locale-independent case-insensitive
/// comparison, RFC 1123 dates.
enum Strings {
    /// strtoll as the C library defines it: leading white space, a sign,
    /// a "0x" prefix for base 16 (and base 0, where a leading 0 means
    /// octal), saturation with ERANGE, EINVAL for a base outside 2...36.
    /// `end` is the offset of the first unused byte (0 when nothing was
    /// read; -1 for a bad base, where the C library leaves endptr alone).
    static func strtoll(_ s: CText, base: Int32, end: inout Int) -> Int64 {
        if base < 0 || base == 1 || base > 36 {
            Sys.errno = EINVAL
            end = -1
            return 0
        }
        var i = 0
        while ASCII.isSpace(s[i]) { i += 1 }
        var negative = false
        if s[i] == 0x2b || s[i] == 0x2d { negative = s[i] == 0x2d; i += 1 }
        var radix = UInt64(base)
        if s[i] == 0x30 && (base == 0 || base == 16) && (s[i + 1] | 0x20) == 0x78 {
            if ASCII.isXDigit(s[i + 2]) {
                i += 2
                radix = 16
            } else {
                // "0x" with no hex digit after it: the number is the 0, and
                // parsing stops at the x.
                end = i + 1
                return 0
            }
        } else if base == 0 {
            radix = s[i] == 0x30 ? 8 : 10
        }
        guard let (v, over) = digitsAnyRadix(s, &i, radix: radix) else {
            end = 0
            return 0
        }
        end = i
        if negative {
            if over || v > UInt64(Int64.max) + 1 {
                Sys.errno = ERANGE
                return Int64.min
            }
            return Int64(truncatingIfNeeded: 0 &- v)
        }
        if over || v > UInt64(Int64.max) {
            Sys.errno = ERANGE
            return Int64.max
        }
        return Int64(v)
    }

    /// Digits of any radix up to 36 (letters either case).
    private static func digitsAnyRadix(_ s: CText, _ i: inout Int, radix: UInt64) -> (UInt64, Bool)? {
        var v: UInt64 = 0
        var over = false
        var any = false
        while true {
            let c = s[i]
            let d: UInt64
            if ASCII.isDigit(c) { d = UInt64(c - 0x30) }
            else if c >= 0x61 && c <= 0x7a { d = UInt64(c - 0x61 + 10) }
            else if c >= 0x41 && c <= 0x5a { d = UInt64(c - 0x41 + 10) }
            else { break }
            if d >= radix { break }
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

    /// Case-insensitive for ASCII letters only; bytes compare as signed
    /// chars.  -1, 0 or 1; at most `limit` bytes when given.
    static func asciiCaseCompare(_ a: UnsafePointer<CChar>, _ b: UnsafePointer<CChar>, limit: Int? = nil) -> Int32 {
        var i = 0
        while true {
            if let limit, i >= limit { return 0 }
            let x = Int8(bitPattern: ASCII.lower(UInt8(bitPattern: a[i])))
            let y = Int8(bitPattern: ASCII.lower(UInt8(bitPattern: b[i])))
            if x < y { return -1 }
            if x > y { return 1 }
            if x == 0 { return 0 }
            i += 1
        }
    }

    // MARK: printf-like pieces

    /// printf's %d with a minimum width, padded with zeros or spaces.
    static func appendInt(_ v: Int32, width: Int, zero: Bool, to out: inout [UInt8]) {
        var digits: [UInt8] = []
        var m = v.magnitude
        repeat {
            digits.append(0x30 + UInt8(m % 10))
            m /= 10
        } while m > 0
        let signLen = v < 0 ? 1 : 0
        let pad = max(0, width - digits.count - signLen)
        if !zero { for _ in 0..<pad { out.append(0x20) } }
        if v < 0 { out.append(0x2d) }
        if zero { for _ in 0..<pad { out.append(0x30) } }
        var k = digits.count - 1
        while k >= 0 { out.append(digits[k]); k -= 1 }
    }

    static func append(_ s: StaticString, to out: inout [UInt8]) {
        let p = s.utf8Start
        for k in 0..<s.utf8CodeUnitCount { out.append(p[k]) }
    }

    /// evutil_snprintf's contract for text already formatted: copy what fits
    /// with a NUL; return the full length, or 0 for an empty buffer.
    /// A size beyond ssize_t (negative here) is no limit; libevent would
    /// clear the byte at dst + len - 1, which is then before the buffer.
    static func snprintfResult(_ text: [UInt8], _ dst: UnsafeMutablePointer<CChar>?, _ len: Int) -> Int32 {
        if len == 0 { return 0 }
        if len < 0 {
            if let dst { Address.copyTruncating(text, dst, Int.max) }
            return Int32(truncatingIfNeeded: text.count)
        }
        if let dst {
            Address.copyTruncating(text, dst, len)
            dst[len - 1] = 0   // like vsnprintf's caller in libevent: the last byte is always cleared
        }
        return Int32(truncatingIfNeeded: text.count)
    }

    // MARK: dates

    private static let days: StaticString = "SunMonTueWedThuFriSat"
    private static let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"

    /// The `i`th three-letter name of a table like `days`.
    private static func appendName(_ table: StaticString, _ i: Int32, to out: inout [UInt8]) {
        let p = table.utf8Start + 3 * Int(i)
        out.append(p[0]); out.append(p[1]); out.append(p[2])
    }

    /// "Sun, 06 Nov 1994 08:49:37 GMT" for `tm` (the current UTC time when
    /// nil).  A weekday or month out of range is refused with -1.
    static func dateRFC1123(_ dst: UnsafeMutablePointer<CChar>?, _ len: Int, _ tmIn: UnsafePointer<tm>?) -> Int32 {
        var now = tm()
        let t: tm
        if let tmIn {
            t = tmIn.pointee
        } else {
            var clock = time(nil)
            gmtime_r(&clock, &now)
            t = now
        }
        guard t.tm_wday >= 0 && t.tm_wday < 7 && t.tm_mon >= 0 && t.tm_mon < 12 else {
            Log.warnx("evutil_date_rfc1123: tm_wday \(t.tm_wday) or tm_mon \(t.tm_mon) out of range")
            if let dst, len > 0 { dst[0] = 0 }
            return -1
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        appendName(days, t.tm_wday, to: &out)
        append(", ", to: &out)
        appendInt(t.tm_mday, width: 2, zero: true, to: &out)
        out.append(0x20)
        appendName(months, t.tm_mon, to: &out)
        out.append(0x20)
        appendInt(t.tm_year &+ 1900, width: 4, zero: false, to: &out)
        out.append(0x20)
        appendInt(t.tm_hour, width: 2, zero: true, to: &out)
        out.append(0x3a)
        appendInt(t.tm_min, width: 2, zero: true, to: &out)
        out.append(0x3a)
        appendInt(t.tm_sec, width: 2, zero: true, to: &out)
        append(" GMT", to: &out)
        return snprintfResult(out, dst, len)
    }
}
