import CEventSys

/// evbuffer_read / evbuffer_write: readv into the free space at the end,
/// writev (or sendfile for a file chain at the front) from the start.
extension EvBuffer {
    /// Chains one read may fill.
    static let readVectors = 4
    /// Chains one write may send.
    static let writeVectors = Int(CEV_WRITE_IOVECS)

    /// evbuffer_read: at most `howmuch` bytes (negative: as many as are
    /// waiting), and never more than maxRead.
    func read(_ fd: Int32, _ howmuch: Int32) -> Int32 {
        if freezeEnd { return -1 }
        var n = Int(cev_fionread(fd))
        if n <= 0 || n > maxRead { n = maxRead }
        var want = Int(howmuch)
        if want < 0 || want > n { want = n }
        if want > 0, let c = singleReadTarget(want) {
            // One chain has room for it all (an empty buffer gets a fresh
            // chain): the vectors below would describe just that chain.
            let r = Sys.call { CEventSys.read(fd, c.spaceStart, want) }
            if r.failed {
                Sys.errno = r.errno
                return -1
            }
            let got = r.value
            if got == 0 { return 0 }
            c.pointee.off &+= got
            totalLen &+= got
            nAdded &+= got
            invokeCallbacks()
            return Int32(truncatingIfNeeded: got)
        }
        return readVectors(fd, want)
    }

    /// The general case: up to readVectors chains filled by one readv. Out
    /// of line, so the vectors on its stack cost the usual read nothing.
    @inline(never)
    private func readVectors(_ fd: Int32, _ want: Int) -> Int32 {
        if expandFast(want, EvBuffer.readVectors) == -1 { return -1 }
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: EvBuffer.readVectors) { vecs -> Int32 in
            let v = vecs.baseAddress!
            let (count, firstSlot) = setupVecs(want, v, EvBuffer.readVectors, exact: true)
            let r = Sys.call { readv(fd, v, Int32(count)) }
            if r.failed {
                Sys.errno = r.errno
                return -1
            }
            let got = r.value
            if got == 0 { return 0 }
            var remaining = got
            var slot = firstSlot
            for _ in 0..<count {
                let c = chain(at: slot)!
                let space = c.space
                if space < remaining {
                    c.pointee.off += space
                    remaining -= space
                } else {
                    c.pointee.off += remaining
                    lwdSlot = slot
                    break
                }
                slot = c
            }
            totalLen += got
            nAdded &+= got
            invokeCallbacks()
            return Int32(truncatingIfNeeded: got)
        }
    }

    /// The chain a read of `want` bytes fills alone, made ready as
    /// expandFast and setupVecs would: a new chain for an empty buffer, or
    /// the last chain with data when its room suffices. nil otherwise.
    @inline(__always)
    private func singleReadTarget(_ want: Int) -> ChainPtr? {
        guard let c = lastWithData else { return insertNew(want) }
        if c.pointee.flags & ChainFlag.immutable != 0 || c != last { return nil }
        if c.pointee.off == 0 { c.pointee.misalign = 0 }
        return c.space >= want ? c : nil
    }

    /// evbuffer_write_atmost: -1 on a frozen front, and also when there is
    /// nothing to write (libevent's result).
    func write(_ fd: Int32, _ howmuch: Int) -> Int32 {
        if freezeStart { return -1 }
        var want = howmuch
        if want < 0 || want > totalLen { want = totalLen }
        var n = -1
        if want > 0 {
            if let c = first, c.pointee.flags & ChainFlag.sendfile != 0 {
                n = writeSendfile(fd, c)
            } else if let c = first, c.pointee.off >= want {
                // All of it in the first chain: one plain write.
                let r = Sys.call { CEventSys.write(fd, UnsafeRawPointer(c.data), want) }
                if r.failed { Sys.errno = r.errno }
                n = r.failed ? -1 : r.value
            } else {
                n = writeVectors(fd, want)
            }
        }
        if n > 0 {
            let e = Sys.errno
            _ = drain(n)
            Sys.errno = e
        }
        return Int32(truncatingIfNeeded: n)
    }

    /// writev of the chains up to the first sendfile chain (whose bytes are
    /// not in memory); the vectors are on the C stack, as libevent's.
    private func writeVectors(_ fd: Int32, _ howmuch: Int) -> Int {
        let c = UnsafeRawPointer(first)?.assumingMemoryBound(to: cev_chain_view.self)
        let r = Sys.call { cev_buffer_writev(fd, c, howmuch, ChainFlag.sendfile) }
        if r.failed {
            Sys.errno = r.errno
            return -1
        }
        return r.value
    }

    /// The whole file chain at the front goes out with sendfile (as in
    /// libevent, whatever the write limit); would-block counts as 0.
    private func writeSendfile(_ fd: Int32, _ c: ChainPtr) -> Int {
        let seg = c.extra.assumingMemoryBound(to: FileExtra.self).pointee.segment
        var offset = off_t(c.pointee.misalign)
        let count = c.pointee.off
        let r = Sys.call { sendfile(fd, seg.pointee.fd, &offset, count) }
        if r.failed {
            if r.errno == EAGAIN || r.errno == EINTR { return 0 }
            Sys.errno = r.errno
            return -1
        }
        return r.value
    }
}
