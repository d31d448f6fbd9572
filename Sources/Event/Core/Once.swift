import CEventSys

/// event_base_once: a one-shot event the library allocates and frees.
/// Records are kept on a list so event_base_free can release unfired ones.
struct OnceRecord {
    var ev = event()        // first: the event's address is the record's
    var callback: EventCallback?
    var arg: UnsafeMutableRawPointer?
    var next: OnceRecordPtr?
    var prev: OnceRecordPtr?
}
typealias OnceRecordPtr = UnsafeMutablePointer<OnceRecord>

extension EventBase {
    func once(fd: Int32, events: Int16, callback: EventCallback?, arg: UnsafeMutableRawPointer?, timeout: timeval?) -> Int32 {
        if events & (EV.signal | EV.persist) != 0 { return -1 }
        guard let raw = Memory.calloc(1, MemoryLayout<OnceRecord>.stride) else { return -1 }
        let rec = raw.bindMemory(to: OnceRecord.self, capacity: 1)
        rec.initialize(to: OnceRecord(callback: callback, arg: arg))
        let ev = UnsafeMutableRawPointer(rec).assumingMemoryBound(to: event.self)
        let fire: EventCallback = { fd, what, arg in
            let rec = arg!.assumingMemoryBound(to: OnceRecord.self)
            EventBase.with(rec.pointee.ev.ev_base!) { base in base.locked { base.unlinkOnce(rec) } }
            rec.pointee.callback?(fd, what, rec.pointee.arg)
            Debug.unassign(UnsafeMutableRawPointer(rec).assumingMemoryBound(to: event.self))
            Memory.free(UnsafeMutableRawPointer(rec))
        }
        var activateNow = false
        if events & (EV.timeout | EV.signal | EV.io) == EV.timeout {
            _ = EventBase.assign(ev, base: self, fd: -1, events: 0, callback: fire, arg: raw)
            if timeout == nil || (timeout!.tv_sec == 0 && timeout!.tv_usec == 0) { activateNow = true }
        } else if events & EV.io != 0 {
            _ = EventBase.assign(ev, base: self, fd: fd, events: events & EV.io, callback: fire, arg: raw)
        } else {
            Memory.free(raw)
            return -1
        }
        // Linked first: once queued, the loop (in another thread) may run
        // and unlink it as soon as the base lock is let go.
        rec.pointee.next = onceRecords
        onceRecords?.pointee.prev = rec
        onceRecords = rec
        if activateNow {
            activate(ev, res: EV.timeout, ncalls: 1)
        } else {
            let r = add(ev, timeout: timeout)
            if r != 0 {
                unlinkOnce(rec)
                Memory.free(raw)
                return r
            }
        }
        notifyIfNeeded()
        return 0
    }

    func unlinkOnce(_ rec: OnceRecordPtr) {
        if let p = rec.pointee.prev { p.pointee.next = rec.pointee.next } else { onceRecords = rec.pointee.next }
        rec.pointee.next?.pointee.prev = rec.pointee.prev
        rec.pointee.next = nil
        rec.pointee.prev = nil
    }
}
