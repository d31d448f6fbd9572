import CEventSys

// event.h: library-wide setup (logging, memory, debug mode, version).

@_cdecl("event_set_log_callback")
public func event_set_log_callback(_ cb: Log.Callback?) { Log.callback = cb }

@_cdecl("event_set_fatal_callback")
public func event_set_fatal_callback(_ cb: Log.FatalCallback?) { Log.fatalCallback = cb }

@_cdecl("event_enable_debug_logging")
public func event_enable_debug_logging(_ which: UInt32) { Log.debugMask = which }

@_cdecl("event_set_mem_functions")
public func event_set_mem_functions(_ m: Memory.MallocFn?, _ r: Memory.ReallocFn?, _ f: Memory.FreeFn?) {
    Memory.userMalloc = m
    Memory.userRealloc = r
    Memory.userFree = f
}

@_cdecl("event_enable_debug_mode")
public func event_enable_debug_mode() { Debug.enable() }

@_cdecl("event_get_version")
public func event_get_version() -> UnsafePointer<CChar>? {
    let v: StaticString = "2.1.12-stable"
    return v.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 }
}

@_cdecl("event_get_version_number")
public func event_get_version_number() -> UInt32 { 0x0201_0c00 }

@_cdecl("libevent_global_shutdown")
public func libevent_global_shutdown() {
    releaseSupportedMethods()
    cev_chain_cache_flush_current()
    Debug.reset()
}
