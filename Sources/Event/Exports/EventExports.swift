import CEventSys

// event.h: events and bases. Thin: check arguments, call the core.

@inline(__always)
func baseOf(_ p: OpaquePointer?) -> EventBase? {
    guard let p else { return nil }
    return EventBase.from(p)
}

/// The event's base, unretained (the base is alive while the C caller uses
/// its events); nil, after libevent's warning, if it has none.
@inline(__always)
func eventBaseRef(_ ev: EventPtr, _ fn: StaticString) -> Unmanaged<EventBase>? {
    guard let b = ev.pointee.ev_base else {
        noEventBase(fn)
        return nil
    }
    return Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
}

@inline(never)
func noEventBase(_ fn: StaticString) {
    Log.warnx("\(fn): event has no event_base set.")
}

/// Run `body` on the event's base without reference counting (the base is
/// alive while the C caller uses its events); `fallback` if it has none.
@inline(__always)
func withEventBase<R>(_ ev: EventPtr, _ fn: StaticString, _ fallback: R, _ body: (EventBase) -> R) -> R {
    guard let base = eventBaseRef(ev, fn) else { return fallback }
    return base._withUnsafeGuaranteedRef(body)
}

@_cdecl("event_base_new")
public func event_base_new() -> OpaquePointer? {
    guard let cfg = Memory.build({ EventConfig() }) else { return nil }
    return EventBase.create(config: cfg).map { OpaquePointer(Unmanaged.passRetained($0).toOpaque()) }
}

@_cdecl("event_base_new_with_config")
public func event_base_new_with_config(_ cfg: OpaquePointer?) -> OpaquePointer? {
    let config = cfg.map { Unmanaged<EventConfig>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    return EventBase.create(config: config).map { OpaquePointer(Unmanaged.passRetained($0).toOpaque()) }
}

private func freeBase(_ p: OpaquePointer?, runFinalizers: Bool) {
    guard let p = p ?? Globals.currentBase else {
        Log.warnx("event_base_free_: no base to free")
        return
    }
    let base = EventBase.from(p)
    if base.locked({ base.running }) {
        // libevent would free the loop's state under its feet; refuse, so
        // the program keeps running (the base can be freed after the loop).
        Log.warnx("event_base_free_: called while the base's loop is running; not freeing it")
        return
    }
    base.destroy(runFinalizers: runFinalizers)
    Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(p)).release()
}

@_cdecl("event_base_free")
public func event_base_free(_ p: OpaquePointer?) { freeBase(p, runFinalizers: true) }

@_cdecl("event_base_free_nofinalize")
public func event_base_free_nofinalize(_ p: OpaquePointer?) { freeBase(p, runFinalizers: false) }

@_cdecl("event_reinit")
public func event_reinit(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.locked { base.reinit() }
}

@_cdecl("event_base_dispatch")
public func event_base_dispatch(_ p: OpaquePointer?) -> Int32 {
    return event_base_loop(p, 0)
}

@_cdecl("event_base_loop")
public func event_base_loop(_ p: OpaquePointer?, _ flags: Int32) -> Int32 {
    guard let base = baseOf(p) else {
        Log.warnx("event_base_loop: no event_base")
        return -1
    }
    return base.loop(flags: flags)
}

@_cdecl("event_base_loopexit")
public func event_base_loopexit(_ p: OpaquePointer?, _ tv: UnsafePointer<timeval>?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.locked { base.loopExit(after: tv?.pointee) }
}

@_cdecl("event_base_loopbreak")
public func event_base_loopbreak(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    base.locked {
        base.gotBreak = true
        base.notifyIfNeeded()
    }
    return 0
}

@_cdecl("event_base_loopcontinue")
public func event_base_loopcontinue(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    base.locked {
        base.continueFlag = true
        base.notifyIfNeeded()
    }
    return 0
}

@_cdecl("event_base_got_exit")
public func event_base_got_exit(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return 0 }
    return base.locked { base.gotTerm ? 1 : 0 }
}

@_cdecl("event_base_got_break")
public func event_base_got_break(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p) else { return 0 }
    return base.locked { base.gotBreak ? 1 : 0 }
}

@_cdecl("event_base_get_method")
public func event_base_get_method(_ p: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let base = baseOf(p) else { return nil }
    return base.backend.methodName.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 }
}

@_cdecl("event_base_get_features")
public func event_base_get_features(_ p: OpaquePointer?) -> Int32 {
    return baseOf(p)?.backend.features ?? 0
}

