import CEventSys

// libevent-internal event-loop functions (event-internal.h, defer-internal.h)
// that libevent_core exports and that libevent_extra or programs built
// against libevent call (issue 15). The *_nolock_ forms expect the caller
// to hold the base lock; ours is recursive, so they simply take it.
// A struct event_callback handed in must carry a priority the base has: a
// wrong one (libevent indexes past its queues) is logged and clamped.

public typealias CallbackFn = @convention(c) (CallbackPtr?, UnsafeMutableRawPointer?) -> Void

/// The callback's base, or event_init's when nil; nil (logged) when neither.
private func baseOrCurrent(_ p: OpaquePointer?, _ fn: StaticString) -> EventBase? {
    if let b = baseOf(p ?? Globals.currentBase) { return b }
    Log.warnx("\(fn): no event base")
    return nil
}

/// A priority the base has queues for.
private func checkedPriority(_ base: EventBase, _ cb: CallbackPtr, _ fn: StaticString) {
    if cb.priority < base.priorityCount { return }
    Log.warnx("\(fn): callback priority \(cb.priority) is beyond the base's \(base.priorityCount) priorities")
    cb.pointee.evcb_pri = UInt8(truncatingIfNeeded: base.priorityCount &- 1)
}

// MARK: events

/// Run `ev` with `res` in the loop's next iteration, not this one
/// (flags are OR-ed in if it is already waiting to run).
@_cdecl("event_active_later_")
public func event_active_later_(_ ev: EventPtr?, _ res: Int32) {
    guard let ev else { return }
    withEventBase(ev, "event_active_later_", ()) { base in
        base.locked {
            if ev.flags & (EVList.active | EVList.activeLater) != 0 {
                ev.res |= Int16(truncatingIfNeeded: res)
                return
            }
            ev.res = Int16(truncatingIfNeeded: res)
            checkedPriority(base, ev.callback, "event_active_later_")
            base.insertActiveLater(ev.callback)
            base.notifyIfNeeded()
        }
    }
}

@_cdecl("event_active_later_nolock_")
public func event_active_later_nolock_(_ ev: EventPtr?, _ res: Int32) { event_active_later_(ev, res) }

@_cdecl("event_active_nolock_")
public func event_active_nolock_(_ ev: EventPtr?, _ res: Int32, _ ncalls: Int16) { event_active(ev, res, ncalls) }

/// tv_is_absolute: the deadline is in the base's monotonic time.
@_cdecl("event_add_nolock_")
public func event_add_nolock_(_ ev: EventPtr?, _ tv: UnsafePointer<timeval>?, _ absolute: Int32) -> Int32 {
    guard let ev else { return -1 }
    if absolute == 0 { return event_add(ev, tv) }
    return withEventBase(ev, "event_add_nolock_", -1) { base in
        base.locked {
            let r = base.add(ev, timeout: tv?.pointee, absolute: true)
            if r == 0 { base.notifyIfNeeded() }
            return r
        }
    }
}

/// blocking: EVENT_DEL_NOBLOCK 0, _BLOCK 1, _AUTOBLOCK 2, _EVEN_IF_FINALIZING 3.
@_cdecl("event_del_nolock_")
public func event_del_nolock_(_ ev: EventPtr?, _ blocking: Int32) -> Int32 {
    guard let ev else { return -1 }
    let mode: EventBase.DelMode
    switch blocking {
    case 0: mode = .noBlock
    case 1: mode = .block
    case 3: mode = .evenIfFinalizing
    default: mode = .autoBlock
    }
    return withEventBase(ev, "event_del_nolock_", -1) { base in base.locked { base.del(ev, mode: mode) } }
}

@_cdecl("event_remove_timer_nolock_")
public func event_remove_timer_nolock_(_ ev: EventPtr?) -> Int32 { event_remove_timer(ev) }

// MARK: bare callbacks (struct event_callback)

/// Queue a callback now: 1 when newly queued (or moved up from "later"), 0
/// when already queued or finalizing.
@_cdecl("event_callback_activate_")
public func event_callback_activate_(_ p: OpaquePointer?, _ cb: CallbackPtr?) -> Int32 {
    guard let cb, let base = baseOf(p) else { return 0 }
    return base.locked {
        if cb.flags & EVList.finalizing != 0 { return 0 }
        checkedPriority(base, cb, "event_callback_activate_")
        let r = base.activateCallback(cb)
        base.notifyIfNeeded()
        return r
    }
}

