import CEventExtra

/// What evdns needs from its surroundings beyond Support/: the evdns log
/// (evdns_set_log_fn), deferred callbacks through the loop, socket calls and
/// address text. C-visible memory comes from Support's `Memory` (the
/// program's allocator).
enum DnsMem {
    static func malloc(_ n: Int) -> UnsafeMutableRawPointer? { n <= 0 ? nil : Memory.malloc(n) }
    static func calloc(_ n: Int) -> UnsafeMutableRawPointer? { n <= 0 ? nil : Memory.calloc(1, n) }
    static func free(_ p: UnsafeMutableRawPointer?) { Memory.free(p) }
    static func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? { Memory.strdup(bytes) }
}

/// The bytes of a C string (empty for NULL).
func cBytes(_ s: UnsafePointer<CChar>?) -> [UInt8] {
    guard let s else { return [] }
    let n = strlen(s)
    return Array(UnsafeRawBufferPointer(start: s, count: n))
}

/// evdns_set_log_fn and the default route to the program's log.
public enum DnsLog {
    static let debug: Int32 = 0
    static let msg: Int32 = 1
    static let warn: Int32 = 2
    public typealias Fn = @convention(c) (Int32, UnsafePointer<CChar>?) -> Void
    nonisolated(unsafe) static var fn: Fn? = nil

    static func emit(_ severity: Int32, _ text: [UInt8]) {
        guard let fn else {
            // Without evdns_set_log_fn, messages reach the program's log
            // callback at their severity, as libevent's event_logv_.
            if severity == debug && !Log.debugOn { return }
            var line = text
            line.append(0)
            line.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { c in cevx_log(severity, c.baseAddress) }
            }
            return
        }
        var t = text
        if t.count > 511 { t.removeLast(t.count - 511) }   // libevent formats into 512 bytes
        t.append(0)
        t.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in fn(severity == warn ? 1 : 0, c.baseAddress) }
        }
    }
}

/// Text pieces for log lines.
struct DnsText {
    var b: [UInt8] = []
    init(_ s: StaticString) { append(s) }
    mutating func append(_ s: StaticString) {
        b.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    mutating func append(_ bytes: [UInt8]) { b.append(contentsOf: bytes) }
    mutating func append(int v: Int) {
        if v < 0 { b.append(0x2d) }
        var m = v.magnitude
        var d: [UInt8] = []
        repeat { d.append(UInt8(48 + m % 10)); m /= 10 } while m > 0
        b.append(contentsOf: d.reversed())
    }
}

/// A user callback run from the loop, like libevent's deferred reply
/// callbacks: an event made active at once, so it runs after the events
/// already active, without the dns base's lock. One object per callback
/// (libevent allocates one too).
final class DnsDeferred {
    let cb: DnsCallback?
    let user: UnsafeMutableRawPointer?
    let type: UInt16
    let outcome: DnsOutcome
    let handle: DnsHandle?
    var ev: EvPtr? = nil

    init(cb: DnsCallback?, user: UnsafeMutableRawPointer?, type: UInt16, outcome: DnsOutcome, handle: DnsHandle?) {
        self.cb = cb
        self.user = user
        self.type = type
        self.outcome = outcome
        self.handle = handle
    }

    func schedule(_ base: OpaquePointer?) {
        let arg = Unmanaged.passRetained(self).toOpaque()
        guard let ev = event_new(base, -1, 0, { _, _, arg in
            let d = Unmanaged<DnsDeferred>.fromOpaque(arg!).takeRetainedValue()
            event_free(d.ev)
            d.ev = nil
            DnsHandleCallback.run(d.cb, d.user, d.type, d.outcome)
        }, arg) else {
            Unmanaged<DnsDeferred>.fromOpaque(arg).release()
            return
        }
        self.ev = ev
        event_active(ev, Int32(EV_TIMEOUT), 1)
    }
}

/// Socket calls, retried on EINTR.
enum DnsSock {
    static func retry(_ body: () -> Int) -> (Int, Int32) {
        let r = Sys.call(body)
        return (r.value, r.errno)
    }
    static func isRetriable(_ e: Int32) -> Bool { e == EAGAIN || e == EWOULDBLOCK || e == EINTR }
}

/// A sockaddr held by value (sockaddr_storage) with its length.
struct DnsAddr {
    var ss = sockaddr_storage()
    var len: socklen_t = 0

