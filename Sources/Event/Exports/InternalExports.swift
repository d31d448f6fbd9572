import CEventSys

// libevent-internal functions that libevent_core exports for libevent_extra
// and that programs built against libevent call (issue 15), with libevent
// 2.1.12's behaviour. The data objects and variadic ones are C
// (Sources/CEventSys/internal_exports.c); declarations: CEventInternal.h.

// MARK: mm-internal.h: the program's allocator (event_set_mem_functions)

@_cdecl("event_mm_malloc_")
public func event_mm_malloc_(_ size: Int) -> UnsafeMutableRawPointer? { Memory.malloc(size) }

/// NULL for a zero count or size; a product that overflows is ENOMEM.
@_cdecl("event_mm_calloc_")
public func event_mm_calloc_(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? { Memory.calloc(count, size) }

@_cdecl("event_mm_realloc_")
public func event_mm_realloc_(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    Memory.realloc(p, size)
}

/// Like libevent's, a replaced free sees NULL too.
@_cdecl("event_mm_free_")
public func event_mm_free_(_ p: UnsafeMutableRawPointer?) {
    if let f = Memory.userFree { f(p) } else { free(p) }
}

/// NULL (EINVAL) for a NULL string; the copy comes from the program's
/// malloc when it set one.
@_cdecl("event_mm_strdup_")
public func event_mm_strdup_(_ s: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let s else {
        Sys.errno = EINVAL
        return nil
    }
    guard let f = Memory.userMalloc else { return strdup(s) }
    let n = strlen(s)
    if n == Int.max {
        Sys.errno = ENOMEM
        return nil
    }
    guard let p = f(n + 1) else { return nil }
    memcpy(p, s, n + 1)
    return p.assumingMemoryBound(to: CChar.self)
}

// MARK: evthread-internal.h: lock debugging queries

/// Whether the calling thread holds a lock lock debugging handed out (any
/// holder when there is no id callback). A lock made before debugging was
/// on cannot be checked: reported held, so no assertion trips on it.
@_cdecl("evthread_is_debug_lock_held_")
public func evthread_is_debug_lock_held_(_ p: UnsafeMutableRawPointer?) -> Int32 {
    guard let p else { return 0 }
    guard let d = LockDebug.debugLock(p) else { return 1 }
    if d.pointee.depth == 0 { return 0 }
    if let id = Threads.idFunction, d.pointee.holder != id() { return 0 }
    return 1
}

/// The program's lock behind a debug lock (the lock itself when it is not one).
@_cdecl("evthread_debug_get_real_lock_")
public func evthread_debug_get_real_lock_(_ p: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let p else { return nil }
    guard let d = LockDebug.debugLock(p) else { return p }
    return d.pointee.real
}
