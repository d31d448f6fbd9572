import CEventSys

// buffer.h and buffer_compat.h: evbuffer. Thin: check arguments, call EvBuffer.
// Where libevent would crash on a NULL buffer we log and fail instead.

@inline(__always)
func bufferOf(_ p: OpaquePointer?, _ fn: StaticString) -> EvBuffer? {
    guard let p else {
        Log.warnx("\(fn): NULL evbuffer")
        return nil
    }
    return EvBuffer.from(p)
}

/// The complaint about a NULL buffer, out of line.
@inline(never)
func nullBuffer(_ fn: StaticString) {
    Log.warnx("\(fn): NULL evbuffer")
}

/// nullBuffer, then -1 (a tail call from the hot entry points).
@inline(never)
func nullBufferFailure(_ fn: StaticString) -> Int32 {
    nullBuffer(fn)
    return bufferFailure
}
/// -1, in a variable so that calls to nullBufferFailure stay tail calls.
nonisolated(unsafe) var bufferFailure: Int32 = -1

/// withBuffer for two buffers.
@inline(__always)
func withBuffers<R>(_ p: OpaquePointer?, _ q: OpaquePointer?, _ fn: StaticString, _ failed: R, _ body: (EvBuffer, EvBuffer) -> R) -> R {
    guard let p, let q else {
        nullBuffer(fn)
        return failed
    }
    return EvBuffer.ref(p)._withUnsafeGuaranteedRef { a in
        EvBuffer.ref(q)._withUnsafeGuaranteedRef { b in EvBuffer.locked(a, b) { body(a, b) } }
    }
}

/// Run `body` on the buffer without retaining it (the caller's reference
/// keeps it alive); `failed` when the pointer is NULL.
@inline(__always)
func withBuffer<R>(_ p: OpaquePointer?, _ fn: StaticString, _ failed: R, _ body: (EvBuffer) -> R) -> R {
    guard let p else {
        nullBuffer(fn)
        return failed
    }
    return EvBuffer.ref(p)._withUnsafeGuaranteedRef { b in b.locked { body(b) } }
}

/// A size_t argument as Int: values beyond ssize_t mean "more than any buffer holds".
@inline(__always)
func bufferSize(_ n: Int) -> Int { n < 0 ? Int.max : n }

/// A needle length for evbuffer_search*: libevent treats one beyond ssize_t
/// like an empty needle (the start position comes back).
@inline(__always)
func needleLength(_ n: Int) -> Int { n < 0 ? 0 : n }

@_cdecl("evbuffer_new")
public func evbuffer_new() -> OpaquePointer? { EvBuffer.create() }

@_cdecl("evbuffer_free")
public func evbuffer_free(_ p: OpaquePointer?) {
    guard let p else { return nullBuffer("evbuffer_free") }
    EvBuffer.ref(p)._withUnsafeGuaranteedRef { $0.releaseReference() }
}

@_cdecl("evbuffer_enable_locking")
public func evbuffer_enable_locking(_ p: OpaquePointer?, _ lock: UnsafeMutableRawPointer?) -> Int32 {
    guard let p else {
        nullBuffer("evbuffer_enable_locking")
        return -1
    }
    return EvBuffer.ref(p)._withUnsafeGuaranteedRef { $0.enableLocking(lock) }
}

@_cdecl("evbuffer_lock")
public func evbuffer_lock(_ p: OpaquePointer?) {
    guard let p else { return nullBuffer("evbuffer_lock") }
    EvBuffer.ref(p)._withUnsafeGuaranteedRef { $0.lockBuffer() }
}

@_cdecl("evbuffer_unlock")
public func evbuffer_unlock(_ p: OpaquePointer?) {
    guard let p else { return nullBuffer("evbuffer_unlock") }
    EvBuffer.ref(p)._withUnsafeGuaranteedRef { $0.unlockBuffer() }
}

@_cdecl("evbuffer_set_flags")
public func evbuffer_set_flags(_ p: OpaquePointer?, _ flags: UInt64) -> Int32 {
    withBuffer(p, "evbuffer_set_flags", -1) { b in
        b.flags |= UInt32(truncatingIfNeeded: flags) & ~BufferFlag.internalMask
        return 0
    }
}

