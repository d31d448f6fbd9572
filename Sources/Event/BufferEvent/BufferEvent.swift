import CEventSys

// struct bufferevent: the logic every kind shares.
//
// Memory. A bufferevent is one `struct cev_bufferevent` from Memory.calloc:
// the public `struct bufferevent` (ev_base, ev_read, ev_write, input,
// output, watermarks, callbacks, timeouts, enabled) the program may read and
// write directly, then our deferred-callback record and a pointer to the
// Swift object (a BufferEvent subclass per kind) that holds the private
// state. The implementation reads the public fields each time it needs them,
// so a program that pokes `bev->wm_read.high` or `bev->readcb` is obeyed.
// The Swift object is retained once for as long as the C allocation exists.
//
// Reference counting. `refcnt` starts at 1 (the program's reference, dropped
// by bufferevent_free). Whoever may run user callbacks holds one more while
// it does (the socket read/write handlers, enable, connect, the pair and
// filter plumbing), and a queued deferred callback holds one until it has
// run. bufferevent_incref/decref let the program hold more.
//
// Free. bufferevent_free clears the three callbacks and drops the program's
// reference. When the count reaches zero the kind is unlinked (a pair
// forgets its partner, a filter frees or releases its underlying
// bufferevent) and finalization starts: ev_read, ev_write, the deferred
// callback (and the rate-limit refill timer) are taken off the base, and one
// of them (the one running right now, if any) is re-queued as a finalizer.
// The finalizer runs from the loop (or from event_base_free): it closes the
// fd (BEV_OPT_CLOSE_ON_FREE), runs free_context, frees both evbuffers with
// whatever output was still queued, leaves the rate-limit group, frees the
// memory and only then drops the reference on an underlying bufferevent. So
// a callback that frees its own bufferevent, or a deferred callback still
// queued for it, never touches freed memory.
//
// Deferred callbacks. With BEV_OPT_DEFER_CALLBACKS (always on for pairs) the
// read, write and event callbacks are not called on the spot: a pending flag
// is set (event flags accumulate) and the embedded event_callback is queued
// on the base (once; a reference is taken when it is newly queued). From the
// loop it runs, in order: a pending CONNECTED event, the read callback (then
// the high-watermark re-check), the write callback, the other pending event
// flags with the errno saved when they were raised; then it drops its
// reference.

public typealias BevPtr = UnsafeMutablePointer<bufferevent>

/// BEV_EVENT_*.
enum BevEvent {
    static let reading: Int16 = 0x01
    static let writing: Int16 = 0x02
    static let eof: Int16 = 0x10
    static let error: Int16 = 0x20
    static let timeout: Int16 = 0x40
    static let connected: Int16 = 0x80
}

/// BEV_OPT_* and BEV_TRIG_*.
enum BevOpt {
    static let closeOnFree: Int32 = 0x01
    static let threadsafe: Int32 = 0x02
    static let deferCallbacks: Int32 = 0x04
    static let unlockCallbacks: Int32 = 0x08
    static let ignoreWatermarks: Int32 = 0x10000
    /// Internal, in BufferEvent.options: the lock is the bufferevent's own.
    static let ownsLock: Int32 = 0x4000_0000
}

/// Why reading or writing is held off even though it is enabled.
enum Suspend {
    static let watermark: UInt8 = 0x01
    static let bandwidth: UInt8 = 0x02
    static let groupBandwidth: UInt8 = 0x04
    static let lookup: UInt8 = 0x08
    static let filterRead: UInt8 = 0x10
}

/// enum bufferevent_flush_mode.
enum FlushMode {
    static let normal: Int32 = 0
    static let flush: Int32 = 1
    static let finished: Int32 = 2
}

/// The timer-only events pairs and filters use for their timeouts.
private let genericReadTimeout: EventCallback = { _, _, arg in
    guard let arg else { return }
    let b = BufferEvent.from(arg)
    b.lockBev()
    b.incref()
    _ = b.disable(EV.read)
    b.runEventCallback(BevEvent.timeout | BevEvent.reading, 0)
    b.decref()
    b.unlockBev()
}

private let genericWriteTimeout: EventCallback = { _, _, arg in
    guard let arg else { return }
    let b = BufferEvent.from(arg)
    b.lockBev()
    b.incref()
    _ = b.disable(EV.write)
    b.runEventCallback(BevEvent.timeout | BevEvent.writing, 0)
    b.decref()
    b.unlockBev()
}

private let deferredRunner: SelfCallback = { _, arg in
    guard let arg else { return }
    BufferEvent.with(arg) { $0.runDeferred() }
}

private let finalizer: @convention(c) (CallbackPtr?, UnsafeMutableRawPointer?) -> Void = { _, arg in
    guard let arg else { return }
    BufferEvent.from(arg).finalize()
}