nonisolated(unsafe) private var supportedMethods: UnsafeMutablePointer<UnsafePointer<CChar>?>? = nil

/// libevent_global_shutdown gives the list back.
func releaseSupportedMethods() {
    Memory.deallocate(supportedMethods)
    supportedMethods = nil
}

@_cdecl("event_get_supported_methods")
public func event_get_supported_methods() -> UnsafeMutablePointer<UnsafePointer<CChar>?>? {
    if supportedMethods == nil {
        let all = BackendKind.allCases
        guard let p = Memory.tryAllocate(UnsafePointer<CChar>?.self, count: all.count + 1) else { return nil }
        for (i, k) in all.enumerated() {
            p[i] = k.name.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 }
        }
        p[all.count] = nil
        supportedMethods = p
    }
    return supportedMethods
}

@_cdecl("event_gettime_monotonic")
public func event_gettime_monotonic(_ p: OpaquePointer?, _ tv: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let base = baseOf(p), let tv else { return -1 }
    tv.pointee = Clock.monotonicTimeval(base.clockId)
    return 0
}

@_cdecl("event_base_get_num_events")
public func event_base_get_num_events(_ p: OpaquePointer?, _ type: Int32) -> Int32 {
    guard let base = baseOf(p) else { return 0 }
    return base.locked {
        var r = 0
        if type & 1 != 0 { r += base.activeCount }
        if type & 2 != 0 { r += base.virtualCount }
        if type & 4 != 0 { r += base.eventCount }
        return Int32(truncatingIfNeeded: r)
    }
}

@_cdecl("event_base_get_max_events")
public func event_base_get_max_events(_ p: OpaquePointer?, _ type: Int32, _ clear: Int32) -> Int32 {
    guard let base = baseOf(p) else { return 0 }
    return base.locked {
        var r = 0
        if type & 1 != 0 { r += base.activeCountMax; if clear != 0 { base.activeCountMax = 0 } }
        if type & 2 != 0 { r += base.virtualCountMax; if clear != 0 { base.virtualCountMax = 0 } }
        if type & 4 != 0 { r += base.eventCountMax; if clear != 0 { base.eventCountMax = 0 } }
        return Int32(truncatingIfNeeded: r)
    }
}

@_cdecl("event_base_priority_init")
public func event_base_priority_init(_ p: OpaquePointer?, _ n: Int32) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.locked { base.setPriorities(Int(n)) }
}

@_cdecl("event_base_get_npriorities")
public func event_base_get_npriorities(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p ?? Globals.currentBase) else { return 0 }
    return Int32(base.priorityCount)
}

@_cdecl("event_base_init_common_timeout")
public func event_base_init_common_timeout(_ p: OpaquePointer?, _ d: UnsafePointer<timeval>?) -> UnsafePointer<timeval>? {
    guard let base = baseOf(p), let d else { return nil }
    return base.locked { base.initCommonTimeout(d.pointee) }
}

@_cdecl("event_base_dump_events")
public func event_base_dump_events(_ p: OpaquePointer?, _ out: UnsafeMutablePointer<FILE>?) {
    guard let base = baseOf(p), let out else { return }
    base.locked { base.dump(out) }
}

@_cdecl("event_base_active_by_fd")
public func event_base_active_by_fd(_ p: OpaquePointer?, _ fd: Int32, _ events: Int16) {
    guard let base = baseOf(p) else { return }
    base.locked {
        if events & EV.timeout != 0 {
            for i in 0..<base.timers.count where base.timers[i].event.fd == fd {
                base.activate(base.timers[i].event, res: EV.timeout, ncalls: 1)
            }
            for ct in base.common {
                var e = ct.pointee.queue.first
                while let ev = e {
                    e = TimeoutQueue.next(ev)
                    if ev.fd == fd { base.activate(ev, res: EV.timeout, ncalls: 1) }
                }
            }
        } else {
            base.ioReady(fd: fd, what: events & EV.io)
        }
        base.notifyIfNeeded()
    }
}

@_cdecl("event_base_active_by_signal")
public func event_base_active_by_signal(_ p: OpaquePointer?, _ sig: Int32) {
    guard let base = baseOf(p) else { return }
    base.locked {
        base.signalActive(sig, count: 1)
        base.notifyIfNeeded()
    }
}

public typealias ForeachCallback = @convention(c) (OpaquePointer?, EventPtr?, UnsafeMutableRawPointer?) -> Int32