@_cdecl("evbuffer_clear_flags")
public func evbuffer_clear_flags(_ p: OpaquePointer?, _ flags: UInt64) -> Int32 {
    withBuffer(p, "evbuffer_clear_flags", -1) { b in
        b.flags &= ~(UInt32(truncatingIfNeeded: flags) & ~BufferFlag.internalMask)
        return 0
    }
}

@_cdecl("evbuffer_get_length")
public func evbuffer_get_length(_ p: OpaquePointer?) -> Int {
    guard let p else { return 0 }
    let core = CorePtr(p)
    guard let l = core.pointee.lock else { return core.pointee.totalLen }
    BufferLock.lock(l)
    let n = core.pointee.totalLen
    BufferLock.unlock(l)
    return n
}

@_cdecl("evbuffer_get_contiguous_space")
public func evbuffer_get_contiguous_space(_ p: OpaquePointer?) -> Int {
    guard let p else { return 0 }
    let core = CorePtr(p)
    guard let l = core.pointee.lock else { return core.pointee.first?.pointee.off ?? 0 }
    BufferLock.lock(l)
    let n = core.pointee.first?.pointee.off ?? 0
    BufferLock.unlock(l)
    return n
}

@_cdecl("evbuffer_expand")
public func evbuffer_expand(_ p: OpaquePointer?, _ datlen: Int) -> Int32 {
    withBuffer(p, "evbuffer_expand", -1) { $0.expand(bufferSize(datlen)) }
}

@_cdecl("evbuffer_reserve_space")
public func evbuffer_reserve_space(_ p: OpaquePointer?, _ size: Int, _ vec: UnsafeMutablePointer<iovec>?, _ n: Int32) -> Int32 {
    withBuffer(p, "evbuffer_reserve_space", -1) { $0.reserve(size, vec, Int(n)) }
}

@_cdecl("evbuffer_commit_space")
public func evbuffer_commit_space(_ p: OpaquePointer?, _ vec: UnsafeMutablePointer<iovec>?, _ n: Int32) -> Int32 {
    withBuffer(p, "evbuffer_commit_space", -1) { $0.commit(vec, Int(n)) }
}

@_cdecl("evbuffer_add")
public func evbuffer_add(_ p: OpaquePointer?, _ data: UnsafeRawPointer?, _ len: Int) -> Int32 {
    guard let p else { return nullBufferFailure("evbuffer_add") }
    return CorePtr(p).add(data, bufferSize(len))
}

@_cdecl("evbuffer_remove")
public func evbuffer_remove(_ p: OpaquePointer?, _ out: UnsafeMutableRawPointer?, _ len: Int) -> Int32 {
    withBuffer(p, "evbuffer_remove", -1) { b in
        return Int32(truncatingIfNeeded: b.remove(out, UInt(bitPattern: len)))
    }
}

@_cdecl("evbuffer_copyout")
public func evbuffer_copyout(_ p: OpaquePointer?, _ out: UnsafeMutableRawPointer?, _ len: Int) -> Int {
    withBuffer(p, "evbuffer_copyout", -1) { $0.copyout(from: nil, out, UInt(bitPattern: len)) }
}

@_cdecl("evbuffer_copyout_from")
public func evbuffer_copyout_from(_ p: OpaquePointer?, _ pos: UnsafePointer<evbuffer_ptr>?, _ out: UnsafeMutableRawPointer?, _ len: Int) -> Int {
    withBuffer(p, "evbuffer_copyout_from", -1) { $0.copyout(from: pos, out, UInt(bitPattern: len)) }
}

@_cdecl("evbuffer_remove_buffer")
public func evbuffer_remove_buffer(_ src: OpaquePointer?, _ dst: OpaquePointer?, _ len: Int) -> Int32 {
    withBuffers(src, dst, "evbuffer_remove_buffer", -1) { s, d in Int32(truncatingIfNeeded: s.removeBuffer(to: d, bufferSize(len))) }
}

