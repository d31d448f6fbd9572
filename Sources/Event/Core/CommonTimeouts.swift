import CEventSys

/// A queue of events that all use the same timeout duration, so inserting is
/// O(1) (append) instead of a heap push. The duration handed to the caller
/// carries a marker in tv_usec's high bits naming the queue; only the queue's
/// head sits in the timer heap, through an internal event.
struct CommonTimeout {
    static let magic: Int = 0x5000_0000
    static let mask: Int = 0xf000_0000
    static let indexMask: Int = 0x0ff0_0000
    static let indexShift = 20
    static let microsMask: Int = 0x000f_ffff
    static let limit = 256

    /// Internal timer that fires when the queue's head is due. First, so the
    /// record's address is the timer's.
    var timer = event()
    /// What event_base_init_common_timeout returns a pointer to.
    var duration: timeval
    var queue = TimeoutQueue()
    unowned(unsafe) var base: EventBase

    @inline(__always)
    static func timer(_ ct: UnsafeMutablePointer<CommonTimeout>) -> EventPtr {
        UnsafeMutableRawPointer(ct).assumingMemoryBound(to: event.self)
    }

    @inline(__always)
    static func duration(_ ct: UnsafeMutablePointer<CommonTimeout>) -> UnsafePointer<timeval> {
        UnsafePointer((UnsafeMutableRawPointer(ct) + MemoryLayout<event>.stride).assumingMemoryBound(to: timeval.self))
    }

    /// Insert keeping deadline order; almost always an append.
    mutating func insertInOrder(_ ev: EventPtr) {
        var e = queue.last
        while let cur = e {
            if !tvLess(ev.pointee.ev_timeout, cur.pointee.ev_timeout) {
                queue.insert(ev, after: cur)
                return
            }
            e = TimeoutQueue.prev(cur)
        }
        queue.insert(ev, after: nil)
    }

    /// Arm the internal timer for `head`'s deadline.
    static func schedule(_ ct: UnsafeMutablePointer<CommonTimeout>, head: EventPtr) {
        var at = head.pointee.ev_timeout
        at.tv_usec &= CommonTimeout.microsMask
        _ = ct.pointee.base.add(timer(ct), timeout: at, absolute: true)
    }

    @inline(__always)
    static func index(of tv: timeval) -> Int { (tv.tv_usec & indexMask) >> indexShift }
}

extension EventBase {
    /// The common-timeout queue `tv` names, if it is one of this base's.
    @inline(__always)
    func commonTimeout(for tv: timeval) -> UnsafeMutablePointer<CommonTimeout>? {
        if tv.tv_usec & CommonTimeout.mask != CommonTimeout.magic { return nil }
        let i = CommonTimeout.index(of: tv)
        return i < common.count ? common[i] : nil
    }

    /// event_base_init_common_timeout.
    func initCommonTimeout(_ given: timeval) -> UnsafePointer<timeval>? {
        var d = given
        if d.tv_usec > 1_000_000 {
            if commonTimeout(for: d) != nil { d.tv_usec &= CommonTimeout.microsMask }
            // Wraps like libevent's addition for seconds near LONG_MAX.
            d.tv_sec &+= d.tv_usec / 1_000_000
            d.tv_usec %= 1_000_000
        }
        if d.tv_usec < 0 {
            // The marker bits cannot be told apart from a negative tv_usec
            // (libevent asserts here): refuse it.
            Log.warnx("event_base_init_common_timeout: negative tv_usec \(d.tv_usec) in a duration")
            return nil
        }
        for ct in common where ct.pointee.duration.tv_sec == d.tv_sec
            && ct.pointee.duration.tv_usec & CommonTimeout.microsMask == d.tv_usec {
            return CommonTimeout.duration(ct)
        }
        if common.count == CommonTimeout.limit {
            Log.warnx("event_base_init_common_timeout: Too many common timeouts already in use; we only support \(CommonTimeout.limit) per event_base")
            return nil
        }
        guard common.reserveOneMore(), let raw = Memory.calloc(1, MemoryLayout<CommonTimeout>.stride) else { return nil }
        let ct = raw.bindMemory(to: CommonTimeout.self, capacity: 1)
        var marked = d
        marked.tv_usec |= CommonTimeout.magic | (common.count << CommonTimeout.indexShift)
        ct.initialize(to: CommonTimeout(duration: marked, base: self))
        let timer = CommonTimeout.timer(ct)
        let fire: EventCallback = { _, _, arg in
            let ct = arg!.assumingMemoryBound(to: CommonTimeout.self)
            let base = ct.pointee.base
            base.locked { base.expireCommon(ct) }
        }
        _ = EventBase.assign(timer, base: self, fd: -1, events: 0, callback: fire, arg: raw)
        timer.flags |= EVList.internal
        timer.priority = 0
        common.append(ct)
        return CommonTimeout.duration(ct)
    }

    /// The internal timer fired: activate every due event in the queue.
    func expireCommon(_ ct: UnsafeMutablePointer<CommonTimeout>) {
        let now = self.now()
        var head = ct.pointee.queue.first
        while let ev = head {
            let t = ev.pointee.ev_timeout
            if t.tv_sec > now.tv_sec || (t.tv_sec == now.tv_sec && t.tv_usec & CommonTimeout.microsMask > now.tv_usec) { break }
            _ = del(ev, mode: .noBlock)
            activate(ev, res: EV.timeout, ncalls: 1)
            head = ct.pointee.queue.first
        }
        if let h = head { CommonTimeout.schedule(ct, head: h) }
    }
}
