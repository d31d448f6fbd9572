import CEventSys

/// Adding, deleting and activating events: libevent's queue discipline.
/// An event is in at most these places at once: the fd/signal map
/// (EVLIST_INSERTED), the timer heap or a common-timeout queue
/// (EVLIST_TIMEOUT), and one active queue (EVLIST_ACTIVE / ACTIVE_LATER).
extension EventBase {
    enum DelMode { case block, noBlock, autoBlock, evenIfFinalizing }

    // MARK: the fd and signal maps

    /// Register `ev` with the map; 1 if the backend was told, 0 if not, -1 on failure.
    @_optimize(speed)
    func mapAdd(_ ev: EventPtr) -> Int32 {
        let fd = ev.fd
        if ev.events & EV.signal != 0 { return signalAdd(ev) }
        if fd < 0 { return 0 }
        guard let slot = io.slotCreating(fd) else { return -1 }
        let old = slot.pointee.mask
        var nread = Int(slot.pointee.nread), nwrite = Int(slot.pointee.nwrite), nclose = Int(slot.pointee.nclose)
        var change: Int16 = 0
        if ev.events & EV.read != 0 { nread += 1; if nread == 1 { change |= EV.read } }
        if ev.events & EV.write != 0 { nwrite += 1; if nwrite == 1 { change |= EV.write } }
        if ev.events & EV.closed != 0 { nclose += 1; if nclose == 1 { change |= EV.closed } }
        if nread > 0xffff || nwrite > 0xffff || nclose > 0xffff {
            Log.warnx("Too many events reading or writing on fd \(fd)")
            return -1
        }
        if Debug.on, let other = slot.pointee.events.first, other.events & EV.et != ev.events & EV.et {
            Log.warnx("Tried to mix edge-triggered and non-edge-triggered events on fd \(fd)")
            return -1
        }
        var r: Int32 = 0
        if change != 0 {
            let ch = (ev.events & EV.et) | change
            if withOps({ $0.add(fd: fd, old: old, change: ch, slot: slot) }) == -1 { return -1 }
            r = 1
        }
        slot.pointee.nread = UInt16(nread)
        slot.pointee.nwrite = UInt16(nwrite)
        slot.pointee.nclose = UInt16(nclose)
        slot.pointee.events.push(ev)
        return r
    }

    @_optimize(speed)
    func mapDel(_ ev: EventPtr) -> Int32 {
        let fd = ev.fd
        if ev.events & EV.signal != 0 { return signalDel(ev) }
        if fd < 0 { return 0 }
        guard let slot = io.slot(fd) else { return -1 }
        let old = slot.pointee.mask
        var change: Int16 = 0
        if ev.events & EV.read != 0 { slot.pointee.nread -= 1; if slot.pointee.nread == 0 { change |= EV.read } }
        if ev.events & EV.write != 0 { slot.pointee.nwrite -= 1; if slot.pointee.nwrite == 0 { change |= EV.write } }
        if ev.events & EV.closed != 0 { slot.pointee.nclose -= 1; if slot.pointee.nclose == 0 { change |= EV.closed } }
        var r: Int32 = 0
        if change != 0 {
            let ch = (ev.events & EV.et) | change
            r = withOps({ $0.del(fd: fd, old: old, change: ch, slot: slot) }) == -1 ? -1 : 1
        }
        slot.pointee.events.remove(ev)
        return r
    }

    /// `what` happened on `fd`: activate every event there that wants it.
    /// The backend calls this for each ready fd; the count maxima are then
    /// brought up to date once per batch (`noteCountPeaks`).
    @inline(__always)
    func activateReady(fd: Int32, what: Int16) {
        let i = Int(fd)
        guard i >= 0 && i < io.count else { return }
        var e = io.slots.unsafelyUnwrapped[i].events.first
        let match = what & ~EV.et
        while let ev = e {
            e = EventChain.next(ev)
            let evs = ev.pointee.ev_events
            if evs & match == 0 { continue }
            // Fast path: an idle user event while no callback runs (always
            // the case for the backend) goes straight onto its queue.
            let f = ev.flags
            if f & (EVList.active | EVList.activeLater | EVList.finalizing | EVList.internal) == 0 && runningPriority < 0 {
                ev.res = evs & what
                ev.flags = f | EVList.active
                eventCount &+= 1
                activeCount &+= 1
                activeQueues[ev.priority].append(ev.callback)
            } else {
                activate(ev, res: evs & what, ncalls: 1)
            }
        }
    }

