import CEventSys

/// event_base_loop: wait, expire timers, run active callbacks by priority.
extension EventBase {
    enum LoopFlag {
        static let once: Int32 = 0x01
        static let nonBlock: Int32 = 0x02
        static let noExitOnEmpty: Int32 = 0x04
    }

    @_optimize(speed)
    func loop(flags: Int32) -> Int32 {
        // Held throughout, except in the backend's wait and around callbacks.
        lockBase()
        if running {
            unlockBase()
            reentrantLoop()
            return -1
        }
        running = true
        clearTimeCache()
        if signalState.handlerInstalled && signalState.signalsAdded > 0 {
            Signals.claim(for: self)
        }
        gotTerm = false
        gotBreak = false
        if lock != nil || notifyFd >= 0 { ownerThread = Threads.currentId() }
        var result: Int32 = 0
        var done = false
        while !done {
            continueFlag = false
            deferredQueued = 0
            if gotTerm || gotBreak { break }
            var wait: Micros? = 0
            if activeCount == 0 && flags & LoopFlag.nonBlock == 0 {
                wait = nextTimeout()
            }
            if flags & LoopFlag.noExitOnEmpty == 0 && !hasEvents && activeCount == 0 {
                Log.debugx("event_base_loop: no events registered.")
                result = 1
                break
            }
            if activeLater.first != nil { promoteActiveLater() }
            clearTimeCache()
            if withOps({ $0.dispatch(timeout: wait) }) == -1 {
                Log.debugx("event_base_loop: dispatch returned unsuccessfully.")
                result = -1
                break
            }
            noteCountPeaks()
            updateTimeCache()
            if !timers.isEmpty { expireTimers() }
            if activeCount > 0 {
                let n = processActive()
                if flags & LoopFlag.once != 0 && activeCount == 0 && n != 0 { done = true }
            } else if flags & LoopFlag.nonBlock != 0 {
                done = true
            }
        }
        clearTimeCache()
        running = false
        unlockBase()
        return result
    }

    @inline(never)
    private func reentrantLoop() {
        Log.warnx("event_base_loop: reentrant invocation.  Only one event_base_loop can run on each event_base at once.")
    }

    /// How long the backend may sleep: until the earliest heap deadline.
    @inline(__always)
    func nextTimeout() -> Micros? {
        guard let top = timers.top else { return nil }
        let now = micros(self.now())
        return top.deadline <= now ? 0 : top.deadline - now
    }

    /// Activate every heap timer whose deadline has passed.
    @_optimize(speed)
    func expireTimers() {
        if timers.isEmpty { return }
        let now = micros(self.now())
        while let top = timers.top, top.deadline <= now {
            let ev = top.event
            _ = del(ev, mode: .noBlock)
            Log.debugx("timeout_process: event: \(hexPointer(ev)), call \(hexPointer(unsafeBitCast(ev.pointee.ev_evcallback.evcb_cb_union.evcb_callback, to: UnsafeRawPointer?.self)))")
            activate(ev, res: EV.timeout, ncalls: 1)
        }
    }

    /// Run the highest-priority non-empty queue (continuing past queues that
    /// held only internal callbacks). Returns how many user callbacks ran.
    @_optimize(speed)
    func processActive() -> Int {
        if lock != nil { return processActiveLocked() }
        return processActiveBody(locking: false)
    }

    /// The same with the base lock let go around each callback: a copy of
    /// its own, so single-threaded programs pay nothing for it.
    @_optimize(speed) @inline(never)
    private func processActiveLocked() -> Int { processActiveBody(locking: true) }

    @_optimize(speed) @inline(__always)
    private func processActiveBody(locking: Bool) -> Int {
        var count = 0
        var endTime = Micros.max
        if maxDispatchTime.tv_sec >= 0 { endTime = dispatchEnd() }
        var i = 0
        while i < priorityCount {
            if !activeQueues[i].isEmpty {
                runningPriority = i
                let c = i < limitCallbacksAfterPriority
                    ? runQueue(i, max: Int.max, endTime: Micros.max, locking: locking)
                    : runQueue(i, max: maxDispatchCallbacks, endTime: endTime, locking: locking)
                if c < 0 { break }
                count += c
                if c > 0 { break }
            }
            i += 1
        }
        runningPriority = -1
        return count
    }