@_cdecl("evbuffer_readln")
public func evbuffer_readln(_ p: OpaquePointer?, _ nRead: UnsafeMutablePointer<Int>?, _ style: evbuffer_eol_style) -> UnsafeMutablePointer<CChar>? {
    guard let p else {
        nullBuffer("evbuffer_readln")
        nRead?.pointee = 0
        return nil
    }
    return EvBuffer.ref(p)._withUnsafeGuaranteedRef { b in b.locked { b.readln(nRead, Int32(bitPattern: style.rawValue)) } }
}

@_cdecl("evbuffer_add_buffer")
public func evbuffer_add_buffer(_ out: OpaquePointer?, _ inp: OpaquePointer?) -> Int32 {
    guard let out, let inp else { return nullBufferFailure("evbuffer_add_buffer") }
    return CorePtr(out).addBuffer(CorePtr(inp))
}

@_cdecl("evbuffer_add_buffer_reference")
public func evbuffer_add_buffer_reference(_ out: OpaquePointer?, _ inp: OpaquePointer?) -> Int32 {
    withBuffers(out, inp, "evbuffer_add_buffer_reference", -1) { o, i in o.addBufferReference(i) }
}

@_cdecl("evbuffer_add_reference")
public func evbuffer_add_reference(_ p: OpaquePointer?, _ data: UnsafeRawPointer?, _ len: Int,
                                   _ cleanup: evbuffer_ref_cleanup_cb?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    withBuffer(p, "evbuffer_add_reference", -1) { b in
        if len < 0 {
            // libevent takes it and its length wraps; no such memory exists.
            Log.warnx("evbuffer_add_reference: length \(UInt(bitPattern: len)) is more than memory holds")
            return -1
        }
        return b.addReference(data, len, cleanup, arg)
    }
}

@_cdecl("evbuffer_add_file")
public func evbuffer_add_file(_ p: OpaquePointer?, _ fd: Int32, _ offset: Int64, _ length: Int64) -> Int32 {
    withBuffer(p, "evbuffer_add_file", -1) { $0.addFile(fd, offset, length) }
}

@_cdecl("evbuffer_file_segment_new")
public func evbuffer_file_segment_new(_ fd: Int32, _ offset: Int64, _ length: Int64, _ flags: UInt32) -> OpaquePointer? {
    FileSegment.create(fd: fd, offset: offset, length: length, flags: flags).map { OpaquePointer($0) }
}

@_cdecl("evbuffer_file_segment_free")
public func evbuffer_file_segment_free(_ seg: OpaquePointer?) {
    guard let seg else { return Log.warnx("evbuffer_file_segment_free: NULL segment") }
    FileSegment.release(SegmentPtr(seg))
}

@_cdecl("evbuffer_file_segment_add_cleanup_cb")
public func evbuffer_file_segment_add_cleanup_cb(_ seg: OpaquePointer?, _ cb: evbuffer_file_segment_cleanup_cb?, _ arg: UnsafeMutableRawPointer?) {
    guard let seg else { return Log.warnx("evbuffer_file_segment_add_cleanup_cb: NULL segment") }
    let s = SegmentPtr(seg)
    s.pointee.cleanup = cb
    s.pointee.cleanupArg = arg
}

@_cdecl("evbuffer_add_file_segment")
public func evbuffer_add_file_segment(_ p: OpaquePointer?, _ seg: OpaquePointer?, _ offset: Int64, _ length: Int64) -> Int32 {
    withBuffer(p, "evbuffer_add_file_segment", -1) { b in
        guard let seg else {
            Log.warnx("evbuffer_add_file_segment: NULL segment")
            return -1
        }
        return b.addFileSegment(SegmentPtr(seg), offset, length)
    }
}

@_cdecl("evbuffer_drain")
public func evbuffer_drain(_ p: OpaquePointer?, _ len: Int) -> Int32 {
    guard let p else { return nullBufferFailure("evbuffer_drain") }
    return CorePtr(p).drain(bufferSize(len))
}

@_cdecl("evbuffer_write")
public func evbuffer_write(_ p: OpaquePointer?, _ fd: Int32) -> Int32 {
    withBuffer(p, "evbuffer_write", -1) { $0.write(fd, -1) }
}