    @inline(__always)
    func noteCountPeaks() {
        if eventCount > eventCountMax { eventCountMax = eventCount }
        if activeCount > activeCountMax { activeCountMax = activeCount }
    }

    /// event_base_active_by_fd's I/O part.
    func ioReady(fd: Int32, what: Int16) {
        activateReady(fd: fd, what: what)
        noteCountPeaks()
    }

    // MARK: queues

    @inline(__always)
    func insertActive(_ cb: CallbackPtr) {
        if cb.flags & EVList.active != 0 { return }
        countUp(cb.flags)
        cb.flags |= EVList.active
        activeCount += 1
        if activeCount > activeCountMax { activeCountMax = activeCount }
        activeQueues[cb.priority].append(cb)
    }

    @inline(__always)
    func removeActive(_ cb: CallbackPtr) {
        countDown(cb.flags)
        cb.flags &= ~EVList.active
        activeCount -= 1
        activeQueues[cb.priority].remove(cb)
    }

    func insertActiveLater(_ cb: CallbackPtr) {
        if cb.flags & (EVList.active | EVList.activeLater) != 0 { return }
        countUp(cb.flags)
        cb.flags |= EVList.activeLater
        activeCount += 1
        if activeCount > activeCountMax { activeCountMax = activeCount }
        activeLater.append(cb)
    }

    func removeActiveLater(_ cb: CallbackPtr) {
        countDown(cb.flags)
        cb.flags &= ~EVList.activeLater
        activeCount -= 1
        activeLater.remove(cb)
    }

    /// Move everything activated "for next time" into the real queues.
    func promoteActiveLater() {
        while let cb = activeLater.first {
            activeLater.remove(cb)
            cb.flags = (cb.flags & ~EVList.activeLater) | EVList.active
            activeQueues[cb.priority].append(cb)
        }
    }

    /// `common` is the queue ev_timeout names, if any (the caller knows).
    @inline(__always)
    func insertTimeout(_ ev: EventPtr, common: UnsafeMutablePointer<CommonTimeout>?) -> Bool {
        if let ct = common {
            ct.pointee.insertInOrder(ev)
        } else {
            let t = ev.pointee.ev_timeout
            // A crafted tv_usec can leave a queue's marker in a plain
            // deadline (it is then far above 999999, so this costs nothing
            // more than micros' own range check).
            if UInt64(bitPattern: Int64(t.tv_usec)) >= 1_000_000, let ct = commonTimeout(for: t) {
                insertMarked(ev, ct)
            } else if !timers.pushReserved(ev, deadline: micros(t)) {
                Log.warnx("event_add: out of memory growing the timer heap")
                return false
            }
        }
        countUp(ev.flags)
        ev.flags |= EVList.timeout
        return true
    }

    /// A plain deadline that names a common-timeout queue goes into that
    /// queue, where removeTimeout will look for it (libevent files it there
    /// too); the queue's timer is armed if it is now first.
    @inline(never)
    func insertMarked(_ ev: EventPtr, _ ct: UnsafeMutablePointer<CommonTimeout>) {
        ct.pointee.insertInOrder(ev)
        if ct.pointee.queue.first == ev { CommonTimeout.schedule(ct, head: ev) }
    }

    @inline(__always)
    func removeTimeout(_ ev: EventPtr) {
        countDown(ev.flags)
        ev.flags &= ~EVList.timeout
        if let ct = commonTimeout(for: ev.pointee.ev_timeout) {
            ct.pointee.queue.remove(ev)
        } else {
            timers.erase(ev)
        }
    }

