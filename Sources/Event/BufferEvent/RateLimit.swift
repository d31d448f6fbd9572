import CEventSys

// Token-bucket rate limiting: a bufferevent's own buckets (set_rate_limit)
// and groups sharing one pair of buckets among their members.
//
// Time is counted in ticks of the configuration's tick length, from the
// base's cached wall-clock time. A bucket gains `rate` tokens per tick up to
// `burst` and loses one per byte moved; it may go negative (a read or write
// takes what the socket gives). A bucket at or below zero suspends that
// direction (Suspend.bandwidth, or .groupBandwidth for every group member)
// until a refill timer finds tokens again.

/// struct ev_token_bucket_cfg (opaque to programs).
struct TokenBucketCfg {
    var readRate: Int
    var readMaximum: Int
    var writeRate: Int
    var writeMaximum: Int
    var tickTimeout: timeval
    var msecPerTick: UInt32
}

typealias TokenBucketCfgPtr = UnsafeMutablePointer<TokenBucketCfg>

/// struct ev_token_bucket.
struct TokenBucket {
    var readLimit = 0
    var writeLimit = 0
    var lastUpdated: UInt32 = 0

    /// One direction's tokens.
    subscript(write w: Bool) -> Int {
        get { w ? writeLimit : readLimit }
        set { if w { writeLimit = newValue } else { readLimit = newValue } }
    }

    /// ev_token_bucket_init_: full rate for a new bucket; a reconfigured one
    /// is only clipped to the new burst sizes.
    mutating func start(_ cfg: TokenBucketCfg, tick: UInt32, reinitialize: Bool) {
        if reinitialize {
            if readLimit > cfg.readMaximum { readLimit = cfg.readMaximum }
            if writeLimit > cfg.writeMaximum { writeLimit = cfg.writeMaximum }
        } else {
            readLimit = cfg.readRate
            writeLimit = cfg.writeRate
            lastUpdated = tick
        }
    }

    /// ev_token_bucket_update_: add the tokens of the ticks since the last
    /// update, capped at the burst size (computed without overflow).
    @discardableResult
    mutating func update(_ cfg: TokenBucketCfg, tick: UInt32) -> Bool {
        let n = tick &- lastUpdated
        if n == 0 || n > UInt32(Int32.max) { return false }
        let ticks = UInt(n)
        if (UInt(bitPattern: cfg.readMaximum) &- UInt(bitPattern: readLimit)) / ticks < UInt(bitPattern: cfg.readRate) {
            readLimit = cfg.readMaximum
        } else {
            readLimit = readLimit &+ Int(bitPattern: ticks &* UInt(bitPattern: cfg.readRate))
        }
        if (UInt(bitPattern: cfg.writeMaximum) &- UInt(bitPattern: writeLimit)) / ticks < UInt(bitPattern: cfg.writeRate) {
            writeLimit = cfg.writeMaximum
        } else {
            writeLimit = writeLimit &+ Int(bitPattern: ticks &* UInt(bitPattern: cfg.writeRate))
        }
        lastUpdated = n &+ lastUpdated
        return true
    }
}

enum TokenBuckets {
    /// ev_token_bucket_cfg_new: nil for a rate of zero, a rate above its
    /// burst, or sizes beyond ssize_t.
    static func makeConfig(_ readRate: Int, _ readBurst: Int, _ writeRate: Int, _ writeBurst: Int,
                           _ tick: timeval?) -> TokenBucketCfgPtr? {
        let t = tick ?? timeval(tv_sec: 1, tv_usec: 0)
        // size_t arguments arrive as Int: negative means beyond ssize_t.
        if readRate < 0 || readBurst < 0 || writeRate < 0 || writeBurst < 0 { return nil }
        if readRate > readBurst || writeRate > writeBurst || readRate < 1 || writeRate < 1 { return nil }
        guard let raw = Memory.calloc(1, MemoryLayout<TokenBucketCfg>.stride) else { return nil }
        let p = raw.bindMemory(to: TokenBucketCfg.self, capacity: 1)
        let msec = t.tv_sec &* 1000 &+ (t.tv_usec & CommonTimeout.microsMask) / 1000
        p.initialize(to: TokenBucketCfg(readRate: readRate, readMaximum: readBurst, writeRate: writeRate,
                                        writeMaximum: writeBurst, tickTimeout: t,
                                        msecPerTick: UInt32(truncatingIfNeeded: msec)))
        return p
    }

    /// ev_token_bucket_get_tick_.
    static func tick(_ tv: timeval, _ cfg: TokenBucketCfg) -> UInt32 {
        let msec = UInt64(bitPattern: Int64(tv.tv_sec)) &* 1000 &+ UInt64(bitPattern: Int64(tv.tv_usec / 1000))
        // A tick shorter than a millisecond would divide by zero in libevent.
        let per = UInt64(max(cfg.msecPerTick, 1))
        return UInt32(truncatingIfNeeded: msec / per)
    }