/// Whether `len` bytes are at or over watermark `mark`. Watermarks are
/// size_t and compared unsigned, as libevent does: one beyond ssize_t
/// (stored here as a negative Int) is never reached.
@inline(__always)
func reaches(_ len: Int, _ mark: Int) -> Bool { UInt(bitPattern: len) >= UInt(bitPattern: mark) }

/// Input-buffer callback installed by a read high watermark.
private let inputWatermarkCallback: BufferCallback = { buf, _, arg in
    guard let arg, let buf else { return }
    let b = BufferEvent.from(arg)
    if reaches(EvBuffer.from(buf).totalLen, b.bev.pointee.wm_read.high) {
        b.suspendRead(Suspend.watermark)
    } else {
        b.unsuspendRead(Suspend.watermark)
    }
}

class BufferEvent {
    // Fields ordered and sized so the object is 104 bytes: a 112-byte
    // malloc chunk, which keeps an idle socket bufferevent below libevent's
    // memory (bench: idle memory).
    let raw: UnsafeMutablePointer<cev_bufferevent>
    let input: EvBuffer
    let output: EvBuffer

    var refcnt: Int32 = 1
    /// BEV_OPT_* given at creation (plus the internal ownsLock bit).
    var options: Int32
    /// BEV_EVENT_* flags waiting for the deferred callback: a full short, as
    /// bufferevent_trigger_event may pass any bits (placed here so the
    /// object keeps its size).
    var eventcbPending: Int16 = 0
    var readSuspended: UInt8 = 0
    var writeSuspended: UInt8 = 0
    var readcbPending = false
    var writecbPending = false
    var connecting = false
    var connectionRefused = false
    var finalizing = false
    var errnoPending: Int32 = 0
    var dnsError: Int32 = 0
    var maxSingleRead = BufferEvent.defaultMaxSingle
    var maxSingleWrite = BufferEvent.defaultMaxSingle
    var rate: RateLimit? = nil
    var readWatermarksEntry: CbEntryPtr? = nil
    /// BEV_OPT_THREADSAFE: a recursive evthread lock, shared with both
    /// evbuffers (and with the partner of a pair).
    var lock: UnsafeMutableRawPointer? = nil

    /// The lock is ours to free.
    var ownLock: Bool {
        get { options & BevOpt.ownsLock != 0 }
        set { if newValue { options |= BevOpt.ownsLock } else { options &= ~BevOpt.ownsLock } }
    }

    static let defaultMaxSingle = 16384


    @inline(__always) var bev: BevPtr { UnsafeMutableRawPointer(raw).assumingMemoryBound(to: bufferevent.self) }
    @inline(__always) var evRead: EventPtr { cev_bev_ev_read(bev) }
    @inline(__always) var evWrite: EventPtr { cev_bev_ev_write(bev) }
    @inline(__always) var deferredCb: CallbackPtr { cev_bev_deferred(bev) }
    @inline(__always) var cbarg: UnsafeMutableRawPointer? { bev.pointee.cbarg }
    @inline(__always) var enabled: Int16 { bev.pointee.enabled }

    @inline(__always)
    static func from(_ p: UnsafeMutableRawPointer) -> BufferEvent {
        Unmanaged<BufferEvent>.fromOpaque(cev_bev_owner(p.assumingMemoryBound(to: bufferevent.self))!).takeUnretainedValue()
    }

    @inline(__always)
    static func from(_ p: BevPtr) -> BufferEvent {
        Unmanaged<BufferEvent>.fromOpaque(cev_bev_owner(p)!).takeUnretainedValue()
    }

    /// Run `body` on the object behind a bufferevent pointer without
    /// retaining it (the C allocation holds the object's reference).
    @inline(__always)
    static func with<R>(_ p: UnsafeMutableRawPointer, _ body: (BufferEvent) -> R) -> R {
        Unmanaged<BufferEvent>.fromOpaque(cev_bev_owner(p.assumingMemoryBound(to: bufferevent.self))!)._withUnsafeGuaranteedRef(body)
    }