@_cdecl("evbuffer_write_atmost")
public func evbuffer_write_atmost(_ p: OpaquePointer?, _ fd: Int32, _ howmuch: Int) -> Int32 {
    withBuffer(p, "evbuffer_write_atmost", -1) { $0.write(fd, howmuch) }
}

@_cdecl("evbuffer_read")
public func evbuffer_read(_ p: OpaquePointer?, _ fd: Int32, _ howmuch: Int32) -> Int32 {
    withBuffer(p, "evbuffer_read", -1) { $0.read(fd, howmuch) }
}

/// libevent 2.2: the most one evbuffer_read takes (2.1 fixes it at 4096).
@_cdecl("evbuffer_set_max_read")
public func evbuffer_set_max_read(_ p: OpaquePointer?, _ max: Int) -> Int32 {
    withBuffer(p, "evbuffer_set_max_read", -1) { b in
        if max <= 0 || max > Int(Int32.max) { return -1 }
        b.maxRead = max
        return 0
    }
}

@_cdecl("evbuffer_get_max_read")
public func evbuffer_get_max_read(_ p: OpaquePointer?) -> Int {
    withBuffer(p, "evbuffer_get_max_read", 0) { $0.maxRead }
}

private func notFoundPtr() -> evbuffer_ptr {
    var r = evbuffer_ptr()
    EvBuffer.notFound(&r)
    return r
}

@_cdecl("evbuffer_search")
public func evbuffer_search(_ p: OpaquePointer?, _ what: UnsafePointer<CChar>?, _ len: Int, _ start: UnsafePointer<evbuffer_ptr>?) -> evbuffer_ptr {
    withBuffer(p, "evbuffer_search", notFoundPtr()) { b in
        return b.search(what, needleLength(len), start: start, end: nil)
    }
}

@_cdecl("evbuffer_search_range")
public func evbuffer_search_range(_ p: OpaquePointer?, _ what: UnsafePointer<CChar>?, _ len: Int,
                                  _ start: UnsafePointer<evbuffer_ptr>?, _ end: UnsafePointer<evbuffer_ptr>?) -> evbuffer_ptr {
    withBuffer(p, "evbuffer_search_range", notFoundPtr()) { b in
        return b.search(what, needleLength(len), start: start, end: end)
    }
}

@_cdecl("evbuffer_ptr_set")
public func evbuffer_ptr_set(_ p: OpaquePointer?, _ ptr: UnsafeMutablePointer<evbuffer_ptr>?, _ position: Int, _ how: evbuffer_ptr_how) -> Int32 {
    withBuffer(p, "evbuffer_ptr_set", -1) { b in
        guard let ptr else {
            Log.warnx("evbuffer_ptr_set: NULL pointer")
            return -1
        }
        switch how {
        case EVBUFFER_PTR_SET: return b.ptrSet(&ptr.pointee, position, add: false)
        case EVBUFFER_PTR_ADD: return b.ptrSet(&ptr.pointee, position, add: true)
        default:
            // Neither: libevent moves nothing and accepts only a zero offset.
            if position == 0 {
                ptr.pointee.internal_.chain = nil
                ptr.pointee.internal_.pos_in_chain = 0
                return 0
            }
            EvBuffer.notFound(&ptr.pointee)
            return -1
        }
    }
}

@_cdecl("evbuffer_search_eol")
public func evbuffer_search_eol(_ p: OpaquePointer?, _ start: UnsafeMutablePointer<evbuffer_ptr>?,
                                _ eolLen: UnsafeMutablePointer<Int>?, _ style: evbuffer_eol_style) -> evbuffer_ptr {
    var n = 0
    guard let p else {
        nullBuffer("evbuffer_search_eol")
        eolLen?.pointee = 0
        return notFoundPtr()
    }
    let r = EvBuffer.ref(p)._withUnsafeGuaranteedRef { b in
        b.locked { b.searchEol(start.map { UnsafePointer($0) }, Int32(bitPattern: style.rawValue), &n) }
    }
    eolLen?.pointee = n
    return r
}

