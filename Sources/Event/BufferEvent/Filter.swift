import CEventSys

// Filtering bufferevents: a bufferevent layered on another (the underlying
// one), whose data passes through two filter functions. The input filter
// moves the underlying input into ours, the output filter moves our output
// into the underlying output. We take over the underlying's callbacks, keep
// a reference on it, and hold its reading suspended while ours is off.
// Filters return BEV_OK (progress), BEV_NEED_MORE or BEV_ERROR; anything
// but BEV_OK stops the current round. In BEV_NORMAL mode the filters get a
// limit (room below the destination's high watermark, or -1); BEV_FLUSH and
// BEV_FINISHED (from bufferevent_flush) ignore the watermarks.

typealias FilterFunction = @convention(c) (OpaquePointer?, OpaquePointer?, Int, bufferevent_flush_mode, UnsafeMutableRawPointer?) -> bufferevent_filter_result
typealias ContextFree = @convention(c) (UnsafeMutableRawPointer?) -> Void

enum FilterResult {
    static let ok: UInt32 = 0
    static let needMore: UInt32 = 1
    static let error: UInt32 = 2
}

/// The filter used when none is given: copy up to the limit.
private let nullFilter: FilterFunction = { src, dst, limit, _, _ in
    guard let src, let dst else { return bufferevent_filter_result(FilterResult.error) }
    let moved = EvBuffer.from(src).removeBuffer(to: EvBuffer.from(dst), limit < 0 ? Int.max : limit)
    return bufferevent_filter_result(moved >= 0 ? FilterResult.ok : FilterResult.error)
}

private func filterOf(_ arg: UnsafeMutableRawPointer?) -> FilterBufferEvent? {
    guard let arg else { return nil }
    return unsafeDowncast(BufferEvent.from(arg), to: FilterBufferEvent.self)
}

// The underlying bufferevent's callbacks (cbarg: the filter).
private let underlyingRead: bufferevent_data_cb = { u, arg in
    guard let f = filterOf(arg), let u else { return }
    f.locked { _ in
        if f.refcnt > 0 { f.readFromUnderlying(BufferEvent.from(u)) }
    }
}

private let underlyingWrite: bufferevent_data_cb = { _, arg in
    guard let f = filterOf(arg) else { return }
    f.locked { _ in
        if f.refcnt > 0 {
            var any = false
            _ = f.processOutput(FlushMode.normal, &any)
        }
    }
}

private let underlyingEvent: bufferevent_event_cb = { _, what, arg in
    guard let f = filterOf(arg) else { return }
    // All we can do is pass it on.
    f.locked { _ in
        if f.refcnt > 0 { f.runEventCallback(what, 0) }
    }
}

/// Our output callback: new data goes through the output filter.
private let filterOutputCallback: BufferCallback = { _, info, arg in
    guard let info, let f = filterOf(arg) else { return }
    if info.pointee.n_added != 0 {
        var any = false
        f.lockBev()
        f.incref()
        _ = f.processOutput(FlushMode.normal, &any)
        f.decref()
        f.unlockBev()
    }
}

/// Our input callback, enabled only while data waits in the underlying
/// input because ours was full: room again means filter more.
private let filterInputCallback: BufferCallback = { _, _, arg in
    guard let f = filterOf(arg) else { return }
    f.locked { _ in
        let mode = f.gotEof ? FlushMode.finished : FlushMode.normal
        if !f.inputFull(mode) {
            f.inputEntry?.pointee.flags &= ~CbFlag.enabled
            if let u = f.under, u.input.totalLen > 0 { f.readFromUnderlying(u) }
        }
    }
}

final class FilterBufferEvent: BufferEvent {
    var under: BufferEvent?
    var outputEntry: CbEntryPtr? = nil
    var inputEntry: CbEntryPtr? = nil
    var gotEof = false
    var freeContext: ContextFree?
    var processIn: FilterFunction
    var processOut: FilterFunction
    var context: UnsafeMutableRawPointer?


