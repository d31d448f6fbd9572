import CEventSys

/// Appending and prepending bytes; making room at the end.
extension EvBuffer {
    /// evbuffer_add (the common case is in BufferCore.add).
    @inline(__always)
    func add(_ data: UnsafeRawPointer?, _ datlen: Int) -> Int32 { core.add(data, datlen) }

    @inline(never)
    func addSlow(_ data: UnsafeRawPointer?, _ datlen: Int) -> Int32 {
        if freezeEnd { return -1 }
        if datlen > Int.max - totalLen { return -1 }
        if datlen > 0 && data == nil {
            Log.warnx("evbuffer_add: NULL data with length \(datlen)")
            return -1
        }
        if first == nil, let data {
            // No chain at all: one sized for the data.
            guard let c = newChain(datlen) else { return -1 }
            first = c
            last = c
            lwdSlot = nil
            copyBytes(c.pointee.buffer, data, datlen)
            c.pointee.off = datlen
            totalLen = datlen
            nAdded &+= datlen
            invokeCallbacks()
            return 0
        }
        var chain: ChainPtr
        if let c = lastWithData ?? last {
            chain = c
        } else {
            guard let c = newChain(datlen) else { return -1 }
            insert(c)
            chain = c
        }
        var remain = 0
        if chain.pointee.flags & ChainFlag.immutable == 0 {
            remain = chain.pointee.bufferLen &- chain.pointee.misalign &- chain.pointee.off
            if remain >= datlen {
                if datlen > 0 { memcpy(chain.spaceStart, data!, datlen) }
                chain.pointee.off &+= datlen
                totalLen &+= datlen
                nAdded &+= datlen
                invokeCallbacks()
                return 0
            }
            if EvBuffer.shouldRealign(chain, datlen) {
                EvBuffer.realign(chain)
                if datlen > 0 { memcpy(chain.spaceStart, data!, datlen) }
                chain.pointee.off &+= datlen
                totalLen &+= datlen
                nAdded &+= datlen
                invokeCallbacks()
                return 0
            }
        }
        // A new chain: twice the last one's size while that is small, and
        // at least what is left to add.
        var size = chain.pointee.bufferLen
        if size <= ChainSize.maxAuto / 2 { size <<= 1 }
        if datlen > size { size = datlen }
        guard let tmp = newChain(size) else { return -1 }
        var src = data ?? UnsafeRawPointer(tmp.pointee.buffer)
        if remain > 0 {
            memcpy(chain.spaceStart, src, remain)
            chain.pointee.off += remain
            totalLen += remain
            nAdded += remain
            src += remain
        }
        let rest = datlen - remain
        if rest > 0 { memcpy(tmp.pointee.buffer, src, rest) }
        tmp.pointee.off = rest
        insert(tmp)
        nAdded += rest
        invokeCallbacks()
        return 0
    }

    /// evbuffer_prepend.
    func prepend(_ data: UnsafeRawPointer?, _ datlen: Int) -> Int32 {
        if datlen == 0 { return 0 }
        if freezeStart { return -1 }
        if datlen > Int.max - totalLen { return -1 }
        guard let data else { return -1 }
        var chain: ChainPtr
        if let c = first {
            chain = c
        } else {
            guard let c = newChain(datlen) else { return -1 }
            insert(c)
            chain = c
        }
        var left = datlen
        if chain.pointee.flags & ChainFlag.immutable == 0 {
            // An empty chain is all free space, usable from its end.
            if chain.pointee.off == 0 { chain.pointee.misalign = chain.pointee.bufferLen }
            let room = chain.pointee.misalign
            if room >= datlen {
                memcpy(chain.pointee.buffer + room - datlen, data, datlen)
                chain.pointee.off += datlen
                chain.pointee.misalign -= datlen
                totalLen += datlen
                nAdded += datlen
                invokeCallbacks()
                return 0
            } else if room > 0 {
                memcpy(chain.pointee.buffer, data + (datlen - room), room)
                chain.pointee.off += room
                totalLen += room
                nAdded += room
                left -= room
                chain.pointee.misalign = 0
            }
        }
        guard let tmp = newChain(left) else { return -1 }
        first = tmp
        if lwdSlot == nil && chain.pointee.off != 0 { lwdSlot = tmp }
        tmp.pointee.next = chain
        tmp.pointee.off = left
        tmp.pointee.misalign = tmp.pointee.bufferLen - left
        memcpy(tmp.pointee.buffer + tmp.pointee.misalign, data, left)
        totalLen += left
        nAdded += left
        invokeCallbacks()
        return 0
    }