    /// event_base_gettimeofday_cached.
    static func now(_ base: OpaquePointer?) -> timeval {
        var tv = timeval()
        _ = event_base_gettimeofday_cached(base, &tv)
        return tv
    }
}

/// Per-bufferevent rate-limit state (struct bufferevent_rate_limit).
final class RateLimit {
    var group: RateGroup? = nil
    var limit = TokenBucket()
    var cfg: TokenBucketCfgPtr? = nil
    /// Timer that refills the bufferevent's own buckets.
    let refill: EventPtr
    var refillReady = false

    private init(refill: EventPtr) { self.refill = refill }

    /// A new state, or nil when memory ran out.
    static func make() -> RateLimit? {
        let mark = Memory.failureMark()
        guard let e = Memory.tryAllocate(event.self, count: 1) else { return nil }
        e.initialize(to: event())
        let r = RateLimit(refill: e)
        if Memory.failed(since: mark) {
            Memory.deallocate(e)
            return nil
        }
        return r
    }

    func release() {
        Memory.deallocate(refill)
    }

    /// Set up the refill timer (bufferevent as argument).
    func assignRefill(_ b: BufferEvent) {
        let base = b.bev.pointee.ev_base.map { EventBase.from($0) }
        _ = EventBase.assign(refill, base: base, fd: -1, events: EV.finalize, callback: refillCallback,
                             arg: UnsafeMutableRawPointer(b.bev))
        refillReady = true
    }

    /// bufferevent_get_rlim_max_: what the next read/write may move.
    static func maxAllowed(_ b: BufferEvent, write: Bool) -> Int {
        var most = write ? b.maxSingleWrite : b.maxSingleRead
        guard let r = b.rate else { return most }
        if let cfg = r.cfg {
            updateBuckets(b, r, cfg.pointee)
            most = r.limit[write: write]
        }
        if let g = r.group {
            var share: Int
            g.lockGroup()
            if g.suspended(write: write) {
                // The group is out of tokens; make sure this member knows
                // (the group skips members whose lock is busy).
                b.suspend(Suspend.groupBandwidth, write: write)
                share = 0
            } else {
                share = g.limit[write: write] / g.members.count
                if share < g.minShare { share = g.minShare }
            }
            g.unlockGroup()
            if most > share { most = share }
        }
        return most < 0 ? 0 : most
    }

    static func updateBuckets(_ b: BufferEvent, _ r: RateLimit, _ cfg: TokenBucketCfg) {
        let t = TokenBuckets.tick(TokenBuckets.now(b.bev.pointee.ev_base), cfg)
        if t != r.limit.lastUpdated { r.limit.update(cfg, tick: t) }
    }

    /// bufferevent_decrement_read_buckets_ / write_buckets_: `n` bytes
    /// moved in one direction.
    @discardableResult
    static func charge(_ b: BufferEvent, _ n: Int, write w: Bool) -> Int32 {
        guard let r = b.rate else { return 0 }
        var res: Int32 = 0
        if let cfg = r.cfg {
            // Wraps like libevent's ssize_t: decrement_*_limit may have
            // left the bucket anywhere.
            r.limit[write: w] &-= n
            if r.limit[write: w] <= 0 {
                b.suspend(Suspend.bandwidth, write: w)
                if BufferEvent.add(r.refill, cfg.pointee.tickTimeout) < 0 { res = -1 }
            } else if b.suspended(write: w) & Suspend.bandwidth != 0 {
                if b.suspended(write: !w) & Suspend.bandwidth == 0 { _ = BufferEvent.del(r.refill) }
                b.unsuspend(Suspend.bandwidth, write: w)
            }
        }
        if let g = r.group {
            g.lockGroup()
            g.limit[write: w] &-= n
            if w { g.totalWritten &+= UInt64(truncatingIfNeeded: n) } else { g.totalRead &+= UInt64(truncatingIfNeeded: n) }
            if g.limit[write: w] <= 0 {
                g.suspend(write: w)
            } else if g.suspended(write: w) {
                g.unsuspend(write: w)
            }
            g.unlockGroup()
        }
        return res
    }

