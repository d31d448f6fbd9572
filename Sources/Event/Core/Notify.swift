import CEventSys

/// The wake-up channel (libevent's "notifiable" base): an eventfd watched by
/// an internal event, written when another thread changes what a sleeping
/// loop waits for. Made for every base created after lock callbacks were
/// set, or by evthread_make_base_notifiable.
extension EventBase {
    /// evthread_make_base_notifiable.
    func makeNotifiable() -> Int32 {
        if notifyFd >= 0 { return 0 }
        let fd = Sys.call { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
        if fd.failed {
            Log.warnErrno("evthread_make_base_notifiable: eventfd", fd.errno)
            return -1
        }
        guard let ev = Memory.tryAllocate(event.self, count: 1) else {
            Sys.close(fd.value)
            return -1
        }
        notifyFd = fd.value
        ev.initialize(to: event())
        let drain: EventCallback = { fd, _, arg in
            var v: UInt64 = 0
            _ = Sys.call { read(fd, &v, 8) }
            EventBase.with(OpaquePointer(arg!)) { b in b.locked { b.notifyPending = false } }
        }
        _ = EventBase.assign(ev, base: self, fd: notifyFd, events: EV.read | EV.persist, callback: drain,
                             arg: UnsafeMutableRawPointer(cPointer))
        ev.flags |= EVList.internal
        ev.priority = 0
        notifyEvent = ev
        return add(ev, timeout: nil)
    }

    /// Wake the loop if it runs in another thread (the base lock held).
    /// One wake-up is outstanding at a time: the loop re-reads all of its
    /// state after draining it.
    @inline(__always)
    func notifyIfNeeded() {
        if notifyFd >= 0 && running && !notifyPending && ownerThread != Threads.currentId() { wakeOwner() }
    }

    /// Out of line: its address-taken counter would give every inlined
    /// notifyIfNeeded a stack-protector check.
    @inline(never)
    func wakeOwner() {
        notifyPending = true
        var one: UInt64 = 1
        _ = Sys.call { write(notifyFd, &one, 8) }
    }

    func closeNotify() {
        if let ev = notifyEvent {
            _ = del(ev, mode: .noBlock)
            Memory.deallocate(ev)
            notifyEvent = nil
        }
        if notifyFd >= 0 { Sys.close(notifyFd) }
        notifyFd = -1
        notifyPending = false
    }
}
