import CEventSys

/// event_add(ev, NULL) / event_del(ev) for the write events the library
/// itself owns and toggles on every message (a socket bufferevent's
/// ev_write). When the event waits for writability only and is idle apart
/// from the fd map (no timeout, not queued, not being finalized, no debug
/// bookkeeping), only the fd slot's writer count, its event list and the
/// backend change, so the generic checks are skipped. Anything else goes
/// the generic way, with the same result.
extension EventBase {
    /// Flags that send an add or del down the generic path.
    @inline(__always)
    private static var notPlain: Int16 {
        EVList.active | EVList.activeLater | EVList.timeout | EVList.finalizing | EVList.internal
    }

    @_optimize(speed)
    func addOwnedWrite(_ ev: EventPtr) -> Int32 {
        let f = ev.flags
        let evs = ev.events
        let i = Int(ev.fd)
        guard f & (EventBase.notPlain | EVList.inserted) == 0, evs & (EV.io | EV.signal) == EV.write, !Debug.on,
              i >= 0, i < io.count else { return add(ev, timeout: nil) }
        let slot = io.slots.unsafelyUnwrapped + i
        let writers = slot.pointee.nwrite
        if writers == 0 {
            let old = slot.pointee.mask
            let fd = Int32(truncatingIfNeeded: i)
            if withOps({ $0.add(fd: fd, old: old, change: EV.write | (evs & EV.et), slot: slot) }) == -1 { return -1 }
        } else if writers == 0xffff {
            return add(ev, timeout: nil)
        }
        slot.pointee.nwrite = writers &+ 1
        slot.pointee.events.push(ev)
        ev.flags = f | EVList.inserted
        countUp(f)
        return 0
    }

    @_optimize(speed)
    func delOwnedWrite(_ ev: EventPtr) -> Int32 {
        let f = ev.flags
        let evs = ev.events
        let i = Int(ev.fd)
        guard f & (EventBase.notPlain | EVList.inserted) == EVList.inserted, evs & (EV.io | EV.signal) == EV.write,
              !Debug.on, i >= 0, i < io.count else { return del(ev, mode: .autoBlock) }
        let slot = io.slots.unsafelyUnwrapped + i
        ev.flags = f & ~EVList.inserted
        countDown(f)
        slot.pointee.events.remove(ev)
        let writers = slot.pointee.nwrite &- 1
        slot.pointee.nwrite = writers
        if writers != 0 { return 0 }
        let old = slot.pointee.mask | EV.write
        let fd = Int32(truncatingIfNeeded: i)
        return withOps({ $0.del(fd: fd, old: old, change: EV.write | (evs & EV.et), slot: slot) }) == -1 ? -1 : 0
    }
}
