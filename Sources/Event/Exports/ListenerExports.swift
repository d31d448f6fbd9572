import CEventSys

// listener.h. Thin: check arguments, call Listener.

@inline(__always)
private func listenerOf(_ p: OpaquePointer?, _ fn: StaticString) -> Listener? {
    guard let p else {
        Log.warnx("\(fn): NULL listener")
        return nil
    }
    return Listener.from(p)
}

@inline(__always)
private func handOut(_ l: Listener?) -> OpaquePointer? {
    guard let l else { return nil }
    return OpaquePointer(Unmanaged.passRetained(l).toOpaque())
}

@_cdecl("evconnlistener_new")
public func evconnlistener_new(_ base: OpaquePointer?, _ cb: ListenerCallback?, _ arg: UnsafeMutableRawPointer?,
                               _ flags: UInt32, _ backlog: Int32, _ fd: Int32) -> OpaquePointer? {
    let b = baseOf(base ?? Globals.currentBase)
    return handOut(Listener.create(base: b, callback: cb, userData: arg, flags: flags, backlog: backlog, fd: fd))
}

@_cdecl("evconnlistener_new_bind")
public func evconnlistener_new_bind(_ base: OpaquePointer?, _ cb: ListenerCallback?, _ arg: UnsafeMutableRawPointer?,
                                    _ flags: UInt32, _ backlog: Int32, _ sa: UnsafePointer<sockaddr>?,
                                    _ socklen: Int32) -> OpaquePointer? {
    let b = baseOf(base ?? Globals.currentBase)
    return handOut(Listener.bind(base: b, callback: cb, userData: arg, flags: flags, backlog: backlog,
                                 sa: sa, socklen: socklen))
}

@_cdecl("evconnlistener_free")
public func evconnlistener_free(_ p: OpaquePointer?) {
    guard let l = listenerOf(p, "evconnlistener_free") else { return }
    l.free()
    Unmanaged<Listener>.fromOpaque(UnsafeRawPointer(p!)).release()
}

@_cdecl("evconnlistener_enable")
public func evconnlistener_enable(_ p: OpaquePointer?) -> Int32 {
    return listenerOf(p, "evconnlistener_enable")?.enable() ?? -1
}

@_cdecl("evconnlistener_disable")
public func evconnlistener_disable(_ p: OpaquePointer?) -> Int32 {
    return listenerOf(p, "evconnlistener_disable")?.disable() ?? -1
}

@_cdecl("evconnlistener_get_base")
public func evconnlistener_get_base(_ p: OpaquePointer?) -> OpaquePointer? {
    return listenerOf(p, "evconnlistener_get_base")?.base?.cPointer
}

@_cdecl("evconnlistener_get_fd")
public func evconnlistener_get_fd(_ p: OpaquePointer?) -> Int32 {
    return listenerOf(p, "evconnlistener_get_fd")?.fd ?? -1
}

@_cdecl("evconnlistener_set_cb")
public func evconnlistener_set_cb(_ p: OpaquePointer?, _ cb: ListenerCallback?, _ arg: UnsafeMutableRawPointer?) {
    listenerOf(p, "evconnlistener_set_cb")?.setCallback(cb, arg)
}

@_cdecl("evconnlistener_set_error_cb")
public func evconnlistener_set_error_cb(_ p: OpaquePointer?, _ cb: ListenerErrorCallback?) {
    listenerOf(p, "evconnlistener_set_error_cb")?.setErrorCallback(cb)
}
