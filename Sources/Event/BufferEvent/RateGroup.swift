import CEventSys

// struct bufferevent_rate_limit_group: one pair of token buckets shared by
// its members, refilled by a persistent timer on the group's base.
//
// Locking (the rules are in Core/BaseLock.swift). With lock callbacks set
// when the group is made, it has a recursive lock of its own guarding every
// field below: members may loop on different bases in different threads.
// It comes after the bufferevent lock: a member charging or asking for its
// share holds its own lock and takes the group's. Going the other way (the
// group suspending or resuming its members) only tries each member's lock;
// a member that is busy finds out by itself (maxAllowed sees the group
// suspended) or is resumed by the next refill (pendingUnsuspend*). A
// member's `rate.group` is guarded by the member's own lock.

private let groupRefillCallback: EventCallback = { _, _, arg in
    guard let arg else { return }
    Unmanaged<RateGroup>.fromOpaque(arg).takeUnretainedValue().refilled()
}

final class RateGroup {
    /// Members, most recently added first.
    var members: [BufferEvent] = []
    var limit = TokenBucket()
    var cfg: TokenBucketCfg
    var readSuspended = false
    var writeSuspended = false
    var pendingUnsuspendRead = false
    var pendingUnsuspendWrite = false
    var totalRead: UInt64 = 0
    var totalWritten: UInt64 = 0
    var minShare = 0
    var configuredMinShare = 0
    /// Persistent timer adding a tick's tokens to the group's buckets.
    let refill: EventPtr
    var seed: UInt32
    /// Recursive evthread lock; nil when there were no lock callbacks.
    let lock: UnsafeMutableRawPointer?

