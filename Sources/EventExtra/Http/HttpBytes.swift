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
        return HttpHeaders.caseEqual(p, cstr(s))
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

/// Builds a message head in a scratch block the connection keeps (grown
/// with the program's allocator), handed to the output buffer in one
/// evbuffer_add: each add on a bufferevent's output runs its callbacks.
struct OutBuf {
    var p: UnsafeMutableRawPointer?
    var n = 0
    var cap: Int
    var failed = false

    init(scratch: UnsafeMutableRawPointer?, cap: Int) {
        self.p = scratch
        self.cap = scratch == nil ? 0 : cap
    }

    mutating func room(_ k: Int) -> Bool {
        if failed { return false }
        if cap - n >= k { return true }
        var c = Swift.max(cap, 512)
        while c - n < k {
            let (d, o) = c.multipliedReportingOverflow(by: 2)
            if o { failed = true; return false }
            c = d
        }
        guard let q = Memory.realloc(p, c) else { failed = true; return false }
        p = q
        cap = c
        return true
    }

    mutating func add(_ src: UnsafeRawPointer, _ k: Int) {
        if k == 0 || !room(k) { return }
        memcpy(p! + n, src, k)
        n += k
    }
    mutating func add(_ s: StaticString) { add(UnsafeRawPointer(s.utf8Start), s.utf8CodeUnitCount) }
    mutating func add(_ c: UnsafePointer<CChar>) { add(UnsafeRawPointer(c), strlen(c)) }
    mutating func add(_ c: UnsafePointer<CChar>?, orNull: Bool) {
        if let c { add(c) } else { add("(null)") }
    }
    mutating func addDecimal(_ v: Int64) {
        if !room(24) { return }
        var x = v < 0 ? UInt64(bitPattern: 0 &- v) : UInt64(v)
        var digits = 0
        var t = x
        repeat { digits += 1; t /= 10 } while t != 0
        let q = p!.assumingMemoryBound(to: UInt8.self) + n
        var i = digits + (v < 0 ? 1 : 0)
        n += i
        repeat { i -= 1; q[i] = UInt8(48 + x % 10); x /= 10 } while x != 0
        if v < 0 { q[0] = 45 }
    }
}
