import CEventSys

/// epoll(7). Interest changes are applied immediately with epoll_ctl; the
/// ready list grows when a wait fills it.
final class EpollBackend: Backend {
    private let epfd: Int32
    private var ready: UnsafeMutablePointer<epoll_event>
    private var capacity: Int32 = 32
    private static let maxCapacity: Int32 = 4096

    /// Chosen by EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST / EVENT_EPOLL_USE_CHANGELIST;
    /// it only changes the reported method name here.
    var changelist = false

    override var kind: BackendKind { .epoll }
    override var methodName: StaticString { changelist ? "epoll (with changelist)" : "epoll" }
    override var needsReinit: Bool { true }

    static func create(base: EventBase) -> EpollBackend? {
        let fd = Sys.call { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        if fd.failed {
            if fd.errno != ENOSYS { Log.warnErrno("epoll_create", fd.errno) }
            return nil
        }
        let b = EpollBackend(base: base, epfd: fd.value)
        if base.flags & BaseFlag.preciseTimer != 0 { b.openTimerFd() }
        return b
    }

    private init(base: EventBase, epfd: Int32) {
        self.epfd = epfd
        // Never nil: a failure is seen by BackendKind.make (Memory.failed).
        ready = Memory.allocate(epoll_event.self, count: Int(capacity))
        super.init(base: base)
    }

    deinit {
        Memory.deallocate(ready)
        Memory.deallocate(ctlEvent)
    }

    /// With a precise timer, waits are bounded by a timerfd (microseconds)
    /// instead of epoll_wait's milliseconds, as libevent does.
    private var timerFd: Int32 = -1

    private func openTimerFd() {
        let t = Sys.call { timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC)) }
        if t.failed { return }
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.fd = t.value
        if Sys.call({ epoll_ctl(epfd, EPOLL_CTL_ADD, t.value, &ev) }).failed {
            Log.warnErrno("epoll_ctl(timerfd)")
            Sys.close(t.value)
            return
        }
        timerFd = t.value
    }

    /// Arm (or disarm, for no timeout) the timerfd; the epoll timeout to use.
    private func armTimer(_ timeout: Micros?) -> Int32 {
        var spec = itimerspec()
        var ms: Int32 = -1
        if let t = timeout {
            if t <= 0 { ms = 0 }
            spec.it_value.tv_sec = Int(t / 1_000_000)
            spec.it_value.tv_nsec = Int(t % 1_000_000) * 1000
        }
        if timerfd_settime(timerFd, 0, &spec, nil) < 0 { Log.warnErrno("timerfd_settime") }
        return ms
    }

    override func close() {
        if timerFd >= 0 { Sys.close(timerFd) }
        Sys.close(epfd)
    }

    /// epoll bits for an EV_* mask (EV_READ, EV_WRITE, EV_CLOSED, EV_ET),
    /// by shifting each bit into place: EV_READ 0x02 -> EPOLLIN 0x1,
    /// EV_WRITE 0x04 -> EPOLLOUT 0x4, EV_CLOSED 0x80 -> EPOLLRDHUP 0x2000,
    /// EV_ET 0x20 -> EPOLLET 0x8000_0000.
    @inline(__always)
    private static func bits(_ mask: Int16) -> UInt32 {
        let m = UInt32(UInt16(bitPattern: mask))
        return (m & 0x02) >> 1 | (m & 0x04) | (m & 0x80) << 6 | (m & 0x20) << 26
    }

    @_optimize(speed)
    override func add(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        let mask = (old | change) & EV.io
        if mask == 0 { return 0 }
        let op = old & EV.io == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        return ctl(op, fd, EpollBackend.bits(mask | (change & EV.et)), old: old, adding: change, removing: 0)
    }

    @_optimize(speed)
    override func del(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        let oldMask = old & EV.io
        let left = oldMask & ~(change & EV.io)
        if left == 0 {
            if oldMask == 0 { return 0 }
            return ctl(EPOLL_CTL_DEL, fd, EpollBackend.bits(change), old: old, adding: 0, removing: change)
        }
        return ctl(EPOLL_CTL_MOD, fd, EpollBackend.bits(left | (change & EV.et)), old: old, adding: 0, removing: change)
    }

    /// The epoll_event handed to epoll_ctl lives with the backend, not on
    /// the stack, so add/del need no stack-protector check.
    private let ctlEvent = Memory.allocate(epoll_event.self, count: 1)

    @inline(__always)
    private func ctl(_ op: Int32, _ fd: Int32, _ events: UInt32, old: Int16, adding: Int16, removing: Int16) -> Int32 {
        let ev = ctlEvent
        ev.pointee.events = events
        ev.pointee.data.fd = fd
        let r = Sys.call { epoll_ctl(epfd, op, fd, ev) }
        if !r.failed { return 0 }
        return recover(op: op, fd: fd, ev: &ev.pointee, errno: r.errno, oldMask: old & EV.io, adding: adding, removing: removing)
    }

    /// epoll_ctl failed: retry the cases libevent retries, else report.
    @inline(never)
    private func recover(op: Int32, fd: Int32, ev: inout epoll_event, errno: Int32,
                         oldMask: Int16, adding: Int16, removing: Int16) -> Int32 {
        switch op {
        case EPOLL_CTL_MOD where errno == ENOENT:
            // The fd was closed and reopened: the kernel forgot it. Add afresh.
            if Sys.call({ epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) }).failed {
                Log.warnErrno("Epoll MOD(\(ev.events)) on \(fd) retried as ADD; that failed too")
                return -1
            }
            return 0
        case EPOLL_CTL_ADD where errno == EEXIST:
            // A dup'ed fd can share the kernel's registration: modify it instead.
            if Sys.call({ epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) }).failed {
                Log.warnErrno("Epoll ADD(\(ev.events)) on \(fd) retried as MOD; that failed too")
                return -1
            }
            return 0
        case EPOLL_CTL_DEL where errno == ENOENT || errno == EBADF || errno == EPERM:
            // Already closed by the program: nothing left to remove.
            return 0
        default:
            let opName: StaticString = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL"
            let rc = EpollBackend.changeText(adding: adding, removing: removing, bit: EV.read)
            let wc = EpollBackend.changeText(adding: adding, removing: removing, bit: EV.write)
            let cc = EpollBackend.changeText(adding: adding, removing: removing, bit: EV.closed)
            Log.warnErrno("Epoll \(opName)(\(ev.events)) on fd \(fd) failed. Old events were \(oldMask); read change was \(rc); write change was \(wc); close change was \(cc)", errno)
            return -1
        }
    }

    /// libevent's rendering of one direction's change in its failure message.
    private static func changeText(adding: Int16, removing: Int16, bit: Int16) -> LogText {
        let etBit: Int16 = (adding | removing) & EV.et
        if adding & bit != 0 { return "\(1 | Int(etBit)) (add)" }
        if removing & bit != 0 { return "\(2 | Int(etBit)) (del)" }
        return "0 (none)"
    }

    /// epoll_wait with the base lock let go (BaseLock.swift), out of line.
    @inline(never)
    private func waitUnlocked(_ ms: Int32) -> Sys.Result<Int32> {
        releaseBase()
        let n = Sys.once { epoll_wait(epfd, ready, capacity, ms) }
        reacquireBase()
        return n
    }

    @_optimize(speed)
    override func dispatch(timeout: Micros?) -> Int32 {
        let ms = timerFd >= 0 ? armTimer(timeout) : timeoutMillis(timeout)
        let n = baseLock == nil ? Sys.once { epoll_wait(epfd, ready, capacity, ms) } : waitUnlocked(ms)
        if n.failed {
            if n.errno != EINTR {
                Log.warnErrno("epoll_wait", n.errno)
                return -1
            }
            return 0
        }
        let count = Int(n.value)
        for i in 0..<count {
            if timerFd >= 0 && ready[i].data.fd == timerFd { continue }
            let what = ready[i].events
            var ev: Int16 = 0
            if what & ~(EPOLLIN.rawValue | EPOLLOUT.rawValue) == 0 {
                // The usual case: plain readable and/or writable.
                ev = (what & EPOLLIN.rawValue != 0 ? EV.read : 0) | (what & EPOLLOUT.rawValue != 0 ? EV.write : 0)
            } else if what & EPOLLERR.rawValue != 0 {
                ev = EV.read | EV.write
            } else if what & EPOLLHUP.rawValue != 0 && what & EPOLLRDHUP.rawValue == 0 {
                ev = EV.read | EV.write
            } else {
                if what & EPOLLIN.rawValue != 0 { ev |= EV.read }
                if what & EPOLLOUT.rawValue != 0 { ev |= EV.write }
                if what & EPOLLRDHUP.rawValue != 0 { ev |= EV.closed }
            }
            if ev == 0 { continue }
            // EV_ET rides along so edge-triggered events see it in their result.
            report(fd: ready[i].data.fd, what: ev | EV.et)
        }
        if n.value == capacity && capacity < EpollBackend.maxCapacity {
            // Without memory, keep the list we have (as libevent does).
            let newCap = capacity * 2
            if let bigger = Memory.tryAllocate(epoll_event.self, count: Int(newCap)) {
                Memory.deallocate(ready)
                ready = bigger
                capacity = newCap
            }
        }
        return 0
    }
}
