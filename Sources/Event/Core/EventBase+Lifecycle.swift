import CEventSys

/// Freeing a base, re-initialising it after fork, and walking its events.
extension EventBase {
    /// event_base_free: delete every event still pending (the caller owns
    /// their memory), run or drop queued callbacks, release the backend.
    func destroy(runFinalizers: Bool) {
        closeNotify()
        // I/O and signal events.
        for fd in 0..<io.count {
            while let ev = io.slots![fd].events.first { _ = del(ev, mode: .evenIfFinalizing) }
        }
        for sig in 0..<SignalMap.nsig {
            while let ev = signals.slots[sig].first { _ = del(ev, mode: .evenIfFinalizing) }
        }
        while let top = timers.top { _ = del(top.event, mode: .evenIfFinalizing) }
        for ct in common {
            _ = del(CommonTimeout.timer(ct), mode: .evenIfFinalizing)
            var e = ct.pointee.queue.first
            while let ev = e {
                e = TimeoutQueue.next(ev)
                if ev.flags & EVList.internal == 0 { _ = del(ev, mode: .evenIfFinalizing) }
            }
            Memory.free(UnsafeMutableRawPointer(ct))
        }
        common = []
        while drainQueues(runFinalizers: runFinalizers) > 0 {}
        while let rec = onceRecords {
            unlinkOnce(rec)
            Memory.free(UnsafeMutableRawPointer(rec))
        }
        if backend != nil {
            closeSignals()
            backend.close()
            backend = nil
        } else {
            if signalState.readFd >= 0 { Sys.close(signalState.readFd) }
            if signalState.writeFd >= 0 { Sys.close(signalState.writeFd) }
        }
        timers.release()
        io.release()
        signals.release()
        if Globals.currentBase == cPointer { Globals.currentBase = nil }
        releaseLock()
    }

    /// Empty the active queues once; finalizers run when asked. Returns how
    /// many user callbacks were removed.
    private func drainQueues(runFinalizers: Bool) -> Int {
        var n = 0
        func drain(_ cb: CallbackPtr) {
            let c = cb.pointee.evcb_closure
            if runFinalizers && cb.flags & EVList.finalizing != 0 &&
                (c == Closure.eventFinalize || c == Closure.eventFinalizeFree || c == Closure.callbackFinalize) {
                removeActive(cb)
                if c == Closure.callbackFinalize {
                    cb.pointee.evcb_cb_union.evcb_cbfinalize?(cb, cb.pointee.evcb_arg)
                } else {
                    let ev = cb.asEvent
                    Debug.noteTeardown(ev)
                    ev.pointee.ev_evcallback.evcb_cb_union.evcb_evfinalize?(ev, cb.pointee.evcb_arg)
                    if c == Closure.eventFinalizeFree { Memory.free(UnsafeMutableRawPointer(ev)) }
                }
            } else {
                cancelCallback(cb, evenIfFinalizing: true)
            }
        }
        for pri in 0..<priorityCount {
            var cb = activeQueues[pri].first
            while let c = cb {
                cb = CallbackQueue.next(c)
                if c.flags & EVList.internal == 0 { drain(c); n += 1 }
            }
        }
        var cb = activeLater.first
        while let c = cb {
            cb = CallbackQueue.next(c)
            if c.flags & EVList.internal == 0 { drain(c); n += 1 }
        }
        return n
    }

    /// event_reinit: after fork, rebuild the kernel state (epoll fd, signal
    /// pipe) and register every inserted event again.
    func reinit() -> Int32 {
        let hadSignals = signalState.handlerInstalled
        let hadNotify = notifyFd >= 0
        let rebuild = backend.needsReinit
        // The epoll instance is shared with the parent: close our handle
        // first, so the deletions below cannot touch the parent's interest
        // set (they fail harmlessly on the closed fd).
        let kind = backend.kind
        if rebuild { backend.close() }
        // The wake-up eventfd and the signal pipe are shared too: replace
        // them. Descriptors are released and taken in libevent's order, so
        // the child sees the same fd numbers it would on libevent.
        if hadNotify { closeNotify() }
        if let ev = signalState.pipeEvent, hadSignals { _ = del(ev, mode: .autoBlock) }
        signalState.handlerInstalled = false
        Sys.close(signalState.readFd)
        Sys.close(signalState.writeFd)
        signalState.readFd = -1
        signalState.writeFd = -1
        if rebuild {
            guard let b = kind.make(base: self) else {
                Log.warnx("event_reinit: could not reinitialize event mechanism")
                return -1
            }
            backend = b
        }
        if !signalState.open() { return -1 }
        if let ev = signalState.pipeEvent {
            ev.pointee.ev_fd = signalState.readFd
        }
        Signals.withGlobals {
            if Signals.owner == Unmanaged.passUnretained(self).toOpaque() { Signals.writeFd = signalState.writeFd }
        }
        var result: Int32 = 0
        // Only a rebuilt backend starts empty (libevent's evmap_reinit_). poll
        // and select keep their sets: adding every fd again would leave
        // duplicate pollfds behind.
        for fd in 0..<io.count where rebuild {
            let slot = io.slots! + fd
            slot.pointee.backendIndex = -1
            let m = slot.pointee.mask
            if m == 0 { continue }
            var et: Int16 = 0
            var e = slot.pointee.events.first
            while let ev = e { et |= ev.events & EV.et; e = EventChain.next(ev) }
            if backend.add(fd: Int32(fd), old: 0, change: m | et, slot: slot) == -1 { result = -1 }
        }
        if hadSignals, let ev = signalState.pipeEvent {
            if add(ev, timeout: nil) == -1 { result = -1 }
            signalState.handlerInstalled = true
        }
        if hadNotify && makeNotifiable() != 0 { result = -1 }
        return result
    }