@_cdecl("event_callback_activate_nolock_")
public func event_callback_activate_nolock_(_ p: OpaquePointer?, _ cb: CallbackPtr?) -> Int32 {
    event_callback_activate_(p, cb)
}

/// Queue for the next iteration: 1 when newly queued, 0 when already queued.
@_cdecl("event_callback_activate_later_nolock_")
public func event_callback_activate_later_nolock_(_ p: OpaquePointer?, _ cb: CallbackPtr?) -> Int32 {
    guard let cb, let base = baseOf(p) else { return 0 }
    return base.locked {
        if cb.flags & (EVList.active | EVList.activeLater) != 0 { return 0 }
        checkedPriority(base, cb, "event_callback_activate_later_nolock_")
        base.insertActiveLater(cb)
        base.notifyIfNeeded()
        return 1
    }
}

/// Take a callback off its queue (an event's: event_del); always 0.
@_cdecl("event_callback_cancel_")
public func event_callback_cancel_(_ p: OpaquePointer?, _ cb: CallbackPtr?) -> Int32 {
    guard let cb, let base = baseOf(p) else { return 0 }
    return base.locked { base.cancelCallback(cb, evenIfFinalizing: false) }
}

@_cdecl("event_callback_cancel_nolock_")
public func event_callback_cancel_nolock_(_ p: OpaquePointer?, _ cb: CallbackPtr?, _ evenIfFinalizing: Int32) -> Int32 {
    guard let cb, let base = baseOf(p) else { return 0 }
    return base.locked { base.cancelCallback(cb, evenIfFinalizing: evenIfFinalizing != 0) }
}

/// Zeroed, with the base's lowest priority.
@_cdecl("event_callback_init_")
public func event_callback_init_(_ p: OpaquePointer?, _ cb: CallbackPtr?) {
    guard let cb else { return }
    memset(cb, 0, MemoryLayout<event_callback>.size)
    if let base = baseOf(p) { cb.pointee.evcb_pri = UInt8(truncatingIfNeeded: base.priorityCount &- 1) }
}

/// Take the callback (or event) off the base and run `fn` once from the
/// loop when it cannot run any more; `flags` is unused, as in libevent.
@_cdecl("event_callback_finalize_")
public func event_callback_finalize_(_ p: OpaquePointer?, _ flags: UInt32, _ cb: CallbackPtr?, _ fn: CallbackFn?) {
    guard let cb, let base = baseOf(p) else { return }
    base.locked {
        checkedPriority(base, cb, "event_callback_finalize_")
        base.finalizeCallback(cb, fn ?? noFinalizer)
    }
}

@_cdecl("event_callback_finalize_nolock_")
public func event_callback_finalize_nolock_(_ p: OpaquePointer?, _ flags: UInt32, _ cb: CallbackPtr?, _ fn: CallbackFn?) {
    event_callback_finalize_(p, flags, cb, fn)
}

/// Several callbacks, one finalizer: the one running now (if any) finalizes,
/// else the first; the others are cancelled. Always 0.
@_cdecl("event_callback_finalize_many_")
public func event_callback_finalize_many_(_ p: OpaquePointer?, _ n: Int32, _ cbs: UnsafeMutablePointer<CallbackPtr?>?,
                                          _ fn: CallbackFn?) -> Int32 {
    guard let base = baseOrCurrent(p, "event_callback_finalize_many_"), let cbs, n > 0 else { return 0 }
    var list: [CallbackPtr] = []
    for i in 0..<Int(n) {
        guard let cb = cbs[i] else { continue }
        checkedPriority(base, cb, "event_callback_finalize_many_")
        list.append(cb)
    }
    base.locked { base.finalizeMany(list, fn ?? noFinalizer) }
    return 0
}

private let noFinalizer: CallbackFn = { _, _ in }

// MARK: deferred callbacks (defer-internal.h)

/// A zeroed callback that runs fn(cb, arg) from the loop at `priority`.
@_cdecl("event_deferred_cb_init_")
public func event_deferred_cb_init_(_ cb: CallbackPtr?, _ priority: UInt8, _ fn: CallbackFn?, _ arg: UnsafeMutableRawPointer?) {
    guard let cb else { return }
    memset(cb, 0, MemoryLayout<event_callback>.size)
    cb.pointee.evcb_cb_union.evcb_selfcb = fn
    cb.pointee.evcb_arg = arg
    cb.pointee.evcb_pri = priority
    cb.pointee.evcb_closure = Closure.selfCallback
}