    /// bufferevent_init_common_: buffers, defaults, the deferred callback.
    /// nil (after a warning where libevent gives one) when the options are
    /// unusable or memory ran out.
    init?(base: OpaquePointer?, options: Int32, bytes: Int = MemoryLayout<cev_bufferevent>.stride) {
        guard let mem = Memory.calloc(1, bytes) else { return nil }
        guard let i = EvBuffer.create() else {
            Memory.free(mem)
            return nil
        }
        guard let o = EvBuffer.create() else {
            EvBuffer.from(i).decref()
            Memory.free(mem)
            return nil
        }
        raw = mem.bindMemory(to: cev_bufferevent.self, capacity: 1)
        input = EvBuffer.from(i)
        output = EvBuffer.from(o)
        self.options = options & ~BevOpt.ownsLock
        // A lock comes from the evthread callbacks; without them libevent
        // refuses a THREADSAFE bufferevent.
        var bad = options & BevOpt.threadsafe != 0 && enableLocking(nil) < 0
        if !bad && (options & (BevOpt.deferCallbacks | BevOpt.unlockCallbacks)) == BevOpt.unlockCallbacks {
            Log.warnx("UNLOCK_CALLBACKS requires DEFER_CALLBACKS")
            bad = true
        }
        if bad {
            input.decref()
            output.decref()
            freeLock()
            Memory.free(mem)
            return nil
        }
        let b = bev
        b.pointee.input = input.cPointer
        b.pointee.output = output.cPointer
        b.pointee.ev_base = base
        b.pointee.enabled = EV.write
        let d = deferredCb
        d.pointee.evcb_closure = Closure.selfCallback
        d.pointee.evcb_cb_union.evcb_selfcb = deferredRunner
        d.pointee.evcb_arg = UnsafeMutableRawPointer(b)
        if let bp = base ?? Globals.currentBase {
            d.pointee.evcb_pri = UInt8(truncatingIfNeeded: EventBase.from(bp).priorityCount / 2)
        }
        input.parent = UnsafeMutableRawPointer(b)
        output.parent = UnsafeMutableRawPointer(b)
        cev_bev_set_owner(b, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Take apart a bufferevent that was never handed out (memory ran out
    /// while building it): no callbacks ran, nothing is queued; the fd stays
    /// open, as libevent leaves it when creation fails.
    func discard() {
        input.parent = nil
        output.parent = nil
        input.decref()
        output.decref()
        Debug.noteTeardown(evRead)
        Debug.noteTeardown(evWrite)
        freeLock()
        cev_bev_set_owner(bev, nil)
        Memory.free(UnsafeMutableRawPointer(raw))
    }

    /// Hand the C object out: the Swift object now lives until finalize().
    func publish() -> BevPtr {
        _ = Unmanaged.passRetained(self)
        return bev
    }

    // MARK: what each kind provides (libevent's bufferevent_ops)

    func kindEnable(_ events: Int16) -> Int32 { 0 }
    func kindDisable(_ events: Int16) -> Int32 { 0 }
    /// Reference count reached zero: detach from partner / underlying.
    func unlink() {}
    /// Finalizing: release what the kind owns (fd, filter context).
    func destruct() {}
    func adjustTimeouts() -> Int32 { genericAdjustTimeouts() }
    func kindFlush(_ iotype: Int16, _ mode: Int32) -> Int32 { -1 }
    /// BEV_CTRL_GET_FD / SET_FD / GET_UNDERLYING; nil: not supported.
    func getFd() -> Int32? { nil }
    func setFd(_ fd: Int32) -> Int32 { -1 }
    var underlying: BufferEvent? { nil }
    /// The evdns lookup of bufferevent_socket_connect_hostname still to call
    /// back (kinds that can connect keep it; others have none).
    var lookupRequest: OpaquePointer? {
        get { nil }
        set {}
    }
    /// The address connect_hostname resolved (libevent's conn_address).
    func recordAddress(_ sa: UnsafeRawPointer, _ len: Int) {}
    /// The output buffer grew (when the kind asked, by setting the
    /// buffer's notifiesParent, to hear of it); `added` is never 0.
    func bufferChanged(added: Int, deleted: Int) {}

    // MARK: events of the base

    /// The base events are added to: the event's own (event_add's rule).
    @inline(__always)
    static func add(_ ev: EventPtr, _ tv: timeval?) -> Int32 {
        guard let b = ev.baseRef else {
            Log.warnx("event_add: event has no event_base set.")
            return -1
        }
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return addLocked(base, ev, tv) }
        return base._withUnsafeGuaranteedRef {
            let r = $0.add(ev, timeout: tv)
            $0.notifyIfNeeded()
            return r
        }
    }

    // The threaded variants of the hot paths are out of line: without lock
    // callbacks the code is what it was before locking existed.
    @inline(never)
    private static func addLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr, _ tv: timeval?) -> Int32 {
        base._withUnsafeGuaranteedRef { base in
            base.lockBase()
            let r = base.add(ev, timeout: tv)
            base.notifyIfNeeded()
            base.unlockBase()
            return r
        }
    }

    /// bufferevent_add_event_: a zero timeout means none.
    @inline(__always)
    static func addWithTimeout(_ ev: EventPtr, _ tv: timeval) -> Int32 {
        return add(ev, tv.tv_sec != 0 || tv.tv_usec != 0 ? tv : nil)
    }

    /// addWithTimeout / del for a socket bufferevent's ev_write, which goes on
    /// and off with every message: the base's owned-write fast path.
    @inline(__always)
    static func addOwnedWrite(_ ev: EventPtr, _ tv: timeval) -> Int32 {
        guard !isSet(tv), let b = ev.baseRef else { return addWithTimeout(ev, tv) }
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return addOwnedWriteLocked(base, ev) }
        return base._withUnsafeGuaranteedRef {
            let r = $0.addOwnedWrite(ev)
            $0.notifyIfNeeded()
            return r
        }
    }

