import CEventSys

// thread.h.

@_cdecl("evthread_set_lock_callbacks")
public func evthread_set_lock_callbacks(_ cbs: UnsafePointer<evthread_lock_callbacks>?) -> Int32 {
    guard let cbs else {
        if Threads.lockCallbacks != nil {
            Log.warnx("Trying to disable lock functions after they have been set up will probaby not work.")
        }
        Threads.lockCallbacks = nil
        Threads.lockingEnabled = false
        return 0
    }
    if Threads.lockCallbacks != nil {
        // Setting the same table twice is harmless; a different one is not.
        if memcmp(&Threads.lockCallbacks!, cbs, MemoryLayout<evthread_lock_callbacks>.size) == 0 { return 0 }
        Log.warnx("Can't change lock callbacks once they have been initialized.")
        return -1
    }
    let c = cbs.pointee
    if c.alloc == nil || c.free == nil || c.lock == nil || c.unlock == nil { return -1 }
    Threads.lockCallbacks = c
    Threads.lockingEnabled = true
    return 0
}

@_cdecl("evthread_set_condition_callbacks")
public func evthread_set_condition_callbacks(_ cbs: UnsafePointer<evthread_condition_callbacks>?) -> Int32 {
    guard let cbs else {
        Threads.conditionCallbacks = nil
        return 0
    }
    if Threads.conditionCallbacks != nil {
        if memcmp(&Threads.conditionCallbacks!, cbs, MemoryLayout<evthread_condition_callbacks>.size) == 0 { return 0 }
        Log.warnx("Can't change condition callbacks once they have been initialized.")
        return -1
    }
    let c = cbs.pointee
    // An incomplete table is ignored, not refused.
    if c.alloc_condition != nil && c.free_condition != nil && c.signal_condition != nil && c.wait_condition != nil {
        Threads.conditionCallbacks = c
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
public func evthread_enable_lock_debugging() { Threads.lockDebugging = true }

@_cdecl("evthread_enable_lock_debuging")
public func evthread_enable_lock_debuging() { Threads.lockDebugging = true }

@_cdecl("evthread_make_base_notifiable")
public func evthread_make_base_notifiable(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.makeNotifiable()
}
