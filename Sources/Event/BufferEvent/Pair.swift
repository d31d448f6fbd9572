import CEventSys

// Paired bufferevents: what one writes appears in the other's input, with no
// socket. Data moves when the writer has write enabled and the reader has
// read enabled and is not suspended (up to the reader's high watermark),
// either as it is written or when either side enables. Callbacks are always
// deferred. ev_read / ev_write only carry the timeouts. Freeing one side
// unlinks the other: its later writes stay in its output buffer.

final class PairBufferEvent: BufferEvent {
    /// Unretained: each side's finalization unlinks the other first.
    private var partnerRef: Unmanaged<PairBufferEvent>? = nil
    var partner: PairBufferEvent? {
        get { partnerRef?.takeUnretainedValue() }
        set { partnerRef = newValue.map { Unmanaged.passUnretained($0) } }
    }

    /// `body` on the partner, if linked, without retaining it.
    @inline(__always)
    func withPartner(_ body: (PairBufferEvent) -> Void) {
        partnerRef?._withUnsafeGuaranteedRef(body)
    }


    private static func makeElement(_ base: OpaquePointer?, _ options: Int32) -> PairBufferEvent? {
        let mark = Memory.failureMark()
        guard let b = PairBufferEvent(base: base, options: options) else { return nil }
        if Memory.failed(since: mark) {
            b.discard()
            return nil
        }
        b.output.core.pointee.notifiesParent = true
        b.assignGenericTimeouts()
        return b
    }

    /// bufferevent_pair_new.
    static func create(base: OpaquePointer, options: Int32) -> (PairBufferEvent, PairBufferEvent)? {
        let opts = options | BevOpt.deferCallbacks
        guard let a = makeElement(base, opts) else { return nil }
        _ = a.publish()
        // The second side shares the first one's lock (so needs none of its own).
        guard let b = makeElement(base, opts & ~BevOpt.threadsafe) else {
            bufferevent_free(a.bev)
            return nil
        }
        _ = b.publish()
        if options & BevOpt.threadsafe != 0 { _ = b.enableLocking(a.lock) }
        a.partner = b
        b.partner = a
        a.input.freezeEnd = true
        a.output.freezeStart = true
        b.input.freezeEnd = true
        b.output.freezeStart = true
        return (a, b)
    }

    /// Output grew: new data goes to the partner if it is reading. The
    /// usual case needs no hold: no lock to take, and no program code can
    /// run meanwhile (a pair's callbacks are deferred; only callbacks the
    /// program put on the two buffers involved would run at once).
    @_optimize(speed)
    override func bufferChanged(added: Int, deleted: Int) {
        let hold = lock != nil || output.hasEntries || partnerRef?._withUnsafeGuaranteedRef({ $0.input.hasEntries }) == true
        if hold { holdBoth() }
        if added > deleted {
            withPartner { p in
                if wantsToTalk(to: p) { PairBufferEvent.transfer(from: self, to: p, ignoreWatermark: false) }
            }
        }
        if hold { releaseBoth() }
    }

    /// Hold references (and the shared lock) on both sides while data and
    /// callbacks move.
    @_optimize(speed)
    func holdBoth() {
        lockBev()
        incref()
        withPartner { p in
            p.lockBev()
            p.incref()
        }
    }

    @_optimize(speed)
    func releaseBoth() {
        withPartner { p in
            p.decref()
            p.unlockBev()
        }
        decref()
        unlockBev()
    }

    func wantsToTalk(to dst: PairBufferEvent) -> Bool {
        return enabled & EV.write != 0 && dst.enabled & EV.read != 0 &&
            dst.readSuspended == 0 && output.totalLen > 0
    }

    /// be_pair_transfer: move src's output into dst's input (up to dst's
    /// read high watermark unless told to ignore it), then the callbacks.
    @_optimize(speed)
    static func transfer(from src: PairBufferEvent, to dst: PairBufferEvent, ignoreWatermark: Bool) {
        src.output.freezeStart = false
        dst.input.freezeEnd = false
        defer {
            src.output.freezeStart = true
            dst.input.freezeEnd = true
        }
        var n: Int
        let high = dst.bev.pointee.wm_read.high
        if high != 0 {
            let have = dst.input.totalLen
            if !reaches(have, high) {
                // Unsigned room, as libevent computes it; more than ssize_t
                // means "everything".
                n = high &- have
                _ = src.output.removeBuffer(to: dst.input, bufferSize(n))
            } else {
                if !ignoreWatermark { return }
                n = src.output.totalLen
                _ = dst.input.addBuffer(src.output)
            }
        } else {
            n = src.output.totalLen
            _ = dst.input.addBuffer(src.output)
        }
        if n != 0 {
            dst.resetGenericReadTimeout()
            if dst.output.totalLen > 0 {
                dst.resetGenericWriteTimeout()
            } else {
                BufferEvent.delIfPending(dst.evWrite)
            }
        }
        dst.trigger(EV.read, 0)
        src.trigger(EV.write, 0)
    }

    override func kindEnable(_ events: Int16) -> Int32 {
        holdBoth()
        if events & EV.read != 0 { resetGenericReadTimeout() }
        if events & EV.write != 0 && output.totalLen > 0 { resetGenericWriteTimeout() }
        // Starting to read: does the other side have something for us?
        if events & EV.read != 0, let p = partner, p.wantsToTalk(to: self) {
            PairBufferEvent.transfer(from: p, to: self, ignoreWatermark: false)
        }
        // Starting to write: is the other side reading?
        if events & EV.write != 0, let p = partner, wantsToTalk(to: p) {
            PairBufferEvent.transfer(from: self, to: p, ignoreWatermark: false)
        }
        releaseBoth()
        return 0
    }

    override func kindDisable(_ events: Int16) -> Int32 {
        if events & EV.read != 0 { _ = BufferEvent.del(evRead) }
        if events & EV.write != 0 { _ = BufferEvent.del(evWrite) }
        return 0
    }

    override func unlink() {
        if let p = partner {
            p.partner = nil
            partner = nil
            // The shared lock outlives this side: the partner takes it over.
            if ownLock && p.lock == lock {
                p.ownLock = true
                ownLock = false
            }
        }
    }

    /// BEV_FLUSH / BEV_FINISHED move everything regardless of watermarks;
    /// FINISHED also tells the partner the stream ended.
    override func kindFlush(_ iotype: Int16, _ mode: Int32) -> Int32 {
        guard let p = partner else { return -1 }
        if mode == FlushMode.normal { return 0 }
        holdBoth()
        if iotype & EV.read != 0 { PairBufferEvent.transfer(from: p, to: self, ignoreWatermark: true) }
        if iotype & EV.write != 0 { PairBufferEvent.transfer(from: self, to: p, ignoreWatermark: true) }
        if mode == FlushMode.finished {
            var what = BevEvent.eof
            if iotype & EV.read != 0 { what |= BevEvent.writing }
            if iotype & EV.write != 0 { what |= BevEvent.reading }
            p.runEventCallback(what, 0)
        }
        releaseBoth()
        return 0
    }
}