    init() {}
    init?(_ sa: UnsafePointer<sockaddr>, _ len: Int) {
        if len < 0 || len > MemoryLayout<sockaddr_storage>.size { return nil }
        withUnsafeMutableBytes(of: &ss) { $0.baseAddress!.copyMemory(from: sa, byteCount: len) }
        self.len = socklen_t(len)
    }
    var family: Int32 { Int32(ss.ss_family) }
    func with<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: ss) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }
    var port: UInt16 {
        get {
            withUnsafeBytes(of: ss) { p -> UInt16 in
                if family == AF_INET { return UInt16(bigEndian: p.load(fromByteOffset: 2, as: UInt16.self)) }
                if family == AF_INET6 { return UInt16(bigEndian: p.load(fromByteOffset: 2, as: UInt16.self)) }
                return 0
            }
        }
        set {
            if family != AF_INET && family != AF_INET6 { return }
            withUnsafeMutableBytes(of: &ss) { $0.storeBytes(of: newValue.bigEndian, toByteOffset: 2, as: UInt16.self) }
        }
    }
    var isLoopback: Bool {
        withUnsafeBytes(of: ss) { p -> Bool in
            if family == AF_INET { return p[4] == 127 }
            if family == AF_INET6 {
                for k in 8..<23 where p[k] != 0 { return false }
                return p[23] == 1
            }
            return false
        }
    }
    /// "1.2.3.4:53" / "[::1]:53", as libevent's evutil_format_sockaddr_port.
    var text: [UInt8] {
        var buf = [CChar](repeating: 0, count: 64)
        var t = DnsText("")
        withUnsafeBytes(of: ss) { p in
            let off = family == AF_INET ? 4 : 8
            if family != AF_INET && family != AF_INET6 { t.append("<addr with socktype "); t.append(int: Int(family)); t.append(">"); return }
            _ = buf.withUnsafeMutableBufferPointer { evutil_inet_ntop(family, p.baseAddress! + off, $0.baseAddress, 64) }
            let s = buf.withUnsafeBufferPointer { cBytes($0.baseAddress) }
            if family == AF_INET6 { t.append("["); t.append(s); t.append("]") } else { t.append(s) }
            t.append(":"); t.append(int: Int(port))
        }
        return t.b
    }
    func equals(_ o: DnsAddr, includePort: Bool) -> Bool {
        with { a in o.with { b in evutil_sockaddr_cmp(a, b, includePort ? 1 : 0) == 0 } }
    }
}

/// Random bytes from the core's secure generator, as libevent's evdns uses.
enum DnsRandom {
    static func u16() -> UInt16 {
        var v: UInt16 = 0
        evutil_secure_rng_get_bytes(&v, 2)
        return v
    }
    static func bytes(_ n: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: max(n, 1))
        b.withUnsafeMutableBytes { evutil_secure_rng_get_bytes($0.baseAddress, n) }
        return b
    }
}

/// A dns base's or server port's lock (Support's `Lock`): a recursive lock
/// from the program's callbacks when it set them before the object was
/// made, else none, and every call is a no-op.
struct DnsLock {
    var raw: UnsafeMutableRawPointer? = nil
    static func make() -> DnsLock { DnsLock(raw: Lock.alloc()) }
    @inline(__always) func lock() { Lock.lock(raw) }
    @inline(__always) func unlock() { Lock.unlock(raw) }
    func free() { Lock.free(raw) }
}

/// The bytes of a literal.
func sbytes(_ s: StaticString) -> [UInt8] {
    Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
}

extension StaticString {
    /// The literal as a C string (literals are NUL-terminated).
    func withCPointer<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        body(UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self))
    }
}

public typealias EvPtr = UnsafeMutablePointer<event>

/// DNS_OPTIONS_ALL (a multi-line macro Swift does not import).
let dnsOptionsAll: Int32 = DNS_OPTION_SEARCH | DNS_OPTION_NAMESERVERS | DNS_OPTION_MISC | DNS_OPTION_HOSTSFILE