    // MARK: add / del / activate

    /// event_add. `absolute` means `tv` is already a deadline on our clock.
    @_optimize(speed)
    func add(_ ev: EventPtr, timeout tv: timeval?, absolute: Bool = false) -> Int32 {
        if Debug.on { Debug.assertSetUp(ev) }
        if ev.flags & ~EVList.all != 0 {
            Log.warnx("event_add: event has invalid flags 0x\(Hex(UInt16(bitPattern: ev.flags)))")
            return -1
        }
        if ev.flags & EVList.finalizing != 0 { return -1 }
        if tv != nil && ev.flags & EVList.timeout == 0 {
            if !timers.reserve(timers.count + 1) { return -1 }
        }
        var res: Int32 = 0
        if ev.events & (EV.io | EV.signal) != 0 && ev.flags & (EVList.inserted | EVList.active | EVList.activeLater) == 0 {
            res = mapAdd(ev)
            if res != -1 {
                countUp(ev.flags)
                ev.flags |= EVList.inserted
            }
            if res == 1 { res = 0 }
        }
        if res != -1, let tv {
            if ev.closure == Closure.persist && !absolute { ev.persistTimeout = tv }
            if ev.flags & EVList.timeout != 0 { removeTimeout(ev) }
            // Re-arming an event whose timeout already fired cancels that firing.
            if ev.flags & EVList.active != 0 && ev.res & EV.timeout != 0 {
                if ev.events & EV.signal != 0, ev.ncalls != 0, let p = ev.pncalls { p.pointee = 0 }
                removeActive(ev.callback)
            }
            let now = self.now()
            let common = commonTimeout(for: tv)
            if absolute {
                ev.pointee.ev_timeout = tv
            } else if common != nil {
                var rel = tv
                rel.tv_usec &= CommonTimeout.microsMask
                var abs = tvAdd(now, rel)
                abs.tv_usec |= tv.tv_usec & ~CommonTimeout.microsMask
                ev.pointee.ev_timeout = abs
            } else {
                ev.pointee.ev_timeout = tvAdd(now, tv)
            }
            if !insertTimeout(ev, common: common) { return -1 }
            if let ct = common, ct.pointee.queue.first == ev {
                CommonTimeout.schedule(ct, head: ev)
            }
        }
        if Debug.on { Debug.noteAdded(ev, true) }
        return res
    }

    /// event_del and friends.
    @_optimize(speed)
    func del(_ ev: EventPtr, mode: DelMode) -> Int32 {
        if mode != .evenIfFinalizing && ev.flags & EVList.finalizing != 0 { return 0 }
        if ev.events & EV.signal != 0, ev.ncalls != 0, let p = ev.pncalls { p.pointee = 0 }
        if ev.flags & EVList.timeout != 0 { removeTimeout(ev) }
        if ev.flags & EVList.active != 0 {
            removeActive(ev.callback)
        } else if ev.flags & EVList.activeLater != 0 {
            removeActiveLater(ev.callback)
        }
        var res: Int32 = 0
        if ev.flags & EVList.inserted != 0 {
            countDown(ev.flags)
            ev.flags &= ~EVList.inserted
            res = mapDel(ev)
            if res == 1 { res = 0 }
        }
        if Debug.on { Debug.noteAdded(ev, false) }
        // Taken off first, then waited for (libevent's order: the running
        // callback sees its event no longer pending).
        if currentEvent != nil { waitIfRunning(ev, mode) }
        return res
    }

    /// event_active: queue `ev` to run with `res`; repeated activation ORs in flags.
    @_optimize(speed)
    func activate(_ ev: EventPtr, res: Int16, ncalls: Int16) {
        if ev.flags & EVList.finalizing != 0 { return }
        switch ev.flags & (EVList.active | EVList.activeLater) {
        case EVList.active:
            ev.res |= res
            return
        case EVList.activeLater:
            ev.res |= res
        case 0:
            ev.res = res
        default:
            Log.bug("event_active_nolock_: event is both active and active-later")
        }
        if ev.priority < runningPriority { continueFlag = true }
        if ev.events & EV.signal != 0 {
            ev.ncalls = ncalls
            ev.pncalls = nil
        }
        activateCallback(ev.callback)
    }