    /// event_base_foreach_event's order: mapped events, then heap timers,
    /// common timeouts, and active-only events. Stops at a non-zero return.
    func forEachEvent(_ body: (EventPtr) -> Int32) -> Int32 {
        for fd in 0..<io.count {
            var e = io.slots![fd].events.first
            while let ev = e {
                e = EventChain.next(ev)
                let r = body(ev); if r != 0 { return r }
            }
        }
        for sig in 0..<SignalMap.nsig {
            var e = signals.slots[sig].first
            while let ev = e {
                e = EventChain.next(ev)
                let r = body(ev); if r != 0 { return r }
            }
        }
        for i in 0..<timers.count {
            let ev = timers[i].event
            if ev.flags & EVList.inserted != 0 { continue }
            let r = body(ev); if r != 0 { return r }
        }
        for ct in common {
            var e = ct.pointee.queue.first
            while let ev = e {
                e = TimeoutQueue.next(ev)
                if ev.flags & EVList.inserted != 0 { continue }
                let r = body(ev); if r != 0 { return r }
            }
        }
        for pri in 0..<priorityCount {
            var cb = activeQueues[pri].first
            while let c = cb {
                cb = CallbackQueue.next(c)
                if c.flags & (EVList.initialized | EVList.inserted | EVList.timeout) != EVList.initialized { continue }
                let r = body(c.asEvent); if r != 0 { return r }
            }
        }
        return 0
    }

    /// event_base_dump_events' text.
    func dump(_ out: UnsafeMutablePointer<FILE>) {
        var t = TextBuffer()
        func head(_ e: EventPtr) {
            t.append("  0x")
            t.appendDigits(UInt64(UInt(bitPattern: e)), radix: 16, minWidth: 1)
            t.append(e.events & EV.signal != 0 ? " [sig " : " [fd  ")
            t.append(Int64(e.fd))
        }
        func flag(_ on: Bool, _ s: StaticString) { if on { t.append(s) } }
        t.append("Inserted events:\n")
        _ = forEachEvent { e in
            if e.flags & (EVList.inserted | EVList.timeout) == 0 { return 0 }
            let ev = e.events
            head(e)
            t.append("]")
            flag(ev & EV.read != 0, " Read")
            flag(ev & EV.write != 0, " Write")
            flag(ev & EV.closed != 0, " EOF")
            flag(ev & EV.signal != 0, " Signal")
            flag(ev & EV.persist != 0, " Persist")
            flag(ev & EV.et != 0, " ET")
            flag(e.flags & EVList.internal != 0, " Internal")
            if e.flags & EVList.timeout != 0 {
                var tv = e.pointee.ev_timeout
                tv.tv_usec &= CommonTimeout.microsMask
                tv = tvAdd(tv, clockDiff)
                t.append(" Timeout=")
                t.append(Int64(tv.tv_sec))
                t.append(".")
                t.appendDigits(UInt64(tv.tv_usec & CommonTimeout.microsMask), radix: 10, minWidth: 6)
            }
            t.append("\n")
            return 0
        }
        t.append("Active events:\n")
        _ = forEachEvent { e in
            if e.flags & (EVList.active | EVList.activeLater) == 0 { return 0 }
            let r = e.res
            head(e)
            t.append(", priority=")
            t.append(Int64(e.priority))
            t.append("]")
            flag(r & EV.read != 0, " Read")
            flag(r & EV.write != 0, " Write")
            flag(r & EV.closed != 0, " EOF")
            flag(r & EV.signal != 0, " Signal")
            flag(r & EV.timeout != 0, " Timeout")
            t.append(" active")
            flag(e.flags & EVList.internal != 0, " [Internal]")
            flag(e.flags & EVList.activeLater != 0, " [NextTime]")
            t.append("\n")
            return 0
        }
        t.write(to: out)
    }
}

/// Process-wide state of the old API.
enum Globals {
    /// The base event_init created: what event_set, event_dispatch... use.
    /// It lives in libevent's exported event_global_current_base_ (C), which
    /// a program may read or even set.
    static var currentBase: OpaquePointer? {
        get { cev_global_current_base() }
        set { cev_set_global_current_base(newValue) }
    }
}
