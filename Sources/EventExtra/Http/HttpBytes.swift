import CEventExtra

/// C strings and small byte helpers of the http code. Strings C sees are
/// NUL-terminated blocks from the program's allocator; inside, text is bytes.
typealias HCStr = UnsafeMutablePointer<CChar>

enum HttpBytes {
    @inline(__always)
    static func cstr(_ s: StaticString) -> UnsafePointer<CChar> {
        return UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    static func len(_ p: UnsafePointer<CChar>) -> Int { return strlen(p) }

    /// A NUL-terminated copy of `n` bytes at `p` (program's allocator).
    static func dup(_ p: UnsafeRawPointer?, _ n: Int) -> HCStr? {
        guard let m = HMem.malloc(n + 1) else { return nil }
        if n > 0, let p { memcpy(m, p, n) }
        m.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
        return m.assumingMemoryBound(to: CChar.self)
    }

    static func dup(_ p: UnsafePointer<CChar>) -> HCStr? { return dup(UnsafeRawPointer(p), strlen(p)) }

    static func dup(_ s: StaticString) -> HCStr? { return dup(UnsafeRawPointer(s.utf8Start), s.utf8CodeUnitCount) }

    static func dup(_ a: [UInt8]) -> HCStr? {
        return a.withUnsafeBytes { dup($0.baseAddress, $0.count) }
    }

    /// The bytes of a C string (no terminator).
    static func array(_ p: UnsafePointer<CChar>) -> [UInt8] {
        let n = strlen(p)
        return [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: n))
    }

    static func array(_ s: StaticString) -> [UInt8] {
        return [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(s.utf8Start), count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { return (c >= 65 && c <= 90) ? c | 0x20 : c }

    /// ASCII case-insensitive equality of a C string and a literal.
    static func caseEq(_ p: UnsafePointer<CChar>, _ s: StaticString) -> Bool {
        return evutil_ascii_strcasecmp(p, cstr(s)) == 0
    }

    static func isDigit(_ c: UInt8) -> Bool { return c >= 48 && c <= 57 }
    static func isAlpha(_ c: UInt8) -> Bool { let l = c | 0x20; return l >= 97 && l <= 122 }
    static func hexValue(_ c: UInt8) -> Int? {
        if c >= 48 && c <= 57 { return Int(c - 48) }
        let l = c | 0x20
        if l >= 97 && l <= 102 { return Int(l - 87) }
        return nil
    }

    static func append(_ a: inout [UInt8], _ s: StaticString) {
        a.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(s.utf8Start), count: s.utf8CodeUnitCount))
    }
    static func append(_ a: inout [UInt8], _ p: UnsafePointer<CChar>) {
        a.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(p), count: strlen(p)))
    }
    /// Decimal, as printf's %d / %zu.
    static func appendDecimal(_ a: inout [UInt8], _ v: Int64) {
        if v < 0 {
            a.append(45)
            appendUnsigned(a: &a, UInt64(bitPattern: 0 &- v))
        } else {
            appendUnsigned(a: &a, UInt64(v))
        }
    }
    static func appendUnsigned(a: inout [UInt8], _ v: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(48 + x % 10)
                x /= 10
                n += 1
            } while x != 0
            while n > 0 { n -= 1; a.append(d[n]) }
        }
    }
    /// Lower-case hex, as printf's %x.
    static func appendHex(_ a: inout [UInt8], _ v: UInt64) {
        var started = false
        var shift = 60
        while shift >= 0 {
            let d = UInt8((v >> UInt64(shift)) & 0xF)
            if d != 0 || started || shift == 0 {
                started = true
                a.append(d < 10 ? 48 + d : 87 + d)
            }
            shift -= 4
        }
    }
}

/// Adds bytes to an evbuffer.
@inline(__always)
func bufAdd(_ buf: OpaquePointer?, _ a: [UInt8]) {
    a.withUnsafeBytes { _ = evbuffer_add(buf, $0.baseAddress, $0.count) }
}

/// Writes straight into an evbuffer, piece by piece (no intermediate array).
struct OutBuf {
    let buf: OpaquePointer?
    @inline(__always) func add(_ s: StaticString) { _ = evbuffer_add(buf, s.utf8Start, s.utf8CodeUnitCount) }
    @inline(__always) func add(_ p: UnsafePointer<CChar>) { _ = evbuffer_add(buf, p, strlen(p)) }
    @inline(__always) func add(_ p: UnsafePointer<CChar>?, orNull: Bool) {
        if let p { add(p) } else { add("(null)") }
    }
    func addDecimal(_ v: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { t in
            var n = 24
            var x = v < 0 ? UInt64(bitPattern: 0 &- v) : UInt64(v)
            repeat { n -= 1; t[n] = UInt8(48 + x % 10); x /= 10 } while x != 0
            if v < 0 { n -= 1; t[n] = 45 }
            _ = evbuffer_add(buf, t.baseAddress! + n, 24 - n)
        }
    }
}