@_cdecl("evbuffer_peek")
public func evbuffer_peek(_ p: OpaquePointer?, _ len: Int, _ start: UnsafeMutablePointer<evbuffer_ptr>?,
                          _ vec: UnsafeMutablePointer<iovec>?, _ n: Int32) -> Int32 {
    withBuffer(p, "evbuffer_peek", -1) { b in
        return b.peek(len, start.map { UnsafePointer($0) }, vec, Int(n))
    }
}

@_cdecl("evbuffer_add_cb")
public func evbuffer_add_cb(_ p: OpaquePointer?, _ cb: evbuffer_cb_func?, _ arg: UnsafeMutableRawPointer?) -> OpaquePointer? {
    withBuffer(p, "evbuffer_add_cb", nil) { b in
        let fn = cb.map { unsafeBitCast($0, to: UnsafeRawPointer.self) }
        return b.addCallback(fn, arg).map { OpaquePointer($0) }
    }
}

@_cdecl("evbuffer_remove_cb_entry")
public func evbuffer_remove_cb_entry(_ p: OpaquePointer?, _ e: OpaquePointer?) -> Int32 {
    guard let e else { return -1 }
    return withBuffer(p, "evbuffer_remove_cb_entry", -1) { $0.removeCallback(CbEntryPtr(e)) }
}

@_cdecl("evbuffer_remove_cb")
public func evbuffer_remove_cb(_ p: OpaquePointer?, _ cb: evbuffer_cb_func?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    withBuffer(p, "evbuffer_remove_cb", -1) { b in
        return b.removeCallback(fn: cb.map { unsafeBitCast($0, to: UnsafeRawPointer.self) }, arg: arg)
    }
}

/// Change an entry's flags under its buffer's lock (callbacks read them
/// under it); a NULL buffer is tolerated, as before, with no lock to take.
@inline(__always)
func changeCallbackFlags(_ p: OpaquePointer?, _ e: CbEntryPtr, _ body: (CbEntryPtr) -> Void) {
    BufferLock.with(p.flatMap { CorePtr($0).pointee.lock }) { body(e) }
}

@_cdecl("evbuffer_cb_set_flags")
public func evbuffer_cb_set_flags(_ p: OpaquePointer?, _ e: OpaquePointer?, _ flags: UInt32) -> Int32 {
    guard let e else { return -1 }
    changeCallbackFlags(p, CbEntryPtr(e)) { $0.pointee.flags |= flags & ~CbFlag.internalMask }
    return 0
}

@_cdecl("evbuffer_cb_clear_flags")
public func evbuffer_cb_clear_flags(_ p: OpaquePointer?, _ e: OpaquePointer?, _ flags: UInt32) -> Int32 {
    guard let e else { return -1 }
    changeCallbackFlags(p, CbEntryPtr(e)) { $0.pointee.flags &= ~(flags & ~CbFlag.internalMask) }
    return 0
}

@_cdecl("evbuffer_pullup")
public func evbuffer_pullup(_ p: OpaquePointer?, _ size: Int) -> UnsafeMutablePointer<UInt8>? {
    withBuffer(p, "evbuffer_pullup", nil) { $0.pullup(size) }
}

@_cdecl("evbuffer_prepend")
public func evbuffer_prepend(_ p: OpaquePointer?, _ data: UnsafeRawPointer?, _ len: Int) -> Int32 {
    withBuffer(p, "evbuffer_prepend", -1) { $0.prepend(data, bufferSize(len)) }
}

@_cdecl("evbuffer_prepend_buffer")
public func evbuffer_prepend_buffer(_ dst: OpaquePointer?, _ src: OpaquePointer?) -> Int32 {
    withBuffers(dst, src, "evbuffer_prepend_buffer", -1) { d, s in d.prependBuffer(s) }
}

@_cdecl("evbuffer_freeze")
public func evbuffer_freeze(_ p: OpaquePointer?, _ atFront: Int32) -> Int32 {
    withBuffer(p, "evbuffer_freeze", -1) { b in
        if atFront != 0 { b.freezeStart = true } else { b.freezeEnd = true }
        return 0
    }
}

