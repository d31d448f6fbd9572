import CEventSys

/// Room at the end: expand, evbuffer_reserve_space / evbuffer_commit_space,
/// and the free-space vectors evbuffer_read fills.
extension EvBuffer {
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
            // iov_len is a size_t: compared unsigned, as libevent does.
            if UInt(bitPattern: vec[0].iov_len) > UInt(l.space) { return -1 }
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
                    if vec[i].iov_base != UnsafeMutableRawPointer(x.spaceStart)
                        || UInt(bitPattern: vec[i].iov_len) > UInt(x.space) { return -1 }
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
        nAdded &+= added
        invokeCallbacks()
        return 0
    }

    /// evbuffer_expand.
    func expand(_ datlen: Int) -> Int32 {
        return expandSingle(datlen) == nil ? -1 : 0
    }
}
