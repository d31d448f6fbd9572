import CEventSys

/// The operations programs call most often, on the buffer's core alone: no
/// object reference is taken, and the common case runs without a call (so
/// without saving registers). Anything else goes, by a tail call, to the
/// EvBuffer's slow path. `slow` is tested before anything else is read: a
/// locked buffer may be changing in another thread, so nothing of it but
/// that byte (Slow.locked, constant while the buffer is shared) and `lock`
/// may be read before the lock is taken.
extension UnsafeMutablePointer where Pointee == BufferCore {
    /// evbuffer_add when the bytes fit in the room after the last data.
    @inline(__always)
    func add(_ data: UnsafeRawPointer?, _ datlen: Int) -> Int32 {
        if pointee.slow & BufferCore.Slow.add == 0, let c = pointee.lastWithData ?? pointee.last,
           c.pointee.flags & ChainFlag.immutable == 0, datlen > 0, datlen <= 16, let data,
           c.pointee.bufferLen &- c.pointee.misalign &- c.pointee.off >= datlen {
            copyBytes(c.spaceStart, data, datlen)
            c.pointee.off &+= datlen
            pointee.totalLen &+= datlen
            pointee.nAdded = 0
            pointee.nDeleted = 0
            return 0
        }
        return BufferCore.addSlow(self, data, datlen)
    }

    /// evbuffer_drain of part of the first chain.
    @inline(__always)
    func drain(_ len: Int) -> Int32 {
        if pointee.slow & BufferCore.Slow.drain == 0, let c = pointee.first, len >= 0, len < c.pointee.off {
            c.pointee.misalign &+= len
            c.pointee.off &-= len
            pointee.totalLen &-= len
            pointee.nAdded = 0
            pointee.nDeleted = 0
            return 0
        }
        if pointee.slow & BufferCore.Slow.drain == 0, let c = pointee.first, c.pointee.next == nil,
           len >= c.pointee.off, c.pointee.flags & ChainFlag.special == 0, c.pointee.refcnt == 1, c.pointee.off > 0 {
            // Everything, in one plain chain: it goes to the thread's chain
            // cache (a 1 KiB one inline), so an emptied buffer keeps nothing.
            let size = c.pointee.bufferLen &+ ChainSize.header
            if size == ChainSize.minAlloc {
                if cev_chain_cache_put_1k(UnsafeMutableRawPointer(c)) == 0 { Memory.free(UnsafeMutableRawPointer(c)) }
            } else if cev_chain_cache_put(UnsafeMutableRawPointer(c), size) == 0 {
                Memory.free(UnsafeMutableRawPointer(c))
            }
            pointee.first = nil
            pointee.last = nil
            pointee.lwdSlot = nil
            pointee.totalLen = 0
            pointee.nAdded = 0
            pointee.nDeleted = 0
            return 0
        }
        return BufferCore.drainSlow(self, len)
    }
}

extension BufferCore {
    @inline(never)
    static func addSlow(_ core: CorePtr, _ data: UnsafeRawPointer?, _ datlen: Int) -> Int32 {
        if core.pointee.lock != nil {
            return core.pointee.buffer._withUnsafeGuaranteedRef { b in b.locked { b.addSlow(data, datlen) } }
        }
        if core.pointee.first == nil, core.pointee.slow & BufferCore.Slow.add == 0,
           datlen > 0, datlen <= 16, let data, let raw = cev_chain_cache_get_1k() {
            // An empty buffer and a cached chain of the size a small add gets.
            let s = raw.bindMemory(to: Chain.self, capacity: 1)
            s.initialize(to: Chain(next: nil, bufferLen: ChainSize.minAlloc &- ChainSize.header, misalign: 0, off: datlen,
                                   flags: 0, refcnt: 1,
                                   buffer: (raw + MemoryLayout<Chain>.stride).assumingMemoryBound(to: UInt8.self)))
            copyBytes(s.pointee.buffer, data, datlen)
            core.pointee.first = s
            core.pointee.last = s
            core.pointee.lwdSlot = nil
            core.pointee.totalLen = datlen
            core.pointee.nAdded = 0
            core.pointee.nDeleted = 0
            return 0
        }
        // Fits, but long or watched: still no new chain.
        if let c = core.pointee.lastWithData ?? core.pointee.last, !core.freezeEnd,
           c.pointee.flags & ChainFlag.immutable == 0, datlen > 0, let data,
           c.pointee.bufferLen &- c.pointee.misalign &- c.pointee.off >= datlen {
            copyBytes(c.spaceStart, data, datlen)
            c.pointee.off &+= datlen
            core.pointee.totalLen &+= datlen
            if !core.watched {
                core.pointee.nAdded = 0
                core.pointee.nDeleted = 0
            } else {
                core.pointee.nAdded &+= datlen
                core.pointee.buffer._withUnsafeGuaranteedRef { $0.invokeCallbacks() }
            }
            return 0
        }
        return core.pointee.buffer._withUnsafeGuaranteedRef { $0.addSlow(data, datlen) }
    }

