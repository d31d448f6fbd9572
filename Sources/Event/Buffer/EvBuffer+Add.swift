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
            // It fits, or fits once the data moves to the chain's start.
            let fits = remain >= datlen
            if fits || EvBuffer.shouldRealign(chain, datlen) {
                if !fits { EvBuffer.realign(chain) }
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
            nAdded &+= remain
            src += remain
        }
        let rest = datlen - remain
        if rest > 0 { memcpy(tmp.pointee.buffer, src, rest) }
        tmp.pointee.off = rest
        insert(tmp)
        nAdded &+= rest
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
        var room = 0
        if chain.pointee.flags & ChainFlag.immutable == 0 {
            // An empty chain is all free space, usable from its end.
            if chain.pointee.off == 0 { chain.pointee.misalign = chain.pointee.bufferLen }
            room = chain.pointee.misalign
            if room >= datlen {
                memcpy(chain.pointee.buffer + room - datlen, data, datlen)
                chain.pointee.off += datlen
                chain.pointee.misalign -= datlen
                totalLen += datlen
                nAdded &+= datlen
                invokeCallbacks()
                return 0
            }
        }
        let left = datlen - room
        // The chain for the rest comes first: libevent copies the tail that
        // fits from the end of the caller's data before finding out that
        // the rest cannot be allocated (reading far past a length nobody
        // can back).
        guard let tmp = newChain(left) else { return -1 }
        if room > 0 {
            memcpy(chain.pointee.buffer, data + left, room)
            chain.pointee.off += room
            totalLen += room
            nAdded &+= room
            chain.pointee.misalign = 0
        }
        first = tmp
        if lwdSlot == nil && chain.pointee.off != 0 { lwdSlot = tmp }
        tmp.pointee.next = chain
        tmp.pointee.off = left
        tmp.pointee.misalign = tmp.pointee.bufferLen - left
        memcpy(tmp.pointee.buffer + tmp.pointee.misalign, data, left)
        totalLen += left
        nAdded &+= left
        invokeCallbacks()
        return 0
    }

    /// evbuffer_add_iovec: room for everything first, then one add per
    /// vector until one fails; the bytes added. As in libevent the room is
    /// sized by the lengths' size_t sum, which may wrap: then the vectors
    /// before the first impossible one are still added.
    func addIovec(_ vec: UnsafeMutablePointer<iovec>?, _ n: Int) -> Int {
        guard n > 0, let vec else {
            return expandFast(0, 2) < 0 ? 0 : 0
        }
        var total: UInt = 0
        for i in 0..<n { total &+= UInt(bitPattern: vec[i].iov_len) }
        if expandFast(total > UInt(Int.max) ? Int.max : Int(total), 2) < 0 { return 0 }
        var res: UInt = 0
        for i in 0..<n {
            if add(vec[i].iov_base, bufferSize(vec[i].iov_len)) < 0 { break }
            res &+= UInt(bitPattern: vec[i].iov_len)
        }
        return Int(bitPattern: res)
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
        nAdded &+= n
        advanceLastWithData()
        invokeCallbacks()
    }
}