@_cdecl("event_base_foreach_event")
public func event_base_foreach_event(_ p: OpaquePointer?, _ fn: ForeachCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let base = baseOf(p), let fn else { return -1 }
    return base.locked { base.forEachEvent { fn(p, $0, arg) } }
}

@_cdecl("event_base_get_running_event")
public func event_base_get_running_event(_ p: OpaquePointer?) -> EventPtr? {
    guard let base = baseOf(p) else { return nil }
    return base.locked {
        guard let cb = base.currentEvent, cb.isEvent else { return nil }
        return cb.asEvent
    }
}

@_cdecl("event_base_gettimeofday_cached")
public func event_base_gettimeofday_cached(_ p: OpaquePointer?, _ tv: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let tv else { return -1 }
    guard let base = baseOf(p ?? Globals.currentBase) else { return gettimeofday(tv, nil) }
    let cached: timeval? = base.locked {
        base.timeCache.tv_sec != 0 ? tvAdd(base.timeCache, base.clockDiff) : nil
    }
    guard let cached else { return gettimeofday(tv, nil) }
    tv.pointee = cached
    return 0
}

@_cdecl("event_base_update_cache_time")
public func event_base_update_cache_time(_ p: OpaquePointer?) -> Int32 {
    guard let base = baseOf(p ?? Globals.currentBase) else { return -1 }
    base.locked { if base.running { base.updateTimeCache() } }
    return 0
}

@_cdecl("event_base_set")
public func event_base_set(_ p: OpaquePointer?, _ ev: EventPtr?) -> Int32 {
    guard let ev, let base = baseOf(p) else { return -1 }
    if ev.flags != EVList.initialized { return -1 }
    if Debug.on { Debug.assertSetUp(ev) }
    ev.pointee.ev_base = p
    ev.priority = base.priorityCount / 2
    return 0
}

@_cdecl("event_base_once")
public func event_base_once(_ p: OpaquePointer?, _ fd: Int32, _ events: Int16, _ cb: EventCallback?,
                            _ arg: UnsafeMutableRawPointer?, _ tv: UnsafePointer<timeval>?) -> Int32 {
    guard let base = baseOf(p) else { return -1 }
    return base.locked { base.once(fd: fd, events: events, callback: cb, arg: arg, timeout: tv?.pointee) }
}

// MARK: events

/// A unique address: event_assign's "pass the event itself as the argument".
@_cdecl("event_self_cbarg")
public func event_self_cbarg() -> UnsafeMutableRawPointer? { cev_self_cbarg_marker() }

@_cdecl("event_assign")
public func event_assign(_ ev: EventPtr?, _ p: OpaquePointer?, _ fd: Int32, _ events: Int16,
                         _ cb: EventCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let ev else { return -1 }
    let bp = p ?? Globals.currentBase
    var arg = arg
    if arg == event_self_cbarg() { arg = UnsafeMutableRawPointer(ev) }
    guard let bp else {
        return EventBase.assign(ev, base: nil, fd: fd, events: events, callback: cb, arg: arg)
    }
    return Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(bp))._withUnsafeGuaranteedRef {
        EventBase.assign(ev, base: $0, fd: fd, events: events, callback: cb, arg: arg)
    }
}

@_cdecl("event_new")
public func event_new(_ p: OpaquePointer?, _ fd: Int32, _ events: Int16,
                      _ cb: EventCallback?, _ arg: UnsafeMutableRawPointer?) -> EventPtr? {
    guard let raw = Memory.malloc(MemoryLayout<event>.size) else { return nil }
    let ev = raw.bindMemory(to: event.self, capacity: 1)
    if event_assign(ev, p, fd, events, cb, arg) < 0 {
        Memory.free(raw)
        return nil
    }
    return ev
}

@_cdecl("event_free")
public func event_free(_ ev: EventPtr?) {
    guard let ev else { return }
    if Debug.on { Debug.assertSetUp(ev) }
    _ = event_del(ev)
    // A callback that was running when event_del waited may have added its
    // event again: it is about to be freed, so take it off for good.
    if let b = ev.pointee.ev_base {
        EventBase.with(b) { base in
            if base.lock == nil { return }
            base.locked {
                if ev.flags & (EVList.inserted | EVList.timeout | EVList.active | EVList.activeLater) != 0 {
                    _ = base.del(ev, mode: .noBlock)
                }
            }
        }
    }
    Debug.noteTeardown(ev)
    Memory.free(UnsafeMutableRawPointer(ev))
}

