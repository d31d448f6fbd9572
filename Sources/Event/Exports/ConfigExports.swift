import CEventSys

// event.h: struct event_config.

@inline(__always)
private func configOf(_ p: OpaquePointer?) -> EventConfig? {
    guard let p else { return nil }
    return Unmanaged<EventConfig>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@_cdecl("event_config_new")
public func event_config_new() -> OpaquePointer? {
    guard let cfg = Memory.build({ EventConfig() }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(cfg).toOpaque())
}

@_cdecl("event_config_free")
public func event_config_free(_ p: OpaquePointer?) {
    guard let p else { return }
    Unmanaged<EventConfig>.fromOpaque(UnsafeRawPointer(p)).release()
}

@_cdecl("event_config_avoid_method")
public func event_config_avoid_method(_ p: OpaquePointer?, _ method: UnsafePointer<CChar>?) -> Int32 {
    guard let cfg = configOf(p), let method else { return -1 }
    return cfg.avoid(method)
}

@_cdecl("event_config_require_features")
public func event_config_require_features(_ p: OpaquePointer?, _ features: Int32) -> Int32 {
    guard let cfg = configOf(p) else { return -1 }
    cfg.requiredFeatures = features
    return 0
}

@_cdecl("event_config_set_flag")
public func event_config_set_flag(_ p: OpaquePointer?, _ flag: Int32) -> Int32 {
    guard let cfg = configOf(p) else { return -1 }
    cfg.flags |= flag
    return 0
}

@_cdecl("event_config_set_num_cpus_hint")
public func event_config_set_num_cpus_hint(_ p: OpaquePointer?, _ cpus: Int32) -> Int32 {
    guard let cfg = configOf(p) else { return -1 }
    cfg.cpusHint = cpus
    return 0
}

@_cdecl("event_config_set_max_dispatch_interval")
public func event_config_set_max_dispatch_interval(_ p: OpaquePointer?, _ tv: UnsafePointer<timeval>?,
                                                   _ maxCallbacks: Int32, _ minPriority: Int32) -> Int32 {
    guard let cfg = configOf(p) else { return -1 }
    cfg.setMaxDispatchInterval(tv?.pointee, callbacks: maxCallbacks, minPriority: minPriority)
    return 0
}
