import CEventSys

/// evbuffer_ptr positions, search, peek.
///
/// An evbuffer_ptr is { pos, chain, offset in chain }. A position at the
/// very end of the buffer has no chain. Positions exactly at a chain
/// boundary name the next chain with data at offset 0 (empty chains are
/// skipped), as libevent's do.
extension EvBuffer {
    @inline(__always)
    static func notFound(_ p: inout evbuffer_ptr) {
        p.pos = -1
        p.internal_.chain = nil
        p.internal_.pos_in_chain = 0
    }

    @inline(__always)
    static func makePtr(_ pos: Int, _ c: ChainPtr?, _ off: Int) -> evbuffer_ptr {
        var p = evbuffer_ptr()
        p.pos = pos
        p.internal_.chain = c.map { UnsafeMutableRawPointer($0) }
        p.internal_.pos_in_chain = off
        return p
    }

    /// evbuffer_ptr_set: SET (add == false) or ADD; -1 (and a not-found
    /// pointer) when the position is past the end.
    func ptrSet(_ p: inout evbuffer_ptr, _ position: Int, add: Bool) -> Int32 {
        var chain: ChainPtr?
        var left = UInt(bitPattern: position)
        var inChain: UInt
        if add {
            if p.pos < 0 || UInt.max - left < UInt(p.pos) { return -1 }
            if p.pos > totalLen {
                EvBuffer.notFound(&p)
                return -1
            }
            chain = p.internal_.chain?.assumingMemoryBound(to: Chain.self)
            p.pos = Int(bitPattern: UInt(p.pos) &+ left)
            inChain = UInt(bitPattern: p.internal_.pos_in_chain)
        } else {
            chain = first
            p.pos = position
            inChain = 0
        }
        while let c = chain, inChain &+ left >= UInt(c.pointee.off) {
            left &-= UInt(c.pointee.off) &- inChain
            chain = c.pointee.next
            inChain = 0
        }
        if let c = chain {
            p.internal_.chain = UnsafeMutableRawPointer(c)
            p.internal_.pos_in_chain = Int(inChain &+ left)
        } else if left == 0 {
            p.internal_.chain = nil
            p.internal_.pos_in_chain = 0
        } else {
            EvBuffer.notFound(&p)
            return -1
        }
        return 0
    }

    // MARK: search

    /// evbuffer_search_range: the first occurrence of `what` at or after
    /// `start` that ends no later than `end`.
    func search(_ what: UnsafeRawPointer?, _ len: Int, start: UnsafePointer<evbuffer_ptr>?, end: UnsafePointer<evbuffer_ptr>?) -> evbuffer_ptr {
        var result: evbuffer_ptr
        if let start { result = start.pointee } else { result = EvBuffer.makePtr(0, first, 0) }
        // An empty (or absurd) needle "matches" where the search starts.
        if len <= 0 { return result }
        guard let what = what?.assumingMemoryBound(to: UInt8.self) else {
            Log.warnx("evbuffer_search: NULL string")
            EvBuffer.notFound(&result)
            return result
        }
        var pos = result.pos
        if pos < 0 || pos > totalLen {
            EvBuffer.notFound(&result)
            return result
        }
        guard var chain = result.internal_.chain?.assumingMemoryBound(to: Chain.self) else {
            EvBuffer.notFound(&result)
            return result
        }
        var inChain = result.internal_.pos_in_chain
        if !EvBuffer.inChain(inChain, chain) {
            EvBuffer.notFound(&result)
            return result
        }
        // The last start position a match may have.
        var limit = totalLen - len
        if let end {
            // The end's pos is the caller's: -1 for a not-found pointer, or
            // anything else it stored there.
            let (e, o) = end.pointee.pos.subtractingReportingOverflow(len)
            if o || e < limit { limit = o ? Int.min : e }
        }
        while pos <= limit {
            let off = chain.pointee.off
            let base = chain.data
            let avail = off - inChain
            if avail > 0 {
                // Matches entirely inside this chain come first.
                if avail >= len, let found = EvBuffer.find(what, len, in: base + inChain, avail) {
                    let at = inChain + found
                    let mpos = pos + found
                    if mpos > limit { break }
                    return EvBuffer.makePtr(mpos, chain, at)
                }
                // Then matches that start here and run into the next chains.
                var i = inChain
                if off - len + 1 > i { i = off - len + 1 }
                let first = what[0]
                while i < off {
                    let mpos = pos + (i - inChain)
                    if mpos > limit { break }
                    if base[i] == first && matches(chain, i, what, len) {
                        return EvBuffer.makePtr(mpos, chain, i)
                    }
                    i += 1
                }
            }
            pos += avail
            guard let n = chain.pointee.next else { break }
            chain = n
            inChain = 0
        }
        EvBuffer.notFound(&result)
        return result
    }

