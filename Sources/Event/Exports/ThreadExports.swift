import CEventSys

// thread.h.

/// Two C function pointers (or NULLs) are the same. Field by field, since a
/// whole-struct compare would read the padding after the version field.
private func same<F>(_ a: F, _ b: F) -> Bool {
    withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
}

// While lock debugging is on, both setters work on the program's tables kept
// behind the checking ones (Threads.program*), as libevent's do.

@_cdecl("evthread_set_lock_callbacks")
public func evthread_set_lock_callbacks(_ cbs: UnsafePointer<evthread_lock_callbacks>?) -> Int32 {
    guard let cbs else {
        if Threads.programLockCallbacks != nil {
            Log.warnx("Trying to disable lock functions after they have been set up will probaby not work.")
        }
        Threads.programLockCallbacks = nil
        return 0
    }
    if let t = Threads.programLockCallbacks {
        // Setting the same table twice is harmless; a different one is not.
        let c = cbs.pointee
        if t.lock_api_version == c.lock_api_version && t.supported_locktypes == c.supported_locktypes
            && same(t.alloc, c.alloc) && same(t.free, c.free) && same(t.lock, c.lock) && same(t.unlock, c.unlock) {
            return 0
        }
        Log.warnx("Can't change lock callbacks once they have been initialized.")
        return -1
    }
    let c = cbs.pointee
    if c.alloc == nil || c.free == nil || c.lock == nil || c.unlock == nil { return -1 }
    Threads.programLockCallbacks = c
    if Threads.lockDebugging { LockDebug.adoptProgramLocks() }
    return 0
}

@_cdecl("evthread_set_condition_callbacks")
public func evthread_set_condition_callbacks(_ cbs: UnsafePointer<evthread_condition_callbacks>?) -> Int32 {
    guard let cbs else {
        if Threads.programConditionCallbacks != nil {
            Log.warnx("Trying to disable condition functions after they have been set up will probaby not work.")
        }
        Threads.programConditionCallbacks = nil
        return 0
    }
    if let t = Threads.programConditionCallbacks {
        let c = cbs.pointee
        if t.condition_api_version == c.condition_api_version && same(t.alloc_condition, c.alloc_condition)
            && same(t.free_condition, c.free_condition) && same(t.signal_condition, c.signal_condition)
            && same(t.wait_condition, c.wait_condition) {
            return 0
        }
        Log.warnx("Can't change condition callbacks once they have been initialized.")
        return -1
    }
    let c = cbs.pointee
    // An incomplete table is ignored, not refused.
    if c.alloc_condition != nil && c.free_condition != nil && c.signal_condition != nil && c.wait_condition != nil {
        Threads.programConditionCallbacks = c
    }
    return 0
}

@_cdecl("evthread_set_id_callback")
public func evthread_set_id_callback(_ fn: (@convention(c) () -> UInt)?) {
    Threads.idFunction = fn
}

// evthread_use_pthreads lives in libevent_pthreads (Sources/PthreadsGlue),
// as in libevent: it calls the three setters above.

@_cdecl("evthread_enable_lock_debugging")
public func evthread_enable_lock_debugging() { Threads.enableLockDebugging() }

/// The old misspelling, still exported by libevent.
@_cdecl("evthread_enable_lock_debuging")
public func evthread_enable_lock_debuging() { Threads.enableLockDebugging() }

@_cdecl("evthread_make_base_notifiable")
public func evthread_make_base_notifiable(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.locked { base.makeNotifiable() }
}