    @inline(__always)
    static func delOwnedWrite(_ ev: EventPtr) -> Int32 {
        guard let b = ev.baseRef else { return del(ev) }
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return delOwnedWriteLocked(base, ev) }
        return base._withUnsafeGuaranteedRef { $0.delOwnedWrite(ev) }
    }

    @inline(never)
    private static func addOwnedWriteLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr) -> Int32 {
        base._withUnsafeGuaranteedRef { base in
            base.lockBase()
            let r = base.addOwnedWrite(ev)
            base.notifyIfNeeded()
            base.unlockBase()
            return r
        }
    }

    @inline(never)
    private static func delOwnedWriteLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr) -> Int32 {
        base._withUnsafeGuaranteedRef { base in base.locked { base.delOwnedWrite(ev) } }
    }

    /// event_del of an event that is usually not pending (a pair's idle
    /// write timer on every transfer): nothing to do is decided inline.
    /// The flags are the base's (BaseLock.swift): read under its lock.
    @inline(__always)
    static func delIfPending(_ ev: EventPtr) {
        guard let b = ev.baseRef else { return }
        let busy = EVList.inserted | EVList.timeout | EVList.active | EVList.activeLater
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        let pending = base._withUnsafeGuaranteedRef({ $0.lock != nil })
            ? flagsLocked(base, ev) & busy != 0 : ev.flags & busy != 0
        if pending { _ = del(ev) }
    }

    /// The event's flags read under the base lock (the loop's thread
    /// changes them); out of line, so unlocked programs read them directly.
    @inline(never)
    private static func flagsLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr) -> Int16 {
        base._withUnsafeGuaranteedRef { base in base.locked { ev.flags } }
    }

    @inline(__always)
    static func del(_ ev: EventPtr) -> Int32 {
        guard let b = ev.baseRef else {
            Log.warnx("event_del: event has no event_base set.")
            return -1
        }
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return delLocked(base, ev) }
        return base._withUnsafeGuaranteedRef { $0.del(ev, mode: .autoBlock) }
    }

    @inline(never)
    private static func delLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr) -> Int32 {
        base._withUnsafeGuaranteedRef { base in
            base.locked {
                // As event_del: a loop in another thread may have nothing left to wait for.
                let wasPending = ev.flags & (EVList.inserted | EVList.timeout) != 0
                let r = base.del(ev, mode: .autoBlock)
                if r == 0 && wasPending { base.notifyIfNeeded() }
                return r
            }
        }
    }

    /// event_pending(ev, what, NULL) on one of our own events (always set
    /// up, so no debug-mode check), from its flags alone, read under the
    /// base lock: the loop's thread changes them (BaseLock.swift).
    @inline(__always)
    static func pending(_ ev: EventPtr, _ what: Int16) -> Bool {
        guard let b = ev.baseRef else { return false }
        let base = Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(b))
        if base._withUnsafeGuaranteedRef({ $0.lock != nil }) { return pendingLocked(base, ev, what) }
        return pendingFlags(ev, ev.flags, what)
    }

    @inline(never)
    private static func pendingLocked(_ base: Unmanaged<EventBase>, _ ev: EventPtr, _ what: Int16) -> Bool {
        base._withUnsafeGuaranteedRef { base in base.locked { pendingFlags(ev, ev.flags, what) } }
    }

    @inline(__always)
    private static func pendingFlags(_ ev: EventPtr, _ f: Int16, _ what: Int16) -> Bool {
        guard f & EVList.initialized != 0 else { return false }
        var have: Int16 = 0
        if f & EVList.inserted != 0 { have |= ev.events & (EV.io | EV.signal) }
        if f & (EVList.active | EVList.activeLater) != 0 { have |= ev.res }
        if f & EVList.timeout != 0 { have |= EV.timeout }
        return have & what & (EV.timeout | EV.io | EV.signal) != 0
    }

    static func removeTimer(_ ev: EventPtr) {
        guard let b = ev.baseRef else { return }
        EventBase.with(b) { base in
            base.locked {
                if ev.flags & EVList.timeout != 0 {
                    base.removeTimeout(ev)
                    ev.persistTimeout = timeval()
                }
                ev.pointee.ev_timeout = timeval()
            }
        }
    }

    @inline(__always)
    static func isSet(_ tv: timeval) -> Bool { tv.tv_sec != 0 || tv.tv_usec != 0 }

    /// bufferevent_init_generic_timeout_cbs_: ev_read/ev_write as pure timers.
    func assignGenericTimeouts() {
        let base = bev.pointee.ev_base.map { EventBase.from($0) }
        let arg = UnsafeMutableRawPointer(bev)
        _ = EventBase.assign(evRead, base: base, fd: -1, events: EV.finalize, callback: genericReadTimeout, arg: arg)
        _ = EventBase.assign(evWrite, base: base, fd: -1, events: EV.finalize, callback: genericWriteTimeout, arg: arg)
    }

    /// Restart a pair's or filter's timeout timer, if it has one (the
    /// common case, none, is decided inline).
    @inline(__always)
    func resetGenericReadTimeout() {
        if BufferEvent.isSet(bev.pointee.timeout_read) { restartTimer(evRead, bev.pointee.timeout_read) }
    }

    @inline(__always)
    func resetGenericWriteTimeout() {
        if BufferEvent.isSet(bev.pointee.timeout_write) { restartTimer(evWrite, bev.pointee.timeout_write) }
    }

    @inline(never)
    private func restartTimer(_ ev: EventPtr, _ tv: timeval) { _ = BufferEvent.add(ev, tv) }

    /// bufferevent_generic_adj_timeouts_.
    func genericAdjustTimeouts() -> Int32 {
        let en = enabled
        let r1: Int32
        let r2: Int32
        if en & EV.read != 0 && readSuspended == 0 && BufferEvent.isSet(bev.pointee.timeout_read) {
            r1 = BufferEvent.add(evRead, bev.pointee.timeout_read)
        } else {
            r1 = BufferEvent.del(evRead)
        }
        if en & EV.write != 0 && writeSuspended == 0 && BufferEvent.isSet(bev.pointee.timeout_write) && output.totalLen > 0 {
            r2 = BufferEvent.add(evWrite, bev.pointee.timeout_write)
        } else {
            r2 = BufferEvent.del(evWrite)
        }
        return r1 < 0 || r2 < 0 ? -1 : 0
    }

    /// bufferevent_generic_adj_existing_timeouts_: only a pending event's
    /// timeout changes: set, moved, or removed.
    func adjustExistingTimeouts() -> Int32 {
        var r: Int32 = 0
        if BufferEvent.pending(evRead, EV.read) {
            if BufferEvent.isSet(bev.pointee.timeout_read) {
                if BufferEvent.add(evRead, bev.pointee.timeout_read) < 0 { r = -1 }
            } else {
                BufferEvent.removeTimer(evRead)
            }
        }
        if BufferEvent.pending(evWrite, EV.write) {
            if BufferEvent.isSet(bev.pointee.timeout_write) {
                if BufferEvent.add(evWrite, bev.pointee.timeout_write) < 0 { r = -1 }
            } else {
                BufferEvent.removeTimer(evWrite)
            }
        }
        return r
    }

    // MARK: locking

    /// bufferevent_enable_locking_: `given`, else the underlying
    /// bufferevent's lock, else a new recursive lock; shared with the buffers.
    func enableLocking(_ given: UnsafeMutableRawPointer?) -> Int32 {
        if lock != nil { return -1 }
        let under = underlying
        if let l = given {
            lock = l
            ownLock = false
        } else if let ul = under?.lock {
            lock = ul
            ownLock = false
        } else {
            guard let l = BufferLock.alloc() else { return -1 }
            lock = l
            ownLock = true
        }
        _ = input.enableLocking(lock)
        _ = output.enableLocking(lock)
        if let u = under, u.lock == nil { _ = u.enableLocking(lock) }
        return 0
    }

    func freeLock() {
        if ownLock { BufferLock.free(lock) }
        lock = nil
        ownLock = false
    }

    @inline(__always) func lockBev() { if let l = lock { BufferLock.lock(l) } }
    @inline(__always) func unlockBev() { if let l = lock { BufferLock.unlock(l) } }

    /// Run `body` holding the bufferevent's lock (if it has one).
    @inline(__always)
    func locked<R>(_ body: (BufferEvent) -> R) -> R { BufferLock.with(lock) { body(self) } }

    // MARK: references

    @inline(__always) func incref() { refcnt += 1 }

    /// Drop a reference; 1 when it was the last (finalization has started).
    @inline(__always) @discardableResult
    func decref() -> Int32 {
        if refcnt > 1 {
            refcnt &-= 1
            return 0
        }
        return decrefLast()
    }

    @inline(never)
    private func decrefLast() -> Int32 {
        if refcnt <= 0 {
            Log.warnx("bufferevent_decref: bufferevent \(hexPointer(bev)) has no references left")
            return 0
        }
        refcnt -= 1
        if refcnt > 0 { return 0 }
        unlink()
        startFinalize()
        return 1
    }

    /// The base a finished bufferevent's callbacks are taken off.
    /// Dropping the last reference would finalize on the spot (no base to
    /// queue the finalizer on), which frees the lock: the caller must not
    /// hold it then. Nothing else can reach a base-less bufferevent's
    /// callbacks, so going without the lock there is safe.
    /// (The base is tested first: refcnt may only be read unlocked when no
    /// loop can be running the bufferevent's handlers.)
    var finalizesInline: Bool { finalizeBase == nil && refcnt == 1 }

    private var finalizeBase: EventBase? {
        if let b = bev.pointee.ev_base ?? evRead.baseRef ?? Globals.currentBase { return EventBase.from(b) }
        return nil
    }

    private func startFinalize() {
        finalizing = true
        var cbs: [CallbackPtr] = [evRead.callback, evWrite.callback, deferredCb]
        if let r = rate, r.refillReady { cbs.append(r.refill.callback) }
        guard let base = finalizeBase else {
            // No base ever: nothing can be queued, so nothing can run later.
            finalize()
            return
        }
        base.locked {
            base.finalizeMany(cbs, finalizer)
            base.notifyIfNeeded()
        }
    }

    /// bufferevent_finalize_cb_: the last step, from the loop. Under the
    /// bufferevent's lock, let go only before it is freed: the thread whose
    /// decref queued this (bufferevent_free from another thread) may still
    /// hold it, and must be done with it first.
    func finalize() {
        lockBev()
        let under = underlying
        destruct()
        input.parent = nil
        output.parent = nil
        output.core.pointee.notifiesParent = false
        input.decref()
        output.decref()
        if let r = rate {
            if r.group != nil { RateLimit.leaveGroup(self, unsuspend: false) }
            r.release()
            rate = nil
        }
        Debug.noteTeardown(evRead)
        Debug.noteTeardown(evWrite)
        unlockBev()
        freeLock()
        cev_bev_set_owner(bev, nil)
        Memory.free(UnsafeMutableRawPointer(raw))
        Unmanaged.passUnretained(self).release()
        under?.decref()
    }

    // MARK: running the callbacks

    /// Queue the deferred callback (a reference rides along when newly queued).
    @_optimize(speed)
    func scheduleDeferred() {
        guard let bp = bev.pointee.ev_base ?? Globals.currentBase else {
            // libevent needs a base here; with none, run at once.
            incref()
            runDeferred()
            return
        }
        let d = deferredCb
        EventBase.with(bp) { base in
            if base.lock != nil { return scheduleDeferredLocked(base) }
            if Int(d.pointee.evcb_pri) >= base.priorityCount {
                // Moved to a base with fewer priorities (libevent would index
                // past its queues): use its lowest priority.
                d.pointee.evcb_pri = UInt8(truncatingIfNeeded: base.priorityCount - 1)
            }
            if base.scheduleDeferred(d) { incref() }
            base.notifyIfNeeded()
        }
    }

    /// The reference is taken before the base lock is let go: another
    /// thread's loop may run (and release) the callback from then on.
    @inline(never)
    private func scheduleDeferredLocked(_ base: EventBase) {
        let d = deferredCb
        base.lockBase()
        if Int(d.pointee.evcb_pri) >= base.priorityCount {
            d.pointee.evcb_pri = UInt8(truncatingIfNeeded: base.priorityCount - 1)
        }
        if base.scheduleDeferred(d) { incref() }
        base.notifyIfNeeded()
        base.unlockBase()
    }

    /// bufferevent_run_readcb_.
    @_optimize(speed)
    func runReadCallback(_ opts: Int32) {
        guard let cb = bev.pointee.readcb else { return }
        if (options | opts) & BevOpt.deferCallbacks != 0 {
            readcbPending = true
            scheduleDeferred()
        } else {
            cb(bev, cbarg)
            inputWatermarkCheck()
        }
    }

    /// bufferevent_run_writecb_.
    @_optimize(speed)
    func runWriteCallback(_ opts: Int32) {
        guard let cb = bev.pointee.writecb else { return }
        if (options | opts) & BevOpt.deferCallbacks != 0 {
            writecbPending = true
            scheduleDeferred()
        } else {
            cb(bev, cbarg)
        }
    }

    /// bufferevent_run_eventcb_: errno at this moment goes with the event.
    func runEventCallback(_ what: Int16, _ opts: Int32) {
        guard let cb = bev.pointee.errorcb else { return }
        if (options | opts) & BevOpt.deferCallbacks != 0 {
            eventcbPending |= what
            errnoPending = Sys.errno
            scheduleDeferred()
        } else {
            cb(bev, what, cbarg)
        }
    }

    /// While the input sits at or over the read high watermark and reading
    /// is wanted, the read callback is called again (deferred) after each run.
    func inputWatermarkCheck() {
        let high = bev.pointee.wm_read.high
        if high == 0 || enabled & EV.read == 0 || !reaches(input.totalLen, high) { return }
        trigger(EV.read, BevOpt.deferCallbacks)
    }

    /// The deferred callback, from the loop (with BEV_OPT_UNLOCK_CALLBACKS
    /// the lock is released while each user callback runs).
    @_optimize(speed)
    func runDeferred() {
        let b = bev
        lockBev()
        let unlocked = options & BevOpt.unlockCallbacks != 0
        if eventcbPending & BevEvent.connected != 0, let cb = b.pointee.errorcb {
            // The connection came before any data: report it first.
            eventcbPending &= ~BevEvent.connected
            let arg = b.pointee.cbarg
            if unlocked { unlockBev() }
            cb(b, BevEvent.connected, arg)
            if unlocked { lockBev() }
        }
        if readcbPending, let cb = b.pointee.readcb {
            readcbPending = false
            let arg = b.pointee.cbarg
            if unlocked { unlockBev() }
            cb(b, arg)
            if unlocked { lockBev() }
            inputWatermarkCheck()
        }
        if writecbPending, let cb = b.pointee.writecb {
            writecbPending = false
            let arg = b.pointee.cbarg
            if unlocked { unlockBev() }
            cb(b, arg)
            if unlocked { lockBev() }
        }
        if eventcbPending != 0, let cb = b.pointee.errorcb {
            let what = eventcbPending
            let err = errnoPending
            let arg = b.pointee.cbarg
            eventcbPending = 0
            errnoPending = 0
            if unlocked { unlockBev() }
            Sys.errno = err
            cb(b, what, arg)
            if unlocked { lockBev() }
        }
        decref()
        unlockBev()
    }

    /// bufferevent_trigger_nolock_: read callback when the input is at the
    /// low watermark or more, write callback when the output is at its low
    /// watermark or less (either regardless, with BEV_TRIG_IGNORE_WATERMARKS).
    @_optimize(speed)
    func trigger(_ iotype: Int16, _ opts: Int32) {
        let ignore = opts & BevOpt.ignoreWatermarks != 0
        if iotype & EV.read != 0 && (ignore || reaches(input.totalLen, bev.pointee.wm_read.low)) {
            runReadCallback(opts)
        }
        if iotype & EV.write != 0 && (ignore || reaches(bev.pointee.wm_write.low, output.totalLen)) {
            runWriteCallback(opts)
        }
    }

    // MARK: enable / disable / suspend

    func enable(_ events: Int16) -> Int32 {
        incref()
        var impl = events
        if readSuspended != 0 { impl &= ~EV.read }
        if writeSuspended != 0 { impl &= ~EV.write }
        bev.pointee.enabled |= events
        var r: Int32 = 0
        if impl != 0 && kindEnable(impl) < 0 { r = -1 }
        if r != 0 { Log.debugx("bufferevent_enable: cannot enable 0x\(String(Int(events), radix: 16)) on \(hexPointer(bev))") }
        decref()
        return r
    }

    func disable(_ events: Int16) -> Int32 {
        bev.pointee.enabled &= ~events
        let r: Int32 = kindDisable(events) < 0 ? -1 : 0
        if r != 0 { Log.debugx("bufferevent_disable: cannot disable 0x\(String(Int(events), radix: 16)) on \(hexPointer(bev))") }
        return r
    }

    func suspendRead(_ what: UInt8) {
        if readSuspended == 0 { _ = kindDisable(EV.read) }
        readSuspended |= what
    }

    func unsuspendRead(_ what: UInt8) {
        readSuspended &= ~what
        if readSuspended == 0 && enabled & EV.read != 0 { _ = kindEnable(EV.read) }
    }

    func suspendWrite(_ what: UInt8) {
        if writeSuspended == 0 { _ = kindDisable(EV.write) }
        writeSuspended |= what
    }

    func suspended(write w: Bool) -> UInt8 { w ? writeSuspended : readSuspended }

    func suspend(_ what: UInt8, write w: Bool) {
        if w { suspendWrite(what) } else { suspendRead(what) }
    }

    func unsuspend(_ what: UInt8, write w: Bool) {
        if w { unsuspendWrite(what) } else { unsuspendRead(what) }
    }

    func unsuspendWrite(_ what: UInt8) {
        writeSuspended &= ~what
        if writeSuspended == 0 && enabled & EV.write != 0 { _ = kindEnable(EV.write) }
    }

    // MARK: settings

    func setCallbacks(_ r: bufferevent_data_cb?, _ w: bufferevent_data_cb?, _ e: bufferevent_event_cb?, _ arg: UnsafeMutableRawPointer?) {
        bev.pointee.readcb = r
        bev.pointee.writecb = w
        bev.pointee.errorcb = e
        bev.pointee.cbarg = arg
    }

    func setTimeouts(_ r: timeval?, _ w: timeval?) -> Int32 {
        bev.pointee.timeout_read = r ?? timeval()
        bev.pointee.timeout_write = w ?? timeval()
        return adjustTimeouts()
    }

    /// bufferevent_setwatermark. A read high watermark is enforced by a
    /// callback on the input buffer that suspends and resumes reading.
    func setWatermark(_ events: Int16, _ low: Int, _ high: Int) {
        if events & EV.write != 0 {
            bev.pointee.wm_write.low = low
            bev.pointee.wm_write.high = high
        }
        guard events & EV.read != 0 else { return }
        bev.pointee.wm_read.low = low
        bev.pointee.wm_read.high = high
        if high != 0 {
            if readWatermarksEntry == nil {
                readWatermarksEntry = input.addCallback(unsafeBitCast(inputWatermarkCallback, to: UnsafeRawPointer.self),
                                                        UnsafeMutableRawPointer(bev))
            }
            readWatermarksEntry?.pointee.flags |= CbFlag.enabled | CbFlag.noDefer
            if reaches(input.totalLen, high) {
                suspendRead(Suspend.watermark)
            } else {
                unsuspendRead(Suspend.watermark)
            }
        } else {
            readWatermarksEntry?.pointee.flags &= ~CbFlag.enabled
            unsuspendRead(Suspend.watermark)
        }
    }

    func flush(_ iotype: Int16, _ mode: Int32) -> Int32 { kindFlush(iotype, mode) }

    // MARK: data

    func write(_ data: UnsafeRawPointer?, _ size: Int) -> Int32 {
        output.add(data, size) == -1 ? -1 : 0
    }

    func writeBuffer(_ buf: EvBuffer) -> Int32 {
        output.addBuffer(buf) == -1 ? -1 : 0
    }

    func read(_ data: UnsafeMutableRawPointer?, _ size: Int) -> Int {
        input.remove(data, UInt(bitPattern: size))
    }

    func readBuffer(_ buf: EvBuffer) -> Int32 {
        buf.addBuffer(input)
    }

    // MARK: limits

    /// bufferevent_get_read_max_ / write_max_: the single-call cap, narrowed
    /// by the bufferevent's buckets and its group's share.
    @inline(__always)
    func readMax() -> Int { rate == nil ? maxSingleRead : RateLimit.maxAllowed(self, write: false) }
    @inline(__always)
    func writeMax() -> Int { rate == nil ? maxSingleWrite : RateLimit.maxAllowed(self, write: true) }

    /// Charge the rate limits (if any) for bytes moved.
    @inline(__always)
    func charge(_ n: Int, write: Bool) { if rate != nil { RateLimit.charge(self, n, write: write) } }
}

