import CEventSys

/// struct evbuffer_cb_entry: one registered change callback.
struct CbEntry {
    var next: CbEntryPtr?
    var prev: CbEntryPtr?
    /// evbuffer_cb_func, or the 1.x evbuffer_cb when `obsolete` is set.
    var fn: UnsafeRawPointer?
    var arg: UnsafeMutableRawPointer?
    var flags: UInt32
}

typealias CbEntryPtr = UnsafeMutablePointer<CbEntry>
typealias BufferCallback = @convention(c) (OpaquePointer?, UnsafePointer<evbuffer_cb_info>?, UnsafeMutableRawPointer?) -> Void
typealias ObsoleteBufferCallback = @convention(c) (OpaquePointer?, Int, Int, UnsafeMutableRawPointer?) -> Void

enum CbFlag {
    static let enabled: UInt32 = 1
    /// Run right away even when the buffer defers its callbacks.
    static let noDefer: UInt32 = 2
    /// Bits callers cannot set or clear.
    static let internalMask: UInt32 = 0xffff_0000
    static let obsolete: UInt32 = 0x0004_0000
    /// Unlinked while callbacks were running; freed when they finish.
    static let removed: UInt32 = 0x0080_0000
}

/// Most deferred callbacks a base runs in one loop iteration before the
/// rest wait for the next one (libevent's MAX_DEFERREDS_QUEUED).
private let maxDeferredPerIteration = 32

extension EventBase {
    /// Queue a deferred callback (evbuffer/bufferevent callbacks): true when
    /// it was not queued already.
    @_optimize(speed)
    func scheduleDeferred(_ cb: CallbackPtr) -> Bool {
        let f = cb.flags
        if f & (EVList.active | EVList.activeLater | EVList.finalizing) == 0 && deferredQueued <= maxDeferredPerIteration {
            // The usual case, an idle callback: straight onto its queue
            // (what activateCallback does for it, without its other cases).
            insertActive(cb)
            deferredQueued &+= 1
            return true
        }
        if deferredQueued > maxDeferredPerIteration {
            if cb.flags & (EVList.active | EVList.activeLater) != 0 { return false }
            insertActiveLater(cb)
            return true
        }
        let r = activateCallback(cb)
        if r != 0 { deferredQueued += 1 }
        return r != 0
    }
}

/// Runs a buffer's deferred callbacks from the loop.
private let deferredBufferCallback: SelfCallback = { _, arg in
    guard let arg else { return }
    Unmanaged<EvBuffer>.fromOpaque(arg)._withUnsafeGuaranteedRef { buf in
        buf.locked { buf.runCallbacks(runningDeferred: true) }
        buf.releaseReference()
    }
}

extension EvBuffer {
    /// Tell the callbacks about what changed since they last ran.
    @inline(__always)
    func invokeCallbacks() {
        if !watched {
            nAdded = 0
            nDeleted = 0
            return
        }
        invokeRegisteredCallbacks()
    }

    /// Callback entries or deferred reporting: program code may run when
    /// the buffer changes.
    @inline(__always)
    var hasEntries: Bool { core.hasEntries }

    /// invokeCallbacks after a removal only (see the core's version).
    @inline(__always)
    func invokeCallbacksAfterRemoval() { core.invokeCallbacksAfterRemoval() }

    @_optimize(speed)
    private func invokeRegisteredCallbacks() {
        if callbacks == nil && deferred == nil {
            // Only the owning bufferevent listens (watched, no entries).
            // Its handlers never free the buffer, so no reference is taken.
            let added = nAdded, deleted = nDeleted
            nAdded = 0
            nDeleted = 0
            notifyParent(added: added, deleted: deleted)
            return
        }
        if let d = deferred, let b = deferBase {
            // The reference rides along before another thread's loop can
            // run the callback and drop it.
            EventBase.with(b) { base in
                base.lockBase()
                if base.scheduleDeferred(d) { incref() }
                base.notifyIfNeeded()
                base.unlockBase()
            }
        }
        runCallbacks(runningDeferred: false)
    }

    /// Call the callbacks that should run now: the deferred run calls the
    /// deferrable ones, an immediate run on a deferring buffer only the
    /// NODEFER ones (leaving the counts for the deferred run).
    func runCallbacks(runningDeferred: Bool) {
        var mask = CbFlag.enabled
        var want = CbFlag.enabled
        var clear = true
        if runningDeferred {
            mask |= CbFlag.noDefer
        } else if deferred != nil {
            mask |= CbFlag.noDefer
            want |= CbFlag.noDefer
            clear = false
        }
        if !watched {
            nAdded = 0
            nDeleted = 0
            return
        }
        if nAdded == 0 && nDeleted == 0 { return }
        let newSize = totalLen
        var info = evbuffer_cb_info(orig_size: newSize &+ nDeleted &- nAdded, n_added: nAdded, n_deleted: nDeleted)
        if clear {
            nAdded = 0
            nDeleted = 0
        }
        // Keep the buffer and the entries alive while user code runs (a
        // callback may free the buffer or remove entries, itself included).
        incref()
        runningCallbacks += 1
        let me = cPointer
        var e = callbacks
        while let x = e {
            e = x.pointee.next
            let f = x.pointee.flags
            if f & CbFlag.removed != 0 || f & mask != want { continue }
            guard let fn = x.pointee.fn else { continue }
            if f & CbFlag.obsolete != 0 {
                unsafeBitCast(fn, to: ObsoleteBufferCallback.self)(me, info.orig_size, newSize, x.pointee.arg)
            } else {
                unsafeBitCast(fn, to: BufferCallback.self)(me, &info, x.pointee.arg)
            }
        }
        // The owner's notification runs where its entry, the oldest and
        // deferrable like libevent's, would have run: last.
        if core.pointee.notifiesParent && (runningDeferred || deferred == nil) {
            notifyParent(added: info.n_added, deleted: info.n_deleted)
        }
        runningCallbacks -= 1
        if runningCallbacks == 0 { freeRemovedEntries() }
        decref()
    }