    /// bufferevent_set_rate_limit (cfg nil: remove the bufferevent's own limit).
    static func set(_ b: BufferEvent, _ cfg: TokenBucketCfgPtr?) -> Int32 {
        guard let cfg else {
            if let r = b.rate {
                r.cfg = nil
                b.unsuspendRead(Suspend.bandwidth)
                b.unsuspendWrite(Suspend.bandwidth)
                if r.refillReady { _ = BufferEvent.del(r.refill) }
            }
            return 0
        }
        let t = TokenBuckets.tick(TokenBuckets.now(b.bev.pointee.ev_base), cfg.pointee)
        if let r = b.rate, r.cfg == cfg { return 0 }
        guard let r = b.rate ?? RateLimit.make() else { return -1 }
        b.rate = r
        let reinit = r.cfg != nil
        r.cfg = cfg
        r.limit.start(cfg.pointee, tick: t, reinitialize: reinit)
        if reinit && r.refillReady { _ = BufferEvent.del(r.refill) }
        r.assignRefill(b)
        var suspended = false
        if r.limit.readLimit > 0 {
            b.unsuspendRead(Suspend.bandwidth)
        } else {
            b.suspendRead(Suspend.bandwidth)
            suspended = true
        }
        if r.limit.writeLimit > 0 {
            b.unsuspendWrite(Suspend.bandwidth)
        } else {
            b.suspendWrite(Suspend.bandwidth)
            suspended = true
        }
        if suspended { _ = BufferEvent.add(r.refill, cfg.pointee.tickTimeout) }
        return 0
    }

    /// The refill timer of one bufferevent.
    static func refilled(_ b: BufferEvent) {
        guard let r = b.rate, let cfg = r.cfg else { return }
        let t = TokenBuckets.tick(TokenBuckets.now(b.bev.pointee.ev_base), cfg.pointee)
        r.limit.update(cfg.pointee, tick: t)
        var again = false
        if b.readSuspended & Suspend.bandwidth != 0 {
            if r.limit.readLimit > 0 { b.unsuspendRead(Suspend.bandwidth) } else { again = true }
        }
        if b.writeSuspended & Suspend.bandwidth != 0 {
            if r.limit.writeLimit > 0 { b.unsuspendWrite(Suspend.bandwidth) } else { again = true }
        }
        if again { _ = BufferEvent.add(r.refill, cfg.pointee.tickTimeout) }
    }

    /// bufferevent_add_to_rate_limit_group (b's lock held). The old group
    /// is left before the new one's lock is taken: group locks never nest.
    static func join(_ b: BufferEvent, _ g: RateGroup) -> Int32 {
        if b.rate?.group === g { return 0 }
        // What needs memory first: failing changes nothing.
        var fresh: RateLimit? = nil
        if b.rate == nil {
            guard let r = RateLimit.make() else { return -1 }
            fresh = r
        }
        guard g.locked({ g.members.reserveOneMore() }) else {
            fresh?.release()
            return -1
        }
        if let r = fresh {
            r.assignRefill(b)
            b.rate = r
        }
        let r = b.rate!
        if r.group != nil { leaveGroup(b, unsuspend: true) }
        g.lockGroup()
        // Only fails if another thread's join took the room made above.
        guard g.insert(b) else {
            g.unlockGroup()
            return -1
        }
        r.group = g
        let rs = g.readSuspended, ws = g.writeSuspended
        g.unlockGroup()
        if rs { b.suspendRead(Suspend.groupBandwidth) }
        if ws { b.suspendWrite(Suspend.groupBandwidth) }
        return 0
    }

    /// bufferevent_remove_from_rate_limit_group(_internal_) (b's lock held).
    static func leaveGroup(_ b: BufferEvent, unsuspend: Bool) {
        if let r = b.rate, let g = r.group {
            g.lockGroup()
            r.group = nil
            g.remove(b)
            g.unlockGroup()
        }
        if unsuspend {
            b.unsuspendRead(Suspend.groupBandwidth)
            b.unsuspendWrite(Suspend.groupBandwidth)
        }
    }

    /// bufferevent_decrement_read_limit / write_limit: the program spends
    /// (or, negative, returns) tokens of the bufferevent's own bucket.
    static func decrement(_ b: BufferEvent, _ decr: Int, write: Bool) -> Int32 {
        guard let r = b.rate, let cfg = r.cfg else {
            Log.warnx("bufferevent_decrement_\(write ? "write" : "read")_limit: bufferevent has no rate limit")
            return -1
        }
        var res: Int32 = 0
        let old = r.limit[write: write]
        let new = old &- decr
        r.limit[write: write] = new
        if old > 0 && new <= 0 {
            b.suspend(Suspend.bandwidth, write: write)
            if BufferEvent.add(r.refill, cfg.pointee.tickTimeout) < 0 { res = -1 }
        } else if old <= 0 && new > 0 {
            if b.suspended(write: !write) & Suspend.bandwidth == 0 { _ = BufferEvent.del(r.refill) }
            b.unsuspend(Suspend.bandwidth, write: write)
        }
        return res
    }

    /// bufferevent_get_read_limit / write_limit: tokens left, or SSIZE_MAX.
    static func limit(_ b: BufferEvent, write: Bool) -> Int {
        guard let r = b.rate, let cfg = r.cfg else { return Int.max }
        updateBuckets(b, r, cfg.pointee)
        return r.limit[write: write]
    }
}

private let refillCallback: EventCallback = { _, _, arg in
    guard let arg else { return }
    BufferEvent.from(arg).locked { RateLimit.refilled($0) }
}