    /// Where `needle[0..<len]` (len > 0) first occurs in `hay[0..<n]`.
    /// Sixteen start positions at a time are screened by comparing the
    /// needle's first and last bytes (two vector compares), and only the
    /// survivors are compared in full, so text full of the first byte (a
    /// CR in CRLF text, say) does not slow the scan down.
    static func find(_ needle: UnsafePointer<UInt8>, _ len: Int, in hay: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        if len > n { return nil }
        if len == 1 {
            guard let m = memchr(hay, Int32(needle[0]), n) else { return nil }
            return hay.distance(to: m.assumingMemoryBound(to: UInt8.self))
        }
        let first = SIMD16<UInt8>(repeating: needle[0])
        let lastByte = SIMD16<UInt8>(repeating: needle[len &- 1])
        let lastStart = n &- len          // last possible match position
        let raw = UnsafeRawPointer(hay)
        var i = 0
        while i &+ 15 <= lastStart {
            let a = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let b = raw.loadUnaligned(fromByteOffset: i &+ len &- 1, as: SIMD16<UInt8>.self)
            let m = (a .== first) .& (b .== lastByte)
            if any(m) {
                for k in 0..<16 where m[k] {
                    if len == 2 || memcmp(hay + (i &+ k &+ 1), needle + 1, len &- 2) == 0 { return i &+ k }
                }
            }
            i &+= 16
        }
        let f = needle[0], l = needle[len &- 1]
        while i <= lastStart {
            if hay[i] == f && hay[i &+ len &- 1] == l && (len == 2 || memcmp(hay + (i &+ 1), needle + 1, len &- 2) == 0) {
                return i
            }
            i &+= 1
        }
        return nil
    }

    /// Whether the bytes from (chain, offset) on equal `what[0..<len]`.
    func matches(_ chain: ChainPtr, _ offset: Int, _ what: UnsafePointer<UInt8>, _ len: Int) -> Bool {
        var c: ChainPtr? = chain
        var o = offset
        var w = what
        var left = len
        while left > 0, let x = c {
            var n = x.pointee.off - o
            if n > left { n = left }
            if n > 0 && memcmp(x.data + o, w, n) != 0 { return false }
            w += n
            left -= n
            c = x.pointee.next
            o = 0
        }
        return left == 0
    }

    // MARK: peek

    /// evbuffer_peek: describe stored bytes in place.
    func peek(_ len: Int, _ start: UnsafePointer<evbuffer_ptr>?, _ vec: UnsafeMutablePointer<iovec>?, _ nVec: Int) -> Int32 {
        // No vectors to fill is 0 (libevent would write through NULL); a
        // negative count stays negative, which libevent does not read as
        // "count only".
        let n = vec == nil && nVec > 0 ? 0 : nVec
        var len = len
        var idx = 0
        var soFar = 0
        var chain: ChainPtr?
        if let start {
            guard let c = start.pointee.internal_.chain?.assumingMemoryBound(to: Chain.self) else { return 0 }
            if start.pointee.pos < 0 || start.pointee.pos > totalLen { return 0 }
            let o = start.pointee.internal_.pos_in_chain
            if !EvBuffer.inChain(o, c) { return 0 }
            soFar = c.pointee.off - o
            idx = 1
            if n > 0 {
                vec![0].iov_base = UnsafeMutableRawPointer(c.data + o)
                vec![0].iov_len = soFar
            }
            chain = c.pointee.next
        } else {
            chain = first
        }
        if n == 0 && len < 0 {
            len = totalLen - (start?.pointee.pos ?? 0)
        }
        while let c = chain {
            if len >= 0 && soFar >= len { break }
            if idx < n {
                vec![idx].iov_base = UnsafeMutableRawPointer(c.data)
                vec![idx].iov_len = c.pointee.off
            } else if len < 0 {
                break
            }
            idx += 1
            soFar += c.pointee.off
            chain = c.pointee.next
        }
        return Int32(truncatingIfNeeded: idx)
    }
}
