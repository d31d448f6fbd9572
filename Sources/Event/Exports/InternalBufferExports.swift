import CEventSys

// libevent-internal evbuffer functions (evbuffer-internal.h) that
// libevent_core exports (issue 15): references and the lock held across
// them, and running the buffer's callbacks.

@_cdecl("evbuffer_incref_")
public func evbuffer_incref_(_ p: OpaquePointer?) {
    guard let b = bufferOf(p, "evbuffer_incref_") else { return }
    b.locked { b.incref() }
}

/// Takes the buffer's lock (if it has one) and keeps it.
@_cdecl("evbuffer_incref_and_lock_")
public func evbuffer_incref_and_lock_(_ p: OpaquePointer?) {
    guard let b = bufferOf(p, "evbuffer_incref_and_lock_") else { return }
    if let l = b.lock { BufferLock.lock(l) }
    b.incref()
}

/// Drops a reference and the lock; the last reference frees the buffer
/// (after the lock is let go, since the lock goes with it).
@_cdecl("evbuffer_decref_and_unlock_")
public func evbuffer_decref_and_unlock_(_ p: OpaquePointer?) {
    guard let b = bufferOf(p, "evbuffer_decref_and_unlock_") else { return }
    if b.refcnt > 1 {
        b.refcnt -= 1
        if let l = b.lock { BufferLock.unlock(l) }
        return
    }
    if let l = b.lock { BufferLock.unlock(l) }
    b.decref()
}

/// Tell the buffer's callbacks what changed since they last ran.
@_cdecl("evbuffer_invoke_callbacks_")
public func evbuffer_invoke_callbacks_(_ p: OpaquePointer?) {
    guard let b = bufferOf(p, "evbuffer_invoke_callbacks_") else { return }
    b.locked { b.invokeCallbacks() }
}

/// The buffer's deferred callback (evbuffer_defer_callbacks), for whoever
/// finalizes it with its owner: 1 and cbs[0] set, 0 when it has none, -1
/// when there is no room.
@_cdecl("evbuffer_get_callbacks_")
public func evbuffer_get_callbacks_(_ p: OpaquePointer?, _ cbs: UnsafeMutablePointer<CallbackPtr?>?, _ max: Int32) -> Int32 {
    guard let b = bufferOf(p, "evbuffer_get_callbacks_") else { return -1 }
    return b.locked {
        guard let d = b.deferred else { return 0 }
        guard let cbs, max >= 1 else { return -1 }
        cbs[0] = d
        return 1
    }
}