@_cdecl("evbuffer_unfreeze")
public func evbuffer_unfreeze(_ p: OpaquePointer?, _ atFront: Int32) -> Int32 {
    withBuffer(p, "evbuffer_unfreeze", -1) { b in
        if atFront != 0 { b.freezeStart = false } else { b.freezeEnd = false }
        return 0
    }
}

@_cdecl("evbuffer_defer_callbacks")
public func evbuffer_defer_callbacks(_ p: OpaquePointer?, _ base: OpaquePointer?) -> Int32 {
    withBuffer(p, "evbuffer_defer_callbacks", -1) { b in
        guard let bp = base ?? Globals.currentBase else {
            Log.warnx("evbuffer_defer_callbacks: no event_base")
            return -1
        }
        return b.deferCallbacks(to: EventBase.from(bp))
    }
}

@_cdecl("evbuffer_add_iovec")
public func evbuffer_add_iovec(_ p: OpaquePointer?, _ vec: UnsafeMutablePointer<iovec>?, _ n: Int32) -> Int {
    withBuffer(p, "evbuffer_add_iovec", 0) { $0.addIovec(vec, Int(n)) }
}

// MARK: buffer_compat.h

@_cdecl("evbuffer_readline")
public func evbuffer_readline(_ p: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    withBuffer(p, "evbuffer_readline", nil) { $0.readln(nil, Int32(EVBUFFER_EOL_ANY.rawValue)) }
}

@_cdecl("evbuffer_setcb")
public func evbuffer_setcb(_ p: OpaquePointer?, _ cb: evbuffer_cb?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    withBuffer(p, "evbuffer_setcb", -1) { b in
        return b.setObsoleteCallback(cb.map { unsafeBitCast($0, to: UnsafeRawPointer.self) }, arg)
    }
}

@_cdecl("evbuffer_find")
public func evbuffer_find(_ p: OpaquePointer?, _ what: UnsafePointer<UInt8>?, _ len: Int) -> UnsafeMutablePointer<UInt8>? {
    withBuffer(p, "evbuffer_find", nil) { b in
        let r = b.search(what, needleLength(len), start: nil, end: nil)
        if r.pos < 0 { return nil }
        // libevent pulls up pos + len as an ssize_t: a huge len wraps
        // negative, which means everything.
        return b.pullup(r.pos &+ len).map { $0 + r.pos }
    }
}

// MARK: internal entry points for the C shim (evbuffer_add_vprintf)

/// Room for at least `want` formatted bytes: their start and length, and a
/// token for cev_evbuffer_printf_commit. NULL when nothing can be added.
@_cdecl("cev_evbuffer_printf_space")
public func cev_evbuffer_printf_space(_ p: OpaquePointer?, _ want: Int, _ start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                      _ space: UnsafeMutablePointer<Int>?) -> UnsafeMutableRawPointer? {
    guard let p else {
        nullBuffer("evbuffer_add_vprintf")
        return nil
    }
    return EvBuffer.ref(p)._withUnsafeGuaranteedRef { b in
        guard let (c, s, n) = b.printfSpace(want) else { return nil }
        start?.pointee = UnsafeMutableRawPointer(s).assumingMemoryBound(to: CChar.self)
        space?.pointee = n
        return UnsafeMutableRawPointer(c)
    }
}

@_cdecl("cev_evbuffer_printf_commit")
public func cev_evbuffer_printf_commit(_ p: OpaquePointer?, _ token: UnsafeMutableRawPointer?, _ n: Int) -> Int32 {
    guard let p, let token else { return -1 }
    EvBuffer.ref(p)._withUnsafeGuaranteedRef { $0.printfCommit(token.assumingMemoryBound(to: Chain.self), n) }
    return Int32(truncatingIfNeeded: n)
}

/// The shim holds the buffer's lock across a whole evbuffer_add_vprintf.
@_cdecl("cev_evbuffer_lock")
public func cev_evbuffer_lock(_ p: OpaquePointer?) {
    guard let p, let l = CorePtr(p).pointee.lock else { return }
    BufferLock.lock(l)
}

@_cdecl("cev_evbuffer_unlock")
public func cev_evbuffer_unlock(_ p: OpaquePointer?) {
    guard let p, let l = CorePtr(p).pointee.lock else { return }
    BufferLock.unlock(l)
}