@_cdecl("event_debug_unassign")
public func event_debug_unassign(_ ev: EventPtr?) {
    guard let ev else { return }
    Debug.unassign(ev)
}

private func finalize(_ flags: UInt32, _ ev: EventPtr?, _ cb: EventFinalizer?, free: Bool) -> Int32 {
    guard let ev else { return -1 }
    return withEventBase(ev, "event_finalize_impl_", -1) { base in
        base.locked {
            _ = base.del(ev, mode: .noBlock)
            ev.closure = free ? Closure.eventFinalizeFree : Closure.eventFinalize
            ev.pointee.ev_evcallback.evcb_cb_union.evcb_evfinalize = cb
            base.activate(ev, res: EV.finalize, ncalls: 1)
            ev.flags |= EVList.finalizing
            base.notifyIfNeeded()
        }
        return 0
    }
}

@_cdecl("event_finalize")
public func event_finalize(_ flags: UInt32, _ ev: EventPtr?, _ cb: EventFinalizer?) -> Int32 {
    return finalize(flags, ev, cb, free: false)
}

@_cdecl("event_free_finalize")
public func event_free_finalize(_ flags: UInt32, _ ev: EventPtr?, _ cb: EventFinalizer?) -> Int32 {
    return finalize(flags, ev, cb, free: true)
}

@_cdecl("event_add")
public func event_add(_ ev: EventPtr?, _ tv: UnsafePointer<timeval>?) -> Int32 {
    guard let ev else { return -1 }
    guard let base = eventBaseRef(ev, "event_add") else { return -1 }
    if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return addLocked(base, ev, tv) }
    return base._withUnsafeGuaranteedRef {
        let r = $0.add(ev, timeout: tv?.pointee)
        $0.notifyIfNeeded()
        return r
    }
}

/// The threaded paths of the hot exports are out of line, so programs
/// without lock callbacks run the code they ran before locking existed.
@inline(never)
private func addLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr, _ tv: UnsafePointer<timeval>?) -> Int32 {
    base._withUnsafeGuaranteedRef { base in
        base.lockBase()
        let r = base.add(ev, timeout: tv?.pointee)
        if r == 0 { base.notifyIfNeeded() }
        base.unlockBase()
        return r
    }
}

@_cdecl("event_remove_timer")
public func event_remove_timer(_ ev: EventPtr?) -> Int32 {
    guard let ev else { return -1 }
    return withEventBase(ev, "event_remove_timer", -1) { base in
        if Debug.on { Debug.assertSetUp(ev) }
        base.locked {
            if ev.flags & EVList.timeout != 0 {
                base.removeTimeout(ev)
                ev.persistTimeout = timeval()
            }
            ev.pointee.ev_timeout = timeval()
        }
        return 0
    }
}

private func del(_ ev: EventPtr?, _ mode: EventBase.DelMode) -> Int32 {
    guard let ev else { return -1 }
    guard let base = eventBaseRef(ev, "event_del_") else { return -1 }
    if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return delLocked(base, ev, mode) }
    return base._withUnsafeGuaranteedRef { $0.del(ev, mode: mode) }
}

@inline(never)
private func delLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr, _ mode: EventBase.DelMode) -> Int32 {
    base._withUnsafeGuaranteedRef { base in
        base.lockBase()
        let wasPending = ev.flags & (EVList.inserted | EVList.timeout) != 0
        let r = base.del(ev, mode: mode)
        if r == 0 && wasPending { base.notifyIfNeeded() }
        base.unlockBase()
        return r
    }
}

@_cdecl("event_del")
public func event_del(_ ev: EventPtr?) -> Int32 { del(ev, .autoBlock) }

@_cdecl("event_del_noblock")
public func event_del_noblock(_ ev: EventPtr?) -> Int32 { del(ev, .noBlock) }

@_cdecl("event_del_block")
public func event_del_block(_ ev: EventPtr?) -> Int32 { del(ev, .block) }

@_cdecl("event_active")
public func event_active(_ ev: EventPtr?, _ res: Int32, _ ncalls: Int16) {
    guard let ev else { return }
    withEventBase(ev, "event_active", ()) { base in
        if Debug.on { Debug.assertSetUp(ev) }
        if base.lock != nil { return activateLocked(base, ev, res, ncalls) }
        base.activate(ev, res: Int16(truncatingIfNeeded: res), ncalls: ncalls)
        base.notifyIfNeeded()
    }
}

