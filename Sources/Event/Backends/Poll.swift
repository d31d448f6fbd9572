import CEventSys

/// poll(2). One pollfd per watched fd, packed at the front of the array; the
/// fd's slot remembers its index so add/del are O(1).
final class PollBackend: Backend {
    private var set: UnsafeMutablePointer<pollfd>
    private var capacity = 32
    private var used = 0

    override var kind: BackendKind { .poll }

    override init(base: EventBase) {
        // Never nil: a failure is seen by BackendKind.make (Memory.failed).
        set = Memory.allocate(pollfd.self, count: 32)
        super.init(base: base)
    }

    deinit { Memory.deallocate(set); Memory.deallocate(copy) }

    override func add(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        if change & EV.io == 0 { return 0 }
        var i = Int(slot.pointee.backendIndex)
        if i < 0 {
            if used == capacity {
                guard let bigger = Memory.tryAllocate(pollfd.self, count: capacity * 2) else { return -1 }
                bigger.moveInitialize(from: set, count: used)
                Memory.deallocate(set)
                set = bigger
                capacity *= 2
            }
            i = used
            used += 1
            set[i] = pollfd(fd: fd, events: 0, revents: 0)
            slot.pointee.backendIndex = Int32(i)
        }
        set[i].revents = 0
        if change & EV.write != 0 { set[i].events |= Int16(POLLOUT) }
        if change & EV.read != 0 { set[i].events |= Int16(POLLIN) }
        if change & EV.closed != 0 { set[i].events |= Int16(POLLRDHUP) }
        return 0
    }

    override func del(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        if change & EV.io == 0 { return 0 }
        let i = Int(slot.pointee.backendIndex)
        if i < 0 { return -1 }
        if change & EV.read != 0 { set[i].events &= ~Int16(POLLIN) }
        if change & EV.write != 0 { set[i].events &= ~Int16(POLLOUT) }
        if change & EV.closed != 0 { set[i].events &= ~Int16(POLLRDHUP) }
        if set[i].events != 0 { return 0 }
        slot.pointee.backendIndex = -1
        used -= 1
        if i != used {
            // Keep the array dense: move the last entry into the hole.
            set[i] = set[used]
            owner._withUnsafeGuaranteedRef { $0.io.slot(set[i].fd) }?.pointee.backendIndex = Int32(i)
        }
        return 0
    }

    /// With a base lock, poll() sleeps on a copy: another thread may grow
    /// or reorder `set` meanwhile (libevent copies too).
    private var copy: UnsafeMutablePointer<pollfd>? = nil
    private var copyCapacity = 0

    @_optimize(speed)
    override func dispatch(timeout: Micros?) -> Int32 {
        if baseLocked { return dispatchOnCopy(timeout: timeout) }
        let n = Sys.once { poll(set, nfds_t(used), timeoutMillis(timeout, cap: Int64(Int32.max))) }
        return report(n, set, used)
    }

    @inline(never)
    private func dispatchOnCopy(timeout: Micros?) -> Int32 {
        if copyCapacity < used {
            guard let c = Memory.tryAllocate(pollfd.self, count: capacity) else {
                Log.warnx("poll: out of memory copying the fd set")
                return -1
            }
            Memory.deallocate(copy)
            copy = c
            copyCapacity = capacity
        }
        let fds = copy ?? set
        let count = used
        if count > 0 { fds.update(from: set, count: count) }
        releaseBase()
        let n = Sys.once { poll(fds, nfds_t(count), timeoutMillis(timeout, cap: Int64(Int32.max))) }
        reacquireBase()
        return report(n, fds, count)
    }

    @inline(__always)
    private func report(_ n: Sys.Result<Int32>, _ set: UnsafeMutablePointer<pollfd>, _ used: Int) -> Int32 {
        if n.failed {
            if n.errno != EINTR {
                Log.warnErrno("poll", n.errno)
                return -1
            }
            return 0
        }
        if n.value == 0 { return 0 }
        for i in 0..<used {
            var what = Int32(set[i].revents)
            if what == 0 { continue }
            if what & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 { what |= Int32(POLLIN | POLLOUT) }
            var res: Int16 = 0
            if what & Int32(POLLIN) != 0 { res |= EV.read }
            if what & Int32(POLLOUT) != 0 { res |= EV.write }
            if what & Int32(POLLRDHUP) != 0 { res |= EV.closed }
            if res == 0 { continue }
            report(fd: set[i].fd, what: res)
        }
        return 0
    }
}
