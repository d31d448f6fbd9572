import CEventSys

// event_compat.h: the 1.x API, which works on the "current base" event_init made.

@_cdecl("event_init")
public func event_init() -> OpaquePointer? {
    guard let b = event_base_new_with_config(nil) else {
        Log.fatal(1, "event_init: Unable to construct event_base")
    }
    Globals.currentBase = b
    return b
}

@_cdecl("event_dispatch")
public func event_dispatch() -> Int32 { event_base_loop(Globals.currentBase, 0) }

@_cdecl("event_loop")
public func event_loop(_ flags: Int32) -> Int32 { event_base_loop(Globals.currentBase, flags) }

@_cdecl("event_loopexit")
public func event_loopexit(_ tv: UnsafePointer<timeval>?) -> Int32 { event_base_loopexit(Globals.currentBase, tv) }

@_cdecl("event_loopbreak")
public func event_loopbreak() -> Int32 { event_base_loopbreak(Globals.currentBase) }

@_cdecl("event_once")
public func event_once(_ fd: Int32, _ events: Int16, _ cb: EventCallback?, _ arg: UnsafeMutableRawPointer?,
                       _ tv: UnsafePointer<timeval>?) -> Int32 {
    return event_base_once(Globals.currentBase, fd, events, cb, arg, tv)
}

@_cdecl("event_get_method")
public func event_get_method() -> UnsafePointer<CChar>? { event_base_get_method(Globals.currentBase) }

@_cdecl("event_priority_init")
public func event_priority_init(_ n: Int32) -> Int32 { event_base_priority_init(Globals.currentBase, n) }

@_cdecl("event_set")
public func event_set(_ ev: EventPtr?, _ fd: Int32, _ events: Int16, _ cb: EventCallback?, _ arg: UnsafeMutableRawPointer?) {
    _ = event_assign(ev, Globals.currentBase, fd, events, cb, arg)
}