extension EventBase {
    /// Take a set of callbacks off the base and have `fn` run once, from the
    /// loop, when none of them can run any more: the one running now (if
    /// any) becomes the finalizer, otherwise the first.
    func finalizeMany(_ cbs: [CallbackPtr], _ fn: @convention(c) (CallbackPtr?, UnsafeMutableRawPointer?) -> Void) {
        var pending = 0
        for cb in cbs {
            if cb == currentEvent {
                finalizeCallback(cb, fn)
                pending += 1
            } else {
                cancelCallback(cb, evenIfFinalizing: false)
            }
        }
        if pending == 0, let first = cbs.first { finalizeCallback(first, fn) }
    }

    func finalizeCallback(_ cb: CallbackPtr, _ fn: @convention(c) (CallbackPtr?, UnsafeMutableRawPointer?) -> Void) {
        if cb.isEvent {
            _ = del(cb.asEvent, mode: .noBlock)
        } else {
            cancelCallback(cb, evenIfFinalizing: false)
        }
        cb.pointee.evcb_closure = Closure.callbackFinalize
        cb.pointee.evcb_cb_union.evcb_cbfinalize = fn
        activateCallback(cb)
        cb.flags |= EVList.finalizing
    }
}

// MARK: base and priority (socket bufferevents only, as in libevent)