    /// Make the chain after the last data able to take `datlen` bytes in
    /// one piece; returns that chain (libevent's expand_singlechain).
    func expandSingle(_ datlen: Int) -> ChainPtr? {
        var slot = lwdSlot
        if let c = chain(at: slot), c.space == 0 { slot = c }
        guard let chain = chain(at: slot), chain.pointee.flags & ChainFlag.immutable == 0 else {
            return insertNew(datlen)
        }
        if chain.space >= datlen { return chain }
        if chain.pointee.off == 0 { return insertNew(datlen) }
        if EvBuffer.shouldRealign(chain, datlen) {
            EvBuffer.realign(chain)
            return chain
        }
        if chain.space < chain.pointee.bufferLen / 8 || chain.pointee.off > ChainSize.maxCopyInExpand
            || datlen >= ChainSize.max - chain.pointee.off {
            // Not worth growing this one: use the next chain if it fits, else append.
            if let n = chain.pointee.next, n.space >= datlen { return n }
            return insertNew(datlen)
        }
        // Replace the chain by a bigger copy.
        guard let tmp = newChain(chain.pointee.off + datlen) else { return nil }
        tmp.pointee.off = chain.pointee.off
        memcpy(tmp.pointee.buffer, chain.pointee.buffer + chain.pointee.misalign, chain.pointee.off)
        setChain(tmp, at: slot)
        if last == chain { last = tmp }
        tmp.pointee.next = chain.pointee.next
        release(chain)
        return tmp
    }

    /// Make `datlen` bytes of room spread over at most `n` chains (n >= 2).
    func expandFast(_ datlen: Int, _ n: Int) -> Int32 {
        guard let lastChain = last, lastChain.pointee.flags & ChainFlag.immutable == 0 else {
            return insertNew(datlen) == nil ? -1 : 0
        }
        var used = 0
        var avail = 0
        var c = lastWithData
        while let x = c {
            if x.pointee.off != 0 {
                let sp = x.space
                if sp > 0 {
                    avail += sp
                    used += 1
                }
            } else {
                x.pointee.misalign = 0
                avail += x.pointee.bufferLen
                used += 1
            }
            if avail >= datlen { return 0 }
            if used == n { break }
            c = x.pointee.next
        }
        if used < n {
            guard let tmp = newChain(datlen - avail) else { return -1 }
            last!.pointee.next = tmp
            last = tmp
            return 0
        }
        // The first n chains with room are not enough: drop the empty ones
        // and put one chain big enough in their place.
        var removeAll = false
        var from = lastWithData!
        var fromNext: ChainPtr?
        if from.pointee.off == 0 {
            removeAll = true
            avail = 0
            fromNext = from
        } else {
            avail = from.space
            fromNext = from.pointee.next
        }
        releaseAll(from: fromNext)
        if removeAll {
            zeroChainsKeepingLength()
        } else {
            from.pointee.next = nil
            last = from
        }
        guard let tmp = newChain(datlen - avail) else { return -1 }
        if removeAll {
            first = tmp
            last = tmp
            lwdSlot = nil
        } else {
            from = lastWithData!
            from.pointee.next = tmp
            last = tmp
        }
        return 0
    }

    /// Empty chains were all released: the list is empty again (the byte
    /// count is unchanged, it was zero).
    @inline(__always) private func zeroChainsKeepingLength() {
        first = nil
        last = nil
        lwdSlot = nil
    }

    /// evbuffer_reserve_space. A negative size asks for more than any
    /// chain can hold, as libevent's size_t conversion does (and fails the
    /// same way, after the same clean-up of empty chains).
    func reserve(_ size: Int, _ vec: UnsafeMutablePointer<iovec>?, _ nVec: Int) -> Int32 {
        if freezeEnd || nVec < 1 { return -1 }
        guard let vec else {
            Log.warnx("evbuffer_reserve_space: NULL vector array")
            return -1
        }
        let want = size < 0 ? Int.max : size
        if nVec == 1 {
            guard let c = expandSingle(want) else { return -1 }
            vec[0].iov_base = UnsafeMutableRawPointer(c.spaceStart)
            vec[0].iov_len = c.space
            return 1
        }
        if expandFast(want, nVec) < 0 { return -1 }
        return Int32(setupVecs(want, vec, nVec, exact: false).count)
    }