    private init?(base: OpaquePointer?, options: Int32, under: BufferEvent, input: FilterFunction, output: FilterFunction,
                  freeContext: ContextFree?, context: UnsafeMutableRawPointer?) {
        self.under = under
        processIn = input
        processOut = output
        self.freeContext = freeContext
        self.context = context
        super.init(base: base, options: options)
    }

    /// bufferevent_filter_new.
    static func create(_ u: BufferEvent, _ input: FilterFunction?, _ output: FilterFunction?, _ options: Int32,
                       _ freeContext: ContextFree?, _ ctx: UnsafeMutableRawPointer?) -> FilterBufferEvent? {
        let mark = Memory.failureMark()
        guard let f = FilterBufferEvent(base: u.bev.pointee.ev_base, options: options & ~BevOpt.threadsafe, under: u,
                                        input: input ?? nullFilter, output: output ?? nullFilter,
                                        freeContext: freeContext, context: ctx) else { return nil }
        // libevent gives the filter a lock of its own (made before the
        // underlying bufferevent is attached; failure is ignored).
        if options & BevOpt.threadsafe != 0 {
            let u = f.under
            f.under = nil
            _ = f.enableLocking(nil)
            f.under = u
        }
        let arg = UnsafeMutableRawPointer(f.bev)
        f.outputEntry = f.output.addCallback(unsafeBitCast(filterOutputCallback, to: UnsafeRawPointer.self), arg)
        f.inputEntry = f.input.addCallback(unsafeBitCast(filterInputCallback, to: UnsafeRawPointer.self), arg)
        // Out of memory: undo before the underlying bufferevent is touched
        // (libevent ignores a failed callback entry and crashes later).
        if f.outputEntry == nil || f.inputEntry == nil || Memory.failed(since: mark) {
            f.under = nil
            f.discard()
            return nil
        }
        f.inputEntry?.pointee.flags &= ~CbFlag.enabled
        u.setCallbacks(underlyingRead, underlyingWrite, underlyingEvent, arg)
        f.assignGenericTimeouts()
        u.incref()
        _ = u.enable(EV.read | EV.write)
        u.suspendRead(Suspend.filterRead)
        return f
    }

    override var underlying: BufferEvent? { under }

    /// Our input is at or over its high watermark (normal mode only).
    func inputFull(_ mode: Int32) -> Bool {
        let high = bev.pointee.wm_read.high
        return mode == FlushMode.normal && high != 0 && reaches(input.totalLen, high)
    }

    /// The underlying output is at or over its high watermark (normal mode only).
    func underlyingOutputFull(_ mode: Int32) -> Bool {
        guard let u = under else { return true }
        let high = u.bev.pointee.wm_write.high
        return mode == FlushMode.normal && high != 0 && reaches(u.output.totalLen, high)
    }

    @inline(__always)
    private func call(_ fn: FilterFunction, _ src: EvBuffer, _ dst: EvBuffer, _ limit: Int, _ mode: Int32) -> UInt32 {
        return fn(src.cPointer, dst.cPointer, limit, bufferevent_flush_mode(UInt32(bitPattern: mode)), context).rawValue
    }

    /// be_filter_process_input: run the input filter while it makes
    /// progress, reading is enabled, data waits and our input has room.
    @discardableResult
    func processInput(_ mode: Int32, _ processed: inout Bool) -> UInt32 {
        guard let u = under else { return FilterResult.error }
        if mode == FlushMode.normal && (enabled & EV.read == 0 || inputFull(mode)) { return FilterResult.ok }
        var res: UInt32
        repeat {
            var limit = -1
            let high = bev.pointee.wm_read.high
            if mode == FlushMode.normal && high != 0 { limit = high &- input.totalLen }
            res = call(processIn, u.input, input, limit, mode)
            if res == FilterResult.ok { processed = true }
        } while res == FilterResult.ok && enabled & EV.read != 0 && u.input.totalLen > 0 && !inputFull(mode)
        if processed { resetGenericReadTimeout() }
        return res
    }