    @inline(__always) var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer) -> RateGroup {
        Unmanaged<RateGroup>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    private init(cfg: TokenBucketCfg, seed: UInt32, refill: EventPtr, lock: UnsafeMutableRawPointer?) {
        self.cfg = cfg
        self.seed = seed
        self.refill = refill
        self.lock = lock
    }

    /// bufferevent_rate_limit_group_new; the pointer owns the object. nil
    /// when memory (or the lock) could not be had.
    static func create(base: OpaquePointer, cfg: TokenBucketCfg) -> OpaquePointer? {
        let now = TokenBuckets.now(base)
        var lock: UnsafeMutableRawPointer? = nil
        if Threads.lockCallbacks != nil {
            guard let l = BufferLock.alloc() else { return nil }
            lock = l
        }
        let mark = Memory.failureMark()
        guard let e = Memory.tryAllocate(event.self, count: 1) else {
            BufferLock.free(lock)
            return nil
        }
        e.initialize(to: event())
        let g = RateGroup(cfg: cfg, seed: UInt32(truncatingIfNeeded: now.tv_sec &+ now.tv_usec), refill: e, lock: lock)
        if Memory.failed(since: mark) {
            Memory.deallocate(e)
            BufferLock.free(lock)
            return nil
        }
        g.limit.start(cfg, tick: TokenBuckets.tick(now, cfg), reinitialize: false)
        let p = Unmanaged.passRetained(g).toOpaque()
        _ = EventBase.assign(g.refill, base: EventBase.from(base), fd: -1, events: EV.persist | EV.finalize,
                             callback: groupRefillCallback, arg: p)
        _ = BufferEvent.add(g.refill, cfg.tickTimeout)
        _ = g.setMinShare(64)
        g.seed ^= UInt32(truncatingIfNeeded: UInt(bitPattern: p))
        return OpaquePointer(p)
    }


    // MARK: the lock

    @inline(__always) func lockGroup() { if let l = lock { BufferLock.lock(l) } }
    @inline(__always) func unlockGroup() { if let l = lock { BufferLock.unlock(l) } }

    @inline(__always)
    func locked<R>(_ body: () -> R) -> R { BufferLock.with(lock, body) }

    /// Run `body` on member `b` under b's lock, taken only if that needs
    /// no waiting (the group's lock is held: waiting would invert the
    /// order). False when another thread holds it.
    private func withMember(_ b: BufferEvent, _ body: (BufferEvent) -> Void) -> Bool {
        guard let l = b.lock else {
            body(b)
            return true
        }
        guard BufferLock.tryLock(l) else { return false }
        body(b)
        BufferLock.unlock(l)
        return true
    }

    // MARK: lifetime and members

    /// bufferevent_rate_limit_group_free. Members should have left (libevent
    /// asserts); any still there are taken out and resumed.
    func destroy() {
        // A refill running in the group's loop thread is waited for, with
        // no lock of ours held (it needs the group's).
        if let bp = refill.baseRef {
            EventBase.with(bp) { base in base.locked { _ = base.del(refill, mode: .block) } }
        }
        let left = locked { members.count }
        if left > 0 {
            Log.warnx("bufferevent_rate_limit_group_free: group still has \(left) members")
            lockGroup()
            while let b = members.first {
                let done = withMember(b) { m in
                    if let r = m.rate, r.group === self { r.group = nil }
                    remove(m)
                    m.unsuspendRead(Suspend.groupBandwidth)
                    m.unsuspendWrite(Suspend.groupBandwidth)
                }
                if !done {
                    // Its holder may be waiting for the group: let it in.
                    unlockGroup()
                    lockGroup()
                }
            }
            unlockGroup()
        }
        Debug.noteTeardown(refill)
        Memory.deallocate(refill)
        BufferLock.free(lock)
        Unmanaged.passUnretained(self).release()
    }

    /// Put `b` first in the members (the group's lock held); false when
    /// memory ran out.
    func insert(_ b: BufferEvent) -> Bool {
        guard members.reserveOneMore() else { return false }
        members.insert(b, at: 0)
        return true
    }

    /// The group's lock held.
    func remove(_ b: BufferEvent) {
        for i in 0..<members.count where members[i] === b {
            members.remove(at: i)
            return
        }
    }

    // MARK: configuration and the program's calls

    /// bufferevent_rate_limit_group_set_cfg.
    func setConfig(_ c: TokenBucketCfg) {
        lockGroup()
        let sameTick = cfg.tickTimeout.tv_sec == c.tickTimeout.tv_sec && cfg.tickTimeout.tv_usec == c.tickTimeout.tv_usec
        cfg = c
        if limit.readLimit > c.readMaximum { limit.readLimit = c.readMaximum }
        if limit.writeLimit > c.writeMaximum { limit.writeLimit = c.writeMaximum }
        if !sameTick { _ = BufferEvent.add(refill, c.tickTimeout) }
        _ = setMinShare(configuredMinShare)
        unlockGroup()
    }

    /// bufferevent_rate_limit_group_set_min_share: never above one tick's rate.
    func setMinShare(_ share: Int) -> Int32 {
        if share < 0 { return -1 }
        lockGroup()
        configuredMinShare = share
        var s = share
        if s > cfg.readRate { s = cfg.readRate }
        if s > cfg.writeRate { s = cfg.writeRate }
        minShare = s
        unlockGroup()
        return 0
    }

    /// bufferevent_rate_limit_group_get_read_limit / write_limit.
    func tokens(write w: Bool) -> Int { locked { limit[write: w] } }

    /// bufferevent_rate_limit_group_get_totals (locked here, not in libevent).
    func totals() -> (read: UInt64, written: UInt64) { locked { (totalRead, totalWritten) } }

    func resetTotals() {
        locked {
            totalRead = 0
            totalWritten = 0
        }
    }

    /// bufferevent_rate_limit_group_decrement_read / write.
    func decrement(_ decr: Int, write: Bool) -> Int32 {
        lockGroup()
        let old = limit[write: write]
        let new = old &- decr
        limit[write: write] = new
        if old > 0 && new <= 0 {
            suspend(write: write)
        } else if old <= 0 && new > 0 {
            unsuspend(write: write)
        }
        unlockGroup()
        return 0
    }

    // MARK: suspending the members (the group's lock held)

    func suspended(write w: Bool) -> Bool { w ? writeSuspended : readSuspended }

    /// A member whose lock is busy is left as it is: its next maxAllowed
    /// sees the group suspended and suspends itself.
    func suspend(write w: Bool) {
        if w {
            writeSuspended = true
            pendingUnsuspendWrite = false
        } else {
            readSuspended = true
            pendingUnsuspendRead = false
        }
        for b in members { _ = withMember(b) { $0.suspend(Suspend.groupBandwidth, write: w) } }
    }

    /// Members resume from a random starting point, for some fairness; one
    /// whose lock is busy is resumed by the next refill.
    func unsuspend(write w: Bool) {
        if w { writeSuspended = false } else { readSuspended = false }
        // A copy: a member's enable may run code that changes the members.
        let list = members
        let n = list.count
        var again = false
        if n > 0 {
            seed = seed &* 1103515245 &+ 12345
            let start = Int((seed >> 1) & 0x7fff_ffff) % n
            for i in 0..<n {
                let b = list[(start + i) % n]
                if !withMember(b, { $0.unsuspend(Suspend.groupBandwidth, write: w) }) { again = true }
            }
        }
        if w { pendingUnsuspendWrite = again } else { pendingUnsuspendRead = again }
    }

    /// The group's tick.
    func refilled() {
        let now = TokenBuckets.now(refill.baseRef)
        lockGroup()
        limit.update(cfg, tick: TokenBuckets.tick(now, cfg))
        if pendingUnsuspendRead || (readSuspended && limit.readLimit >= minShare) { unsuspend(write: false) }
        if pendingUnsuspendWrite || (writeSuspended && limit.writeLimit >= minShare) { unsuspend(write: true) }
        unlockGroup()
    }
}