    @inline(never)
    static func drainSlow(_ core: CorePtr, _ len: Int) -> Int32 {
        core.pointee.buffer._withUnsafeGuaranteedRef { b in b.locked { b.drainSlow(len) } }
    }
}

extension UnsafeMutablePointer where Pointee == BufferCore {
    /// Tell the callbacks (if any) about the changes.
    @inline(__always)
    func invokeCallbacks() {
        if !watched {
            pointee.nAdded = 0
            pointee.nDeleted = 0
        } else {
            pointee.buffer._withUnsafeGuaranteedRef { $0.invokeCallbacks() }
        }
    }

    /// After bytes were only removed: the owner hears of growth alone, so
    /// without entries or deferred reporting there is no one to tell.
    @inline(__always)
    func invokeCallbacksAfterRemoval() {
        if !hasEntries {
            pointee.nAdded = 0
            pointee.nDeleted = 0
        } else {
            pointee.buffer._withUnsafeGuaranteedRef { $0.invokeCallbacks() }
        }
    }

    @inline(__always) func chain(at slot: ChainPtr?) -> ChainPtr? {
        if let s = slot { return s.pointee.next }
        return pointee.first
    }

    /// evbuffer_add_buffer: every chain of `src` moves to the end of self,
    /// after self's last chain with data (trailing empty chains are freed;
    /// when self is empty, all of its chains are).
    func addBuffer(_ src: CorePtr) -> Int32 {
        if pointee.lock != nil || src.pointee.lock != nil {
            return pointee.buffer._withUnsafeGuaranteedRef { d in
                src.pointee.buffer._withUnsafeGuaranteedRef { s in EvBuffer.locked(d, s) { self.addBufferUnlocked(src) } }
            }
        }
        return addBufferUnlocked(src)
    }

    @inline(__always)
    func addBufferUnlocked(_ src: CorePtr) -> Int32 {
        let inTotal = src.pointee.totalLen
        if inTotal == 0 || src == self { return 0 }
        if freezeEnd || src.freezeStart { return -1 }
        if pointee.totalLen == 0 {
            if let f = pointee.first { pointee.buffer._withUnsafeGuaranteedRef { $0.releaseAll(from: f) } }
            pointee.first = src.pointee.first
            pointee.last = src.pointee.last
            pointee.lwdSlot = src.pointee.lwdSlot
            pointee.totalLen = inTotal
        } else {
            var slot = pointee.lwdSlot
            var c = chain(at: slot)
            while let x = c, x.pointee.off != 0 {
                slot = x
                c = x.pointee.next
            }
            if let x = c { pointee.buffer._withUnsafeGuaranteedRef { $0.releaseAll(from: x) } }
            if let s = slot { s.pointee.next = src.pointee.first } else { pointee.first = src.pointee.first }
            pointee.lwdSlot = src.pointee.lwdSlot == nil ? slot : src.pointee.lwdSlot
            pointee.last = src.pointee.last
            pointee.totalLen &+= inTotal
        }
        src.pointee.first = nil
        src.pointee.last = nil
        src.pointee.lwdSlot = nil
        src.pointee.totalLen = 0
        src.pointee.nDeleted &+= inTotal
        pointee.nAdded &+= inTotal
        src.invokeCallbacksAfterRemoval()
        invokeCallbacks()
        return 0
    }
}
