import CEventSys

// The three intrusive lists the core threads through caller-owned structs.
// Each keeps the previous element (not libevent's pointer-to-next) in the
// `prev` slot of the link, so heads need no stable address.

@inline(__always)
private func asPrev<T>(_ p: UnsafeMutablePointer<T>?) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?>? {
    guard let p else { return nil }
    return UnsafeMutableRawPointer(p).assumingMemoryBound(to: Optional<UnsafeMutablePointer<T>>.self)
}

@inline(__always)
private func fromPrev<T>(_ p: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _: T.Type) -> UnsafeMutablePointer<T>? {
    guard let p else { return nil }
    return UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}

/// FIFO of callbacks linked through evcb_active_next (active queues).
struct CallbackQueue {
    var first: CallbackPtr? = nil
    var last: CallbackPtr? = nil

    @inline(__always) var isEmpty: Bool { first == nil }

    @inline(__always)
    mutating func append(_ cb: CallbackPtr) {
        cb.pointee.evcb_active_next.tqe_next = nil
        cb.pointee.evcb_active_next.tqe_prev = asPrev(last)
        if let l = last { l.pointee.evcb_active_next.tqe_next = cb } else { first = cb }
        last = cb
    }

    @inline(__always)
    mutating func remove(_ cb: CallbackPtr) {
        let next = cb.pointee.evcb_active_next.tqe_next
        let prev = fromPrev(cb.pointee.evcb_active_next.tqe_prev, event_callback.self)
        if let p = prev { p.pointee.evcb_active_next.tqe_next = next } else { first = next }
        if let n = next { n.pointee.evcb_active_next.tqe_prev = asPrev(prev) } else { last = prev }
        cb.pointee.evcb_active_next.tqe_next = nil
        cb.pointee.evcb_active_next.tqe_prev = nil
    }

    /// Remove the head, which the caller knows is there.
    @inline(__always)
    mutating func removeFirst(_ cb: CallbackPtr) {
        let next = cb.pointee.evcb_active_next.tqe_next
        first = next
        if let n = next { n.pointee.evcb_active_next.tqe_prev = nil } else { last = nil }
        cb.pointee.evcb_active_next.tqe_next = nil
    }

    @inline(__always)
    static func next(_ cb: CallbackPtr) -> CallbackPtr? { cb.pointee.evcb_active_next.tqe_next }
}

/// Events on one fd or signal, linked through ev_io_next / ev_signal_next
/// (the same bytes). New events go first, as in libevent, which fixes the
/// order callbacks of one fd run in.
struct EventChain {
    var first: EventPtr? = nil

    @inline(__always)
    mutating func push(_ ev: EventPtr) {
        ev.pointee.ev_.ev_io.ev_io_next.le_next = first
        ev.pointee.ev_.ev_io.ev_io_next.le_prev = nil
        if let f = first { f.pointee.ev_.ev_io.ev_io_next.le_prev = asPrev(ev) }
        first = ev
    }

    @inline(__always)
    mutating func remove(_ ev: EventPtr) {
        let next = ev.pointee.ev_.ev_io.ev_io_next.le_next
        let prev = fromPrev(ev.pointee.ev_.ev_io.ev_io_next.le_prev, event.self)
        if let p = prev { p.pointee.ev_.ev_io.ev_io_next.le_next = next } else { first = next }
        if let n = next { n.pointee.ev_.ev_io.ev_io_next.le_prev = asPrev(prev) }
        ev.pointee.ev_.ev_io.ev_io_next.le_next = nil
        ev.pointee.ev_.ev_io.ev_io_next.le_prev = nil
    }

    @inline(__always)
    static func next(_ ev: EventPtr) -> EventPtr? { ev.pointee.ev_.ev_io.ev_io_next.le_next }
}

/// Events sharing one common timeout, in deadline order, linked through
/// ev_timeout_pos.ev_next_with_common_timeout.
struct TimeoutQueue {
    var first: EventPtr? = nil
    var last: EventPtr? = nil

    @inline(__always) static func next(_ ev: EventPtr) -> EventPtr? {
        ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_next
    }
    @inline(__always) static func prev(_ ev: EventPtr) -> EventPtr? {
        fromPrev(ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_prev, event.self)
    }

    /// Insert after `after` (nil: at the front).
    mutating func insert(_ ev: EventPtr, after: EventPtr?) {
        let next = after.map { TimeoutQueue.next($0) } ?? first
        ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_next = next
        ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_prev = asPrev(after)
        if let a = after { a.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_next = ev } else { first = ev }
        if let n = next { n.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_prev = asPrev(ev) } else { last = ev }
    }

    mutating func remove(_ ev: EventPtr) {
        let next = TimeoutQueue.next(ev)
        let prev = TimeoutQueue.prev(ev)
        if let p = prev { p.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_next = next } else { first = next }
        if let n = next { n.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_prev = asPrev(prev) } else { last = prev }
        ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_next = nil
        ev.pointee.ev_timeout_pos.ev_next_with_common_timeout.tqe_prev = nil
    }
}