@inline(never)
private func activateLocked(_ base: EventBase, _ ev: EventPtr, _ res: Int32, _ ncalls: Int16) {
    base.lockBase()
    base.activate(ev, res: Int16(truncatingIfNeeded: res), ncalls: ncalls)
    base.notifyIfNeeded()
    base.unlockBase()
}

@_cdecl("event_pending")
public func event_pending(_ ev: EventPtr?, _ what: Int16, _ tv: UnsafeMutablePointer<timeval>?) -> Int32 {
    guard let ev else { return 0 }
    return withEventBase(ev, "event_pending", 0) { base in base.locked { base.pending(ev, what: what, tvOut: tv) } }
}

@_cdecl("event_initialized")
public func event_initialized(_ ev: EventPtr?) -> Int32 {
    guard let ev else { return 0 }
    return ev.flags & EVList.initialized != 0 ? 1 : 0
}

@_cdecl("event_priority_set")
public func event_priority_set(_ ev: EventPtr?, _ pri: Int32) -> Int32 {
    guard let ev else { return -1 }
    if Debug.on { Debug.assertSetUp(ev) }
    guard let b = ev.pointee.ev_base else { return -1 }
    return EventBase.with(b) { base in
        base.locked {
            if ev.flags & EVList.active != 0 { return -1 }
            if pri < 0 || Int(pri) >= base.priorityCount { return -1 }
            ev.priority = Int(pri)
            return 0
        }
    }
}

/// The accessors refuse (in debug mode) events nobody assigned, like libevent's.
@inline(__always)
private func checked(_ ev: EventPtr?) -> EventPtr? {
    guard let ev else { return nil }
    if Debug.on { Debug.assertSetUp(ev) }
    return ev
}

@_cdecl("event_get_fd")
public func event_get_fd(_ ev: EventPtr?) -> Int32 { checked(ev)?.fd ?? -1 }

@_cdecl("event_get_base")
public func event_get_base(_ ev: EventPtr?) -> OpaquePointer? { checked(ev)?.pointee.ev_base }

@_cdecl("event_get_events")
public func event_get_events(_ ev: EventPtr?) -> Int16 { checked(ev)?.events ?? 0 }

@_cdecl("event_get_callback")
public func event_get_callback(_ ev: EventPtr?) -> EventCallback? {
    checked(ev)?.pointee.ev_evcallback.evcb_cb_union.evcb_callback
}

@_cdecl("event_get_callback_arg")
public func event_get_callback_arg(_ ev: EventPtr?) -> UnsafeMutableRawPointer? {
    checked(ev)?.pointee.ev_evcallback.evcb_arg
}

@_cdecl("event_get_priority")
public func event_get_priority(_ ev: EventPtr?) -> Int32 {
    guard let ev = checked(ev) else { return -1 }
    return Int32(ev.priority)
}

@_cdecl("event_get_assignment")
public func event_get_assignment(_ ev: EventPtr?, _ baseOut: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ fdOut: UnsafeMutablePointer<Int32>?, _ eventsOut: UnsafeMutablePointer<Int16>?,
                                 _ cbOut: UnsafeMutablePointer<EventCallback?>?,
                                 _ argOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
    guard let ev else { return }
    if Debug.on { Debug.assertSetUp(ev) }
    baseOut?.pointee = ev.pointee.ev_base
    fdOut?.pointee = ev.fd
    eventsOut?.pointee = ev.events
    cbOut?.pointee = ev.pointee.ev_evcallback.evcb_cb_union.evcb_callback
    argOut?.pointee = ev.pointee.ev_evcallback.evcb_arg
}

@_cdecl("event_get_struct_event_size")
public func event_get_struct_event_size() -> Int { MemoryLayout<event>.size }

// Not in the public headers, but exported by libevent and used by its own
// bufferevent code and by some programs: events that keep the loop alive
// without being registered anywhere.
@_cdecl("event_base_add_virtual_")
public func event_base_add_virtual_(_ p: OpaquePointer?) {
    guard let base = baseOf(p) else { return }
    base.locked {
        base.virtualCount += 1
        if base.virtualCount > base.virtualCountMax { base.virtualCountMax = base.virtualCount }
    }
}

@_cdecl("event_base_del_virtual_")
public func event_base_del_virtual_(_ p: OpaquePointer?) {
    guard let base = baseOf(p) else { return }
    base.locked {
        if base.virtualCount > 0 { base.virtualCount -= 1 }
        // The loop may be sleeping only because of this virtual event.
        if base.virtualCount == 0 { base.notifyIfNeeded() }
    }
}