    /// Describe the free space after the data as up to `n` vectors covering
    /// `howmuch` bytes; returns how many and the slot of the first chain.
    func setupVecs(_ howmuch: Int, _ vec: UnsafeMutablePointer<iovec>, _ n: Int, exact: Bool) -> (count: Int, slot: ChainPtr?) {
        var slot = lwdSlot
        if let c = chain(at: slot), c.space == 0 { slot = c }
        var c = chain(at: slot)
        var soFar = 0
        var i = 0
        while i < n && soFar < howmuch, let x = c {
            var avail = x.space
            if exact && avail > howmuch - soFar { avail = howmuch - soFar }
            vec[i].iov_base = UnsafeMutableRawPointer(x.spaceStart)
            vec[i].iov_len = avail
            soFar += avail
            c = x.pointee.next
            i += 1
        }
        return (i, slot)
    }

    /// evbuffer_commit_space: vectors must be the ones reserve handed out,
    /// each no longer than the room it described.
    func commit(_ vec: UnsafeMutablePointer<iovec>?, _ nVecs: Int) -> Int32 {
        if freezeEnd { return -1 }
        if nVecs == 0 { return 0 }
        if nVecs > 0 && vec == nil {
            Log.warnx("evbuffer_commit_space: NULL vector array")
            return -1
        }
        var added = 0
        if nVecs == 1, let l = last, vec![0].iov_base == UnsafeMutableRawPointer(l.spaceStart) {
            let vec = vec!
            if vec[0].iov_len > l.space { return -1 }
            l.pointee.off += vec[0].iov_len
            added = vec[0].iov_len
            if added > 0 { advanceLastWithData() }
        } else {
            var firstSlot = lwdSlot
            guard let f = chain(at: firstSlot) else { return -1 }
            if f.space == 0 { firstSlot = f }
            if nVecs > 0 {
                let vec = vec!
                var c = chain(at: firstSlot)
                for i in 0..<nVecs {
                    guard let x = c else { return -1 }
                    if vec[i].iov_base != UnsafeMutableRawPointer(x.spaceStart) || vec[i].iov_len > x.space { return -1 }
                    c = x.pointee.next
                }
                var slot = firstSlot
                for i in 0..<nVecs {
                    let x = chain(at: slot)!
                    x.pointee.off += vec[i].iov_len
                    added += vec[i].iov_len
                    if vec[i].iov_len > 0 { lwdSlot = slot }
                    slot = x
                }
            }
        }
        totalLen += added
        nAdded += added
        invokeCallbacks()
        return 0
    }

    /// evbuffer_expand.
    func expand(_ datlen: Int) -> Int32 {
        return expandSingle(datlen) == nil ? -1 : 0
    }

    /// evbuffer_add_iovec: room for everything first, then one add per vector.
    func addIovec(_ vec: UnsafeMutablePointer<iovec>?, _ n: Int) -> Int {
        guard n > 0, let vec else {
            return expandFast(0, 2) < 0 ? 0 : 0
        }
        var total = 0
        for i in 0..<n {
            let (s, o) = total.addingReportingOverflow(Int(bitPattern: UInt(vec[i].iov_len)))
            if o || s < 0 { return 0 }
            total = s
        }
        if expandFast(total, 2) < 0 { return 0 }
        var res = 0
        for i in 0..<n {
            if add(vec[i].iov_base, vec[i].iov_len) < 0 { return res }
            res += vec[i].iov_len
        }
        return res
    }

    // MARK: evbuffer_add_vprintf support (the formatting is done in C)

    /// Room for at least `want` bytes at the end, for formatting into:
    /// the chain, where its free space starts, and how long it is.
    func printfSpace(_ want: Int) -> (ChainPtr, UnsafeMutablePointer<UInt8>, Int)? {
        if freezeEnd { return nil }
        guard let c = expandSingle(want) else { return nil }
        return (c, c.spaceStart, c.space)
    }

    /// `n` formatted bytes were written into the free space of `c`.
    func printfCommit(_ c: ChainPtr, _ n: Int) {
        c.pointee.off += n
        totalLen += n
        nAdded += n
        advanceLastWithData()
        invokeCallbacks()
    }
}