    /// Tell the owning bufferevent (core.notifiesParent) what changed. Only
    /// growth matters to it (socket: start writing; pair: pass data on), so
    /// pure drains, one per write to the fd, do not call it.
    @inline(__always)
    private func notifyParent(added: Int, deleted: Int) {
        if added != 0, let p = parent { BufferEvent.with(p) { $0.bufferChanged(added: added, deleted: deleted) } }
    }

    // MARK: registration

    /// evbuffer_add_cb: the new entry goes first.
    func addCallback(_ fn: UnsafeRawPointer?, _ arg: UnsafeMutableRawPointer?) -> CbEntryPtr? {
        guard let raw = Memory.calloc(1, MemoryLayout<CbEntry>.stride) else { return nil }
        let e = raw.bindMemory(to: CbEntry.self, capacity: 1)
        e.initialize(to: CbEntry(next: callbacks, prev: nil, fn: fn, arg: arg, flags: CbFlag.enabled))
        callbacks?.pointee.prev = e
        callbacks = e
        return e
    }

    /// evbuffer_remove_cb_entry.
    func removeCallback(_ e: CbEntryPtr) -> Int32 {
        if e.pointee.flags & CbFlag.removed != 0 { return -1 }
        if let p = e.pointee.prev { p.pointee.next = e.pointee.next } else { callbacks = e.pointee.next }
        if let n = e.pointee.next { n.pointee.prev = e.pointee.prev }
        if runningCallbacks > 0 {
            // The running loop may still hold it as its next entry.
            e.pointee.flags |= CbFlag.removed
            e.pointee.prev = removedEntries
            removedEntries = e
        } else {
            Memory.free(UnsafeMutableRawPointer(e))
        }
        return 0
    }

    /// evbuffer_remove_cb: the first entry with this function and argument.
    func removeCallback(fn: UnsafeRawPointer?, arg: UnsafeMutableRawPointer?) -> Int32 {
        var e = callbacks
        while let x = e {
            if x.pointee.fn == fn && x.pointee.arg == arg { return removeCallback(x) }
            e = x.pointee.next
        }
        return -1
    }

    func removeAllCallbacks() {
        // The owner's notification goes too (libevent removes its entry).
        core.pointee.notifiesParent = false
        while let e = callbacks { _ = removeCallback(e) }
        if runningCallbacks == 0 { freeRemovedEntries() }
    }

    private func freeRemovedEntries() {
        while let e = removedEntries {
            removedEntries = e.pointee.prev
            Memory.free(UnsafeMutableRawPointer(e))
        }
    }

    /// evbuffer_setcb (1.x): replace every callback by one old-style
    /// callback; -1 when its entry cannot be allocated (the old ones are
    /// gone by then, as in libevent).
    func setObsoleteCallback(_ fn: UnsafeRawPointer?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
        removeAllCallbacks()
        guard let fn else { return 0 }
        guard let e = addCallback(fn, arg) else { return -1 }
        e.pointee.flags |= CbFlag.obsolete
        return 0
    }

    // MARK: deferral

    /// evbuffer_defer_callbacks: from now on callbacks run from `base`'s
    /// loop, coalesced, at the middle priority. -1 when the deferred
    /// callback's record cannot be allocated (nothing changes then).
    func deferCallbacks(to base: EventBase) -> Int32 {
        guard let d = deferred ?? Memory.tryAllocate(event_callback.self, count: 1) else { return -1 }
        if let d = deferred, d.flags & (EVList.active | EVList.activeLater) != 0 {
            // Already queued somewhere: let that run go (and its reference).
            if let old = deferBase {
                EventBase.with(old) { base in base.locked { _ = base.cancelCallback(d, evenIfFinalizing: true) } }
            }
            refcnt -= 1
        }
        d.initialize(to: event_callback())
        d.pointee.evcb_cb_union.evcb_selfcb = deferredBufferCallback
        d.pointee.evcb_arg = Unmanaged.passUnretained(self).toOpaque()
        d.pointee.evcb_pri = UInt8(truncatingIfNeeded: base.priorityCount / 2)
        d.pointee.evcb_closure = Closure.selfCallback
        deferred = d
        deferBase = base.cPointer
        return 0
    }
}