    /// be_filter_process_output: run the output filter while it makes
    /// progress, writing is enabled, output waits and the underlying output
    /// has room; the write callback after each productive round.
    @discardableResult
    func processOutput(_ mode: Int32, _ processedOut: inout Bool) -> UInt32 {
        guard let u = under else { return FilterResult.error }
        if mode == FlushMode.normal && (enabled & EV.write == 0 || underlyingOutputFull(mode) || output.totalLen == 0) {
            return FilterResult.ok
        }
        // Our own additions to the output must not re-enter.
        outputEntry?.pointee.flags &= ~CbFlag.enabled
        var res = FilterResult.ok
        var again: Bool
        repeat {
            var processed = false
            again = false
            repeat {
                var limit = -1
                let high = u.bev.pointee.wm_write.high
                if mode == FlushMode.normal && high != 0 { limit = high &- u.output.totalLen }
                res = call(processOut, output, u.output, limit, mode)
                if res == FilterResult.ok {
                    processed = true
                    processedOut = true
                }
            } while res == FilterResult.ok && enabled & EV.write != 0 && output.totalLen > 0 && !underlyingOutputFull(mode)
            if processed {
                trigger(EV.write, 0)
                if res == FilterResult.ok && enabled & EV.write != 0 && output.totalLen > 0 && !underlyingOutputFull(mode) {
                    again = true
                }
            }
        } while again
        outputEntry?.pointee.flags |= CbFlag.enabled
        if processedOut { resetGenericWriteTimeout() }
        return res
    }

    /// be_filter_read_nolock_: data arrived below (or room appeared above).
    func readFromUnderlying(_ u: BufferEvent) {
        let mode = gotEof ? FlushMode.finished : FlushMode.normal
        var any = false
        processInput(mode, &any)
        if any {
            trigger(EV.read, 0)
            if u.input.totalLen > 0 && inputFull(mode) {
                // Data stays below because we are full: watch our input.
                inputEntry?.pointee.flags |= CbFlag.enabled
            }
        }
    }

    // MARK: kind operations

    override func kindEnable(_ events: Int16) -> Int32 {
        if events & EV.write != 0 { resetGenericWriteTimeout() }
        if events & EV.read != 0 {
            resetGenericReadTimeout()
            under?.unsuspendRead(Suspend.filterRead)
        }
        return 0
    }

    override func kindDisable(_ events: Int16) -> Int32 {
        if events & EV.write != 0 { _ = BufferEvent.del(evWrite) }
        if events & EV.read != 0 {
            _ = BufferEvent.del(evRead)
            under?.suspendRead(Suspend.filterRead)
        }
        return 0
    }

    /// CLOSE_ON_FREE frees the underlying bufferevent; otherwise it gets its
    /// callbacks cleared (if still ours) and its reading back.
    override func unlink() {
        guard let u = under else { return }
        if options & BevOpt.closeOnFree != 0 {
            if u.refcnt < 2 {
                Log.warnx("BEV_OPT_CLOSE_ON_FREE set on an bufferevent with too few references")
            } else {
                bufferevent_free(u.bev)
            }
        } else {
            if let cb = u.bev.pointee.errorcb, unsafeBitCast(cb, to: UnsafeRawPointer.self) == unsafeBitCast(underlyingEvent, to: UnsafeRawPointer.self) {
                u.setCallbacks(nil, nil, nil, nil)
            }
            u.unsuspendRead(Suspend.filterRead)
        }
    }

    override func destruct() {
        freeContext?(context)
        if let e = inputEntry {
            _ = input.removeCallback(e)
            inputEntry = nil
        }
    }

    override func kindFlush(_ iotype: Int16, _ mode: Int32) -> Int32 {
        var any = false
        incref()
        if iotype & EV.read != 0 { processInput(mode, &any) }
        if iotype & EV.write != 0 { processOutput(mode, &any) }
        if let u = under { _ = u.flush(iotype, mode) }
        decref()
        return any ? 1 : 0
    }

    override func getFd() -> Int32? { under?.getFd() }
    override func setFd(_ fd: Int32) -> Int32 { under?.setFd(fd) ?? -1 }
}