    /// Run callbacks from one queue; -1 when loopbreak was requested.
    /// `endTime` Micros.max: no time limit.
    @_optimize(speed) @inline(__always)
    private func runQueue(_ pri: Int, max: Int, endTime: Micros, locking: Bool) -> Int {
        var count = 0
        let limited = max != Int.max || endTime != Micros.max
        while let cb = activeQueues[pri].first {
            var ev: EventPtr? = nil
            let f = cb.flags
            if f & EVList.initialized != 0 && cb.asEvent.events & EV.persist == 0 && f & EVList.finalizing == 0 {
                ev = cb.asEvent
                _ = del(ev!, mode: .noBlock)
            } else {
                // Leaving the queue: the head, so no search.
                if f & EVList.initialized != 0 { ev = cb.asEvent }
                if f & EVList.internal == 0 { eventCount &-= 1 }
                cb.flags = f & ~EVList.active
                activeCount &-= 1
                activeQueues[pri].removeFirst(cb)
            }
            if f & EVList.internal == 0 { count &+= 1 }
            currentEvent = cb
            let closure = cb.pointee.evcb_closure
            // What the callback needs is read before the lock is let go:
            // another thread may change the event once it is.
            switch closure {
            case Closure.signal:
                runSignalCallback(ev!)
            case Closure.persist:
                let e = ev!
                let period = e.persistTimeout
                if period.tv_sec != 0 || period.tv_usec != 0 { rearmPersistent(e) }
                let fn = e.pointee.ev_evcallback.evcb_cb_union.evcb_callback
                let fd = e.fd, res = e.res, arg = e.pointee.ev_evcallback.evcb_arg
                if locking { releaseForCallback() }
                fn?(fd, res, arg)
                if locking { reacquireAfterCallback() } else { currentEvent = nil }
            case Closure.event:
                let e = ev!
                let fn = e.pointee.ev_evcallback.evcb_cb_union.evcb_callback
                let fd = e.fd, res = e.res, arg = e.pointee.ev_evcallback.evcb_arg
                if locking { releaseForCallback() }
                fn?(fd, res, arg)
                if locking { reacquireAfterCallback() } else { currentEvent = nil }
            case Closure.selfCallback:
                let fn = cb.pointee.evcb_cb_union.evcb_selfcb
                let arg = cb.pointee.evcb_arg
                if locking { releaseForCallback() }
                fn?(cb, arg)
                if locking { reacquireAfterCallback() } else { currentEvent = nil }
            case Closure.eventFinalize, Closure.eventFinalizeFree:
                // Nobody may wait on a finalizing event: it is no longer
                // current while its finalizer runs.
                let e = ev!
                let fn = e.pointee.ev_evcallback.evcb_cb_union.evcb_evfinalize
                currentEvent = nil
                if locking { releaseForCallback() }
                Debug.noteTeardown(e)
                fn?(e, e.pointee.ev_evcallback.evcb_arg)
                if closure == Closure.eventFinalizeFree { Memory.free(UnsafeMutableRawPointer(e)) }
                if locking { reacquireAfterCallback() } else { currentEvent = nil }
            case Closure.callbackFinalize:
                let fn = cb.pointee.evcb_cb_union.evcb_cbfinalize
                currentEvent = nil
                if locking { releaseForCallback() }
                fn?(cb, cb.pointee.evcb_arg)
                if locking { reacquireAfterCallback() } else { currentEvent = nil }
            default:
                currentEvent = nil
                unknownClosure(closure)
            }
            if gotBreak { return -1 }
            if limited {
                if count >= max { return count }
                if count > 0 && endTime != Micros.max && freshNow() >= endTime { return count }
            }
            if continueFlag { break }
        }
        return count
    }

    /// The clock, re-read, for event_config_set_max_dispatch_interval.
    /// Out of line: its clock read would give every run of the queues a
    /// stack-protector check.
    @inline(never)
    private func freshNow() -> Micros {
        updateTimeCache()
        return micros(now())
    }

    /// Where this round of callbacks must stop: the clock plus the interval,
    /// added as libevent adds them (a huge interval wraps to a deadline in
    /// the past, so the round stops after each callback).
    @inline(never)
    private func dispatchEnd() -> Micros {
        updateTimeCache()
        return micros(tvAdd(now(), maxDispatchTime))
    }

    @inline(never)
    private func unknownClosure(_ closure: UInt8) {
        Log.bug("event_process_active: unknown callback closure \(closure)")
    }

    /// A signal callback runs once per delivery; event_del stops the series.
    /// Out of line: its address-taken counter would give every run of the
    /// queue a stack-protector check.
    @inline(never)
    private func runSignalCallback(_ ev: EventPtr) {
        var ncalls = ev.ncalls
        withUnsafeMutablePointer(to: &ncalls) { counter in
            if counter.pointee != 0 { ev.pncalls = counter }
            // A negative count (event_active's short) counts down through
            // the wrap to zero, as libevent's does.
            while counter.pointee != 0 {
                counter.pointee &-= 1
                ev.ncalls = counter.pointee
                if counter.pointee == 0 { ev.pncalls = nil }
                let fn = ev.pointee.ev_evcallback.evcb_cb_union.evcb_callback
                let fd = ev.fd, res = ev.res, arg = ev.pointee.ev_evcallback.evcb_arg
                releaseForCallback()
                fn?(fd, res, arg)
                lockBase()
                if gotBreak {
                    if counter.pointee != 0 { ev.pncalls = nil }
                    break
                }
            }
        }
        callbackDone()
    }

    /// Schedule the next run of a persistent event with a timeout: one period
    /// after the deadline that fired, or after now if it fired for I/O.
    @inline(never)
    private func rearmPersistent(_ ev: EventPtr) {
        let period = ev.persistTimeout
        let now = self.now()
        var delay = period
        var mask: Int = 0
        var from: timeval
        if commonTimeout(for: ev.pointee.ev_timeout) != nil {
            mask = delay.tv_usec & ~CommonTimeout.microsMask
            delay.tv_usec &= CommonTimeout.microsMask
            if ev.res & EV.timeout != 0 {
                from = ev.pointee.ev_timeout
                from.tv_usec &= CommonTimeout.microsMask
            } else {
                from = now
            }
        } else {
            from = ev.res & EV.timeout != 0 ? ev.pointee.ev_timeout : now
        }
        var at = tvAdd(from, delay)
        if tvLess(at, now) { at = tvAdd(now, delay) }
        at.tv_usec |= mask
        _ = add(ev, timeout: at, absolute: true)
    }

    func loopExit(after tv: timeval?) -> Int32 {
        let cb: EventCallback = { _, _, arg in
            EventBase.with(OpaquePointer(arg!)) { b in b.locked { b.gotTerm = true } }
        }
        return once(fd: -1, events: EV.timeout, callback: cb, arg: UnsafeMutableRawPointer(cPointer), timeout: tv)
    }
}
