import CEventSys

/// Taking bytes out, copying them out, and moving chains between buffers.
extension EvBuffer {
    /// evbuffer_drain (the common case is in BufferCore.drain): whole
    /// chains are freed, the chain where the drain stops only moves its start.
    @inline(__always)
    func drain(_ len: Int) -> Int32 { core.drain(len) }

    @inline(never)
    func drainSlow(_ len: Int) -> Int32 {
        let old = totalLen
        if old == 0 { return 0 }
        if freezeStart { return -1 }
        var len = len
        if len >= old {
            len = old
            if let c = first, c.pointee.next == nil {
                release(c)
            } else {
                releaseAll(from: first)
            }
            zeroChains()
        } else {
            totalLen = old &- len
            var remaining = len
            var c = first!
            while remaining >= c.pointee.off {
                let next = c.pointee.next
                remaining &-= c.pointee.off
                if c == lastWithData { lwdSlot = nil }
                if c == lwdSlot { lwdSlot = nil }
                release(c)
                c = next!
            }
            first = c
            c.pointee.misalign &+= remaining
            c.pointee.off &-= remaining
        }
        nDeleted &+= len
        invokeCallbacksAfterRemoval()
        return 0
    }

    /// A caller's pos_in_chain that lies inside chain `c` (0...off): anything
    /// else is a pointer the caller scribbled on, refused before any
    /// arithmetic (libevent would read outside the chain).
    @inline(__always)
    static func inChain(_ o: Int, _ c: ChainPtr) -> Bool {
        UInt(bitPattern: o) <= UInt(bitPattern: c.pointee.off)
    }

    /// Where an evbuffer_ptr points, checked against this buffer: nil for
    /// positions libevent cannot handle either (negative, past the end).
    /// A pointer without a chain (zeroed by the caller) is located from `pos`.
    func resolve(_ p: evbuffer_ptr) -> (chain: ChainPtr?, offset: Int)? {
        if p.pos < 0 || p.pos > totalLen { return nil }
        if let c = p.internal_.chain?.assumingMemoryBound(to: Chain.self) {
            let o = p.internal_.pos_in_chain
            if !EvBuffer.inChain(o, c) { return nil }
            return (c, o)
        }
        if p.pos == totalLen { return (nil, 0) }
        var q = evbuffer_ptr()
        if ptrSet(&q, p.pos, add: false) < 0 { return nil }
        return (q.internal_.chain?.assumingMemoryBound(to: Chain.self), Int(q.internal_.pos_in_chain))
    }

    /// evbuffer_copyout_from (pos nil: from the front). `datlen` is the
    /// caller's size_t: with a position, more than ssize_t can add to it
    /// fails, as in libevent.
    func copyout(from pos: UnsafePointer<evbuffer_ptr>?, _ out: UnsafeMutableRawPointer?, _ want: UInt) -> Int {
        var chain: ChainPtr?
        var inChain = 0
        var datlen: Int
        if let pos {
            let p = pos.pointee.pos
            guard let (c, o) = resolve(pos.pointee) else {
                Log.warnx("evbuffer_copyout_from: position \(p) is outside the buffer")
                return -1
            }
            if want > UInt(Int.max - p) { return -1 }
            chain = c
            inChain = o
            datlen = Int(want)
            if datlen > totalLen - p { datlen = totalLen - p }
        } else {
            chain = first
            datlen = want > UInt(totalLen) ? totalLen : Int(want)
        }
        if datlen == 0 { return 0 }
        if freezeStart { return -1 }
        guard var dst = out?.assumingMemoryBound(to: UInt8.self) else {
            Log.warnx("evbuffer_copyout: NULL destination")
            return -1
        }
        let total = datlen
        while let c = chain {
            let n = c.pointee.off - inChain
            if datlen < n || datlen == 0 { break }
            if n > 0 { memcpy(dst, c.data + inChain, n) }
            dst += n
            datlen -= n
            chain = c.pointee.next
            inChain = 0
        }
        if datlen > 0, let c = chain {
            memcpy(dst, c.data + inChain, datlen)
        }
        return total
    }

    /// evbuffer_remove.
    func remove(_ out: UnsafeMutableRawPointer?, _ datlen: UInt) -> Int {
        var n = copyout(from: nil, out, datlen)
        if n > 0 && drain(n) < 0 { n = -1 }
        return n
    }

    /// evbuffer_add_buffer (in BufferCore).
    @inline(__always)
    func addBuffer(_ src: EvBuffer) -> Int32 { core.addBuffer(src.core) }