    /// Queue a bare callback (event or deferred callback). 1 if newly queued.
    @discardableResult
    func activateCallback(_ cb: CallbackPtr) -> Int32 {
        if cb.flags & EVList.finalizing != 0 { return 0 }
        var r: Int32 = 1
        switch cb.flags & (EVList.active | EVList.activeLater) {
        case EVList.activeLater:
            removeActiveLater(cb)
            r = 0
        case EVList.active:
            return 0
        case 0:
            break
        default:
            Log.bug("event_callback_activate_nolock_: callback in two queues")
        }
        insertActive(cb)
        return r
    }

    /// Take a callback out of whatever queue holds it (deferred-callback cancel).
    @discardableResult
    func cancelCallback(_ cb: CallbackPtr, evenIfFinalizing: Bool) -> Int32 {
        if cb.flags & EVList.finalizing != 0 && !evenIfFinalizing { return 0 }
        if cb.isEvent {
            return del(cb.asEvent, mode: evenIfFinalizing ? .evenIfFinalizing : .autoBlock)
        }
        switch cb.flags & (EVList.active | EVList.activeLater) {
        case EVList.active: removeActive(cb)
        case EVList.activeLater: removeActiveLater(cb)
        default: break
        }
        return 0
    }

    /// event_pending's flags, and the deadline in wall-clock time.
    func pending(_ ev: EventPtr, what: Int16, tvOut: UnsafeMutablePointer<timeval>?) -> Int32 {
        if Debug.on { Debug.assertSetUp(ev) }
        var flags: Int16 = 0
        if ev.flags & EVList.inserted != 0 { flags |= ev.events & (EV.io | EV.signal) }
        if ev.flags & (EVList.active | EVList.activeLater) != 0 { flags |= ev.res }
        if ev.flags & EVList.timeout != 0 { flags |= EV.timeout }
        let asked = what & (EV.timeout | EV.io | EV.signal)
        if let tvOut, flags & asked & EV.timeout != 0 {
            var t = ev.pointee.ev_timeout
            t.tv_usec &= CommonTimeout.microsMask
            tvOut.pointee = tvAdd(clockDiff, t)
        }
        return Int32(flags & asked)
    }

    /// event_assign's work; the base may be nil (the event is then unusable
    /// until event_base_set).
    static func assign(_ ev: EventPtr, base: EventBase?, fd: Int32, events: Int16,
                       callback: EventCallback?, arg: UnsafeMutableRawPointer?) -> Int32 {
        if Debug.on {
            if events & EV.signal == 0 { Debug.checkNonBlocking(fd) }
            Debug.assertNotAdded(ev)
        }
        ev.pointee.ev_base = base?.cPointer
        ev.pointee.ev_evcallback.evcb_cb_union.evcb_callback = callback
        ev.pointee.ev_evcallback.evcb_arg = arg
        ev.pointee.ev_fd = fd
        ev.pointee.ev_events = events
        ev.res = 0
        ev.flags = EVList.initialized
        ev.ncalls = 0
        ev.pncalls = nil
        if events & EV.signal != 0 {
            if events & EV.io != 0 {
                Log.warnx("event_assign: EV_SIGNAL is not compatible with EV_READ, EV_WRITE or EV_CLOSED")
                return -1
            }
            ev.closure = Closure.signal
        } else if events & EV.persist != 0 {
            ev.persistTimeout = timeval()
            ev.closure = Closure.persist
        } else {
            ev.closure = Closure.event
        }
        ev.heapIndex = -1
        if let base { ev.priority = base.priorityCount / 2 }
        Debug.noteSetUp(ev)
        return 0
    }
}