extension BufferEvent {
    /// bufferevent_base_set: move an idle socket bufferevent to `base`.
    func setBase(_ base: EventBase) -> Int32 {
        guard self is SocketBufferEvent else { return -1 }
        bev.pointee.ev_base = base.cPointer
        for ev in [evRead, evWrite] {
            // event_base_set: only for an event that is not in use.
            if ev.flags != EVList.initialized { return -1 }
            ev.pointee.ev_base = base.cPointer
            ev.priority = base.priorityCount / 2
        }
        return 0
    }

    /// bufferevent_priority_set: the socket events and the deferred callback.
    func setPriority(_ pri: Int32) -> Int32 {
        guard self is SocketBufferEvent else { return -1 }
        for ev in [evRead, evWrite] {
            guard let b = ev.baseRef else { return -1 }
            let r: Int32 = EventBase.with(b) { base in
                base.locked {
                    if ev.flags & EVList.active != 0 || pri < 0 || Int(pri) >= base.priorityCount { return -1 }
                    ev.priority = Int(pri)
                    return 0
                }
            }
            if r != 0 { return -1 }
        }
        deferredCb.pointee.evcb_pri = UInt8(truncatingIfNeeded: pri)
        return 0
    }

    func priority() -> Int32 {
        if evRead.flags & EVList.initialized != 0 { return Int32(evRead.priority) }
        guard let b = bev.pointee.ev_base ?? Globals.currentBase else { return 0 }
        return Int32(EventBase.from(b).priorityCount / 2)
    }
}