@_cdecl("event_deferred_cb_set_priority_")
public func event_deferred_cb_set_priority_(_ cb: CallbackPtr?, _ priority: UInt8) {
    cb?.pointee.evcb_pri = priority
}

/// Queue it (for the next iteration once this one has run libevent's
/// quota of deferred callbacks): 1 when queued, 0 when it already was.
@_cdecl("event_deferred_cb_schedule_")
public func event_deferred_cb_schedule_(_ p: OpaquePointer?, _ cb: CallbackPtr?) -> Int32 {
    guard let cb, let base = baseOrCurrent(p, "event_deferred_cb_schedule_") else { return 0 }
    return base.locked {
        if cb.flags & EVList.finalizing != 0 { return 0 }
        checkedPriority(base, cb, "event_deferred_cb_schedule_")
        let r = base.scheduleDeferred(cb)
        if r { base.notifyIfNeeded() }
        return r ? 1 : 0
    }
}

@_cdecl("event_deferred_cb_cancel_")
public func event_deferred_cb_cancel_(_ p: OpaquePointer?, _ cb: CallbackPtr?) {
    guard let cb, let base = baseOrCurrent(p, "event_deferred_cb_cancel_") else { return }
    base.locked { _ = base.cancelCallback(cb, evenIfFinalizing: false) }
}

// MARK: the base

@_cdecl("event_base_foreach_event_nolock_")
public func event_base_foreach_event_nolock_(_ p: OpaquePointer?, _ fn: ForeachCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    event_base_foreach_event(p, fn, arg)
}

/// IOCP exists on Windows only.
@_cdecl("event_base_start_iocp_")
public func event_base_start_iocp_(_ p: OpaquePointer?, _ nCPUs: Int32) -> Int32 { -1 }

@_cdecl("event_base_stop_iocp_")
public func event_base_stop_iocp_(_ p: OpaquePointer?) {}

/// The base's own consistency check: fatal (libevent's bug code) when its
/// timer heap or queues are not what they must be.
@_cdecl("event_base_assert_ok_")
public func event_base_assert_ok_(_ p: OpaquePointer?) {
    guard let base = baseOf(p) else { return }
    base.locked { base.assertConsistent() }
}

@_cdecl("event_base_assert_ok_nolock_")
public func event_base_assert_ok_nolock_(_ p: OpaquePointer?) { event_base_assert_ok_(p) }

extension EventBase {
    func assertConsistent() {
        let heap = timers
        for i in 0..<heap.count {
            let ev = heap[i].event
            if Int(ev.heapIndex) != i { Log.bug("event_base_assert_ok_: timer \(i) records heap index \(ev.heapIndex)") }
            if ev.flags & EVList.timeout == 0 { Log.bug("event_base_assert_ok_: timer \(i) is not marked as having a timeout") }
            if i > 0 && heap[(i - 1) / 2].deadline > heap[i].deadline {
                Log.bug("event_base_assert_ok_: timer heap out of order at \(i)")
            }
        }
        for pri in 0..<priorityCount {
            var prev: CallbackPtr? = nil
            var cur = activeQueues[pri].first
            while let cb = cur {
                if cb.flags & (EVList.active | EVList.activeLater) != EVList.active {
                    Log.bug("event_base_assert_ok_: a callback in active queue \(pri) is not marked active")
                }
                if cb.priority != pri { Log.bug("event_base_assert_ok_: a callback of priority \(cb.priority) in queue \(pri)") }
                prev = cb
                cur = cb.pointee.evcb_active_next.tqe_next
            }
            if prev != activeQueues[pri].last { Log.bug("event_base_assert_ok_: active queue \(pri) ends elsewhere") }
        }
        var cur = activeLater.first
        while let cb = cur {
            if cb.flags & (EVList.active | EVList.activeLater) != EVList.activeLater {
                Log.bug("event_base_assert_ok_: a callback queued for later is not marked so")
            }
            cur = cb.pointee.evcb_active_next.tqe_next
        }
    }
}

// MARK: debug mode

/// Not in event.h, but exported (libevent's tests use it): debug mode off,
/// its table of events forgotten.
@_cdecl("event_disable_debug_mode")
public func event_disable_debug_mode() { Debug.disable() }