    /// self (empty) takes over src's list.
    private func takeChains(of src: EvBuffer) {
        first = src.first
        last = src.last
        lwdSlot = src.lwdSlot
        totalLen = src.totalLen
    }

    /// evbuffer_prepend_buffer: every chain of `src` moves to the front.
    func prependBuffer(_ src: EvBuffer) -> Int32 {
        let inTotal = src.totalLen
        if inTotal == 0 || src === self { return 0 }
        if freezeStart || src.freezeStart { return -1 }
        if totalLen == 0 {
            releaseAll(from: first)
            takeChains(of: src)
        } else {
            src.last!.pointee.next = first
            first = src.first
            totalLen += src.totalLen
            if lastWithData == nil {
                lwdSlot = src.lwdSlot
            } else if lwdSlot == nil {
                lwdSlot = src.last
            }
        }
        src.zeroChains()
        src.nDeleted &+= inTotal
        nAdded &+= inTotal
        src.invokeCallbacksAfterRemoval()
        invokeCallbacks()
        return 0
    }

    /// evbuffer_remove_buffer: whole chains move, the rest is copied.
    func removeBuffer(to dst: EvBuffer, _ datlen: Int) -> Int {
        if datlen == 0 || dst === self { return 0 }
        if dst.freezeEnd || freezeStart { return -1 }
        if datlen >= totalLen {
            let n = totalLen
            _ = dst.addBuffer(self)
            return n
        }
        var datlen = datlen
        var nread = 0
        var chain = first!
        var previous = chain
        while chain.pointee.off <= datlen {
            nread += chain.pointee.off
            datlen -= chain.pointee.off
            previous = chain
            if lwdSlot == chain { lwdSlot = nil }
            chain = chain.pointee.next!
        }
        if chain != first {
            let slot = dst.freeTrailingEmptyChains()
            if dst.first == nil {
                dst.first = first
            } else {
                dst.setChain(first, at: slot)
            }
            dst.last = previous
            previous.pointee.next = nil
            first = chain
            dst.advanceLastWithData()
            dst.totalLen += nread
            dst.nAdded &+= nread
        }
        _ = dst.add(chain.data, datlen)
        chain.pointee.misalign += datlen
        chain.pointee.off -= datlen
        nread += datlen
        totalLen -= nread
        nDeleted &+= nread
        if nread > 0 {
            dst.invokeCallbacks()
            invokeCallbacksAfterRemoval()
        }
        return nread
    }

    /// evbuffer_pullup: the first `size` bytes (negative: all) made
    /// contiguous; nil when there are fewer.
    func pullup(_ size: Int) -> UnsafeMutablePointer<UInt8>? {
        var size = size < 0 ? totalLen : size
        if size == 0 || size > totalLen { return nil }
        var chain: ChainPtr? = first!
        let head = first!
        if head.pointee.off >= size { return head.data }
        let target: ChainPtr
        var dst: UnsafeMutablePointer<UInt8>
        if head.pointee.bufferLen - head.pointee.misalign >= size && head.pointee.flags & ChainFlag.multicast == 0 {
            // Room after the first chain's bytes: copy the rest in there.
            // (Not into a view of another buffer's chain, whose free space
            // is shared with that chain and its other views: libevent does,
            // and two views pulled up that way overwrite each other.)
            let oldOff = head.pointee.off
            dst = head.pointee.buffer + head.pointee.misalign + oldOff
            target = head
            head.pointee.off = size
            size -= oldOff
            chain = head.pointee.next
        } else {
            guard let tmp = newChain(size) else {
                Log.warnErrno("evbuffer_pullup: out of memory")
                return nil
            }
            dst = tmp.pointee.buffer
            tmp.pointee.off = size
            target = tmp
            first = tmp
        }
        let lwd = lastWithData
        var removedLastWithData = false
        var removedLastWithDataSlot = false
        while let c = chain, size >= c.pointee.off {
            let next = c.pointee.next
            let n = c.pointee.off
            if n > 0 { memcpy(dst, c.data, n) }
            size -= n
            dst += n
            if c == lwd { removedLastWithData = true }
            if c == lwdSlot { removedLastWithDataSlot = true }
            release(c)
            chain = next
        }
        if let c = chain {
            memcpy(dst, c.data, size)
            c.pointee.misalign += size
            c.pointee.off -= size
        } else {
            last = target
        }
        target.pointee.next = chain
        if removedLastWithData {
            lwdSlot = nil
        } else if removedLastWithDataSlot {
            if let n = first!.pointee.next, n.pointee.off != 0 {
                lwdSlot = first
            } else {
                lwdSlot = nil
            }
        }
        return target.pointee.buffer + target.pointee.misalign
    }
}
