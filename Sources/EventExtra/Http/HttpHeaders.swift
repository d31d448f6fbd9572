import CEventExtra

/// Header lists: struct evkeyvalq (keyvalq_struct.h), a TAILQ of struct
/// evkeyval whose layout programs walk themselves. `next` is the first
/// field of evkeyval, so an element's address is the address of its
/// tqe_next, which is what tqh_last and tqe_prev point at.
typealias HKVQ = UnsafeMutablePointer<evkeyvalq>
typealias HKV = UnsafeMutablePointer<evkeyval>

enum HttpHeaders {
    @inline(__always)
    static func nextSlot(_ e: HKV) -> UnsafeMutablePointer<HKV?> {
        return UnsafeMutableRawPointer(e).assumingMemoryBound(to: HKV?.self)
    }
    @inline(__always)
    static func headSlot(_ q: HKVQ) -> UnsafeMutablePointer<HKV?> {
        return UnsafeMutableRawPointer(q).assumingMemoryBound(to: HKV?.self)
    }

    static func initList(_ q: HKVQ) {
        q.pointee.tqh_first = nil
        q.pointee.tqh_last = headSlot(q)
    }

    static func insertTail(_ q: HKVQ, _ e: HKV) {
        e.pointee.next.tqe_next = nil
        e.pointee.next.tqe_prev = q.pointee.tqh_last
        q.pointee.tqh_last?.pointee = e
        q.pointee.tqh_last = nextSlot(e)
    }

    static func remove(_ q: HKVQ, _ e: HKV) {
        if let n = e.pointee.next.tqe_next {
            n.pointee.next.tqe_prev = e.pointee.next.tqe_prev
        } else {
            q.pointee.tqh_last = e.pointee.next.tqe_prev
        }
        e.pointee.next.tqe_prev?.pointee = e.pointee.next.tqe_next
    }

    static func last(_ q: HKVQ) -> HKV? {
        guard q.pointee.tqh_first != nil, let l = q.pointee.tqh_last else { return nil }
        return UnsafeMutableRawPointer(l).assumingMemoryBound(to: evkeyval.self)
    }

    static func findEntry(_ q: UnsafePointer<evkeyvalq>, _ key: UnsafePointer<CChar>) -> HKV? {
        var h = q.pointee.tqh_first
        while let e = h {
            if let k = e.pointee.key, caseEqual(k, key) { return e }
            h = e.pointee.next.tqe_next
        }
        return nil
    }

    /// ASCII case-insensitive equality (evutil_ascii_strcasecmp() == 0).
    @inline(__always)
    static func caseEqual(_ a: UnsafePointer<CChar>, _ b: UnsafePointer<CChar>) -> Bool {
        var i = 0
        while true {
            let x = UInt8(bitPattern: a[i]), y = UInt8(bitPattern: b[i])
            if x != y && HttpBytes.lower(x) != HttpBytes.lower(y) { return false }
            if x == 0 { return true }
            i += 1
        }
    }

    static func find(_ q: UnsafePointer<evkeyvalq>, _ key: UnsafePointer<CChar>) -> UnsafePointer<CChar>? {
        guard let e = findEntry(q, key), let v = e.pointee.value else { return nil }
        return UnsafePointer(v)
    }

    static func find(_ q: UnsafePointer<evkeyvalq>, _ key: StaticString) -> UnsafePointer<CChar>? {
        return find(q, HttpBytes.cstr(key))
    }

    static func count(_ q: UnsafePointer<evkeyvalq>, _ key: StaticString) -> Int {
        var n = 0
        var h = q.pointee.tqh_first
        while let e = h {
            if let k = e.pointee.key, HttpBytes.caseEq(k, key) { n += 1 }
            h = e.pointee.next.tqe_next
        }
        return n
    }

    static func freeEntry(_ e: HKV) {
        HMem.free(e.pointee.key)
        HMem.free(e.pointee.value)
        HMem.free(e)
    }

    static func clear(_ q: HKVQ) {
        while let e = q.pointee.tqh_first {
            remove(q, e)
            freeEntry(e)
        }
    }

    static func remove(_ q: HKVQ, _ key: UnsafePointer<CChar>) -> Int32 {
        guard let e = findEntry(UnsafePointer(q), key) else { return -1 }
        remove(q, e)
        freeEntry(e)
        return 0
    }

    static func remove(_ q: HKVQ, _ key: StaticString) {
        _ = remove(q, HttpBytes.cstr(key))
    }

    /// libevent 2.1.12 refuses any CR or LF in a value (folded lines
    /// are joined by the parser, not through here).
    static func valueIsValid(_ v: UnsafePointer<CChar>) -> Bool {
        return keyIsValid(v)
    }

    static func keyIsValid(_ k: UnsafePointer<CChar>) -> Bool {
        return strpbrk(k, HttpBytes.cstr("\r\n")) == nil
    }

    /// evhttp_add_header: refuses keys with line breaks and values whose
    /// line breaks are not continuations.
    static func add(_ q: HKVQ, _ key: UnsafePointer<CChar>, _ value: UnsafePointer<CChar>) -> Int32 {
        if !keyIsValid(key) || !valueIsValid(value) { return -1 }
        return addUnchecked(q, key, value)
    }

    static func add(_ q: HKVQ, _ key: StaticString, _ value: UnsafePointer<CChar>) {
        _ = add(q, HttpBytes.cstr(key), value)
    }

    static func addUnchecked(_ q: HKVQ, _ key: UnsafePointer<CChar>, _ value: UnsafePointer<CChar>) -> Int32 {
        guard let raw = HMem.calloc(1, MemoryLayout<evkeyval>.size) else {
            HLog.warnx("evhttp_add_header: calloc")
            return -1
        }
        let e = raw.bindMemory(to: evkeyval.self, capacity: 1)
        guard let k = HttpBytes.dup(key) else { HMem.free(raw); return -1 }
        guard let v = HttpBytes.dup(value) else { HMem.free(k); HMem.free(raw); return -1 }
        e.pointee.key = k
        e.pointee.value = v
        insertTail(q, e)
        return 0
    }

    /// A fresh, empty list from the program's allocator.
    static func newList() -> HKVQ? {
        guard let raw = HMem.calloc(1, MemoryLayout<evkeyvalq>.size) else { return nil }
        let q = raw.bindMemory(to: evkeyvalq.self, capacity: 1)
        initList(q)
        return q
    }

    static func freeList(_ q: HKVQ?) {
        guard let q else { return }
        clear(q)
        HMem.free(q)
    }
}
