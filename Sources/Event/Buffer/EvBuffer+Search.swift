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
            inChain = UInt(p.internal_.pos_in_chain)
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
        // The last start position a match may have.
        var limit = totalLen - len
        if let end {
            let e = end.pointee.pos
            if e - len < limit { limit = e - len }
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

    // MARK: line ends

    /// Find byte `ch` at or after (pos, chain, offset).
    func findByte(_ ch: UInt8, _ pos: Int, _ chain: ChainPtr, _ offset: Int) -> evbuffer_ptr? {
        var c: ChainPtr? = chain
        var o = offset
        var p = pos
        while let x = c {
            let n = x.pointee.off - o
            if n > 0 {
                let base = x.data
                if let m = memchr(base + o, Int32(ch), n) {
                    let at = base.distance(to: m.assumingMemoryBound(to: UInt8.self))
                    return EvBuffer.makePtr(p + at - o, x, at)
                }
                p += n
            }
            c = x.pointee.next
            o = 0
        }
        return nil
    }

    /// First CR or LF at or after the position.
    func findEolChar(_ pos: Int, _ chain: ChainPtr, _ offset: Int) -> evbuffer_ptr? {
        var c: ChainPtr? = chain
        var o = offset
        var p = pos
        while let x = c {
            let n = x.pointee.off - o
            if n > 0 {
                let base = x.data + o
                var end = n
                if let lf = memchr(base, 10, n) { end = base.distance(to: lf.assumingMemoryBound(to: UInt8.self)) }
                var at = end
                if end > 0, let cr = memchr(base, 13, end) { at = base.distance(to: cr.assumingMemoryBound(to: UInt8.self)) }
                if at < n { return EvBuffer.makePtr(p + at, x, o + at) }
                p += n
            }
            c = x.pointee.next
            o = 0
        }
        return nil
    }

    /// How many CR/LF bytes follow from the position on.
    func countEolRun(_ chain: ChainPtr, _ offset: Int) -> Int {
        var c: ChainPtr? = chain
        var o = offset
        var count = 0
        while let x = c {
            let off = x.pointee.off
            if o < off {
                let base = x.data
                while o < off {
                    let b = base[o]
                    if b != 13 && b != 10 { return count }
                    count += 1
                    o += 1
                }
            }
            c = x.pointee.next
            o = 0
        }
        return count
    }

    /// evbuffer_search_eol: where the next line ending of `style` starts,
    /// and its length.
    func searchEol(_ start: UnsafePointer<evbuffer_ptr>?, _ style: Int32, _ eolLen: inout Int) -> evbuffer_ptr {
        eolLen = 0
        var it: evbuffer_ptr
        if let start {
            it = start.pointee
            if it.internal_.chain == nil || it.pos < 0 || it.pos > totalLen {
                EvBuffer.notFound(&it)
                return it
            }
        } else {
            it = EvBuffer.makePtr(0, first, 0)
        }
        guard let chain = it.internal_.chain?.assumingMemoryBound(to: Chain.self) else {
            EvBuffer.notFound(&it)
            return it
        }
        let pos = it.pos, off = it.internal_.pos_in_chain
        var found: evbuffer_ptr? = nil
        var extra = 0
        switch style {
        case Int32(EVBUFFER_EOL_ANY.rawValue):
            if let f = findEolChar(pos, chain, off) {
                found = f
                extra = countEolRun(f.internal_.chain!.assumingMemoryBound(to: Chain.self), f.internal_.pos_in_chain)
            }
        case Int32(EVBUFFER_EOL_CRLF_STRICT.rawValue):
            let r = withUnsafePointer(to: it) { sp in
                withUnsafeBytes(of: (UInt8(13), UInt8(10))) { crlf in search(crlf.baseAddress, 2, start: sp, end: nil) }
            }
            if r.pos >= 0 {
                found = r
                extra = 2
            }
        case Int32(EVBUFFER_EOL_CRLF.rawValue):
            if var f = findByte(10, pos, chain, off) {
                extra = 1
                if f.pos != pos {
                    // Is the byte before the LF a CR? (It may sit in an
                    // earlier chain.)
                    var q = f
                    if q.internal_.pos_in_chain > 0 {
                        q.pos -= 1
                        q.internal_.pos_in_chain -= 1
                    } else {
                        _ = ptrSet(&q, f.pos - 1, add: false)
                    }
                    if let c = q.internal_.chain?.assumingMemoryBound(to: Chain.self),
                       c.data[q.internal_.pos_in_chain] == 13 {
                        f = q
                        extra = 2
                    }
                }
                found = f
            }
        case Int32(EVBUFFER_EOL_LF.rawValue):
            if let f = findByte(10, pos, chain, off) { found = f; extra = 1 }
        case Int32(EVBUFFER_EOL_NUL.rawValue):
            if let f = findByte(0, pos, chain, off) { found = f; extra = 1 }
        default:
            break
        }
        guard let f = found else {
            EvBuffer.notFound(&it)
            return it
        }
        eolLen = extra
        return f
    }

    /// evbuffer_readln: the next line, without its ending, in memory from
    /// the user's malloc; nil when no complete line is buffered.
    func readln(_ nRead: UnsafeMutablePointer<Int>?, _ style: Int32) -> UnsafeMutablePointer<CChar>? {
        nRead?.pointee = 0
        if freezeStart { return nil }
        if callbacks == nil, let c = first, let (n, extra) = EvBuffer.lineInChain(c, style) {
            // The whole line and its ending are in the first chain.
            guard let line = Memory.malloc(n + 1)?.assumingMemoryBound(to: UInt8.self) else {
                Log.warnErrno("evbuffer_readln: out of memory")
                return nil
            }
            copyBytes(line, c.data, n)
            line[n] = 0
            let used = n + extra
            if used < c.pointee.off {
                c.pointee.misalign &+= used
                c.pointee.off &-= used
                totalLen &-= used
                nAdded = 0
                nDeleted = 0
            } else {
                _ = drain(used)
            }
            nRead?.pointee = n
            return UnsafeMutableRawPointer(line).assumingMemoryBound(to: CChar.self)
        }
        var extra = 0
        let it = searchEol(nil, style, &extra)
        if it.pos < 0 { return nil }
        let n = it.pos
        guard let line = Memory.malloc(n + 1)?.assumingMemoryBound(to: UInt8.self) else {
            Log.warnErrno("evbuffer_readln: out of memory")
            return nil
        }
        if callbacks == nil {
            // Nobody watches: one drain does what remove + drain would.
            if n > 0 { _ = copyout(from: nil, line, UInt(n)) }
            _ = drain(n + extra)
        } else {
            _ = remove(line, UInt(n))
            _ = drain(extra)
        }
        line[n] = 0
        nRead?.pointee = n
        return UnsafeMutableRawPointer(line).assumingMemoryBound(to: CChar.self)
    }

    /// A line at the start of chain `c` (the buffer's first): its length and
    /// the length of its ending, when both lie inside the chain and nothing
    /// in later chains could change the answer.
    @inline(__always)
    static func lineInChain(_ c: ChainPtr, _ style: Int32) -> (Int, Int)? {
        let off = c.pointee.off
        if off == 0 { return nil }
        let base = c.data
        @inline(__always) func find(_ byte: Int32, _ from: Int) -> Int? {
            guard let m = memchr(base + from, byte, off &- from) else { return nil }
            return base.distance(to: m.assumingMemoryBound(to: UInt8.self))
        }
        switch style {
        case Int32(EVBUFFER_EOL_LF.rawValue):
            guard let i = find(10, 0) else { return nil }
            return (i, 1)
        case Int32(EVBUFFER_EOL_CRLF.rawValue):
            guard let i = find(10, 0) else { return nil }
            if i > 0 && base[i &- 1] == 13 { return (i &- 1, 2) }
            return (i, 1)
        case Int32(EVBUFFER_EOL_NUL.rawValue):
            guard let i = find(0, 0) else { return nil }
            return (i, 1)
        case Int32(EVBUFFER_EOL_CRLF_STRICT.rawValue):
            var from = 0
            while from < off, let i = find(10, from) {
                if i > 0 && base[i &- 1] == 13 { return (i &- 1, 2) }
                from = i &+ 1
            }
            return nil
        case Int32(EVBUFFER_EOL_ANY.rawValue):
            var end = off
            if let lf = find(10, 0) { end = lf }
            var i = end
            if end > 0, let cr = memchr(base, 13, end) { i = base.distance(to: cr.assumingMemoryBound(to: UInt8.self)) }
            if i == off { return nil }
            var j = i
            while j < off && (base[j] == 13 || base[j] == 10) { j &+= 1 }
            // A run reaching the chain's end might go on in the next chain.
            if j == off && c.pointee.next != nil { return nil }
            return (i, j &- i)
        default:
            return nil
        }
    }

    // MARK: peek

    /// evbuffer_peek: describe stored bytes in place.
    func peek(_ len: Int, _ start: UnsafePointer<evbuffer_ptr>?, _ vec: UnsafeMutablePointer<iovec>?, _ nVec: Int) -> Int32 {
        let n = vec == nil ? 0 : nVec
        var len = len
        var idx = 0
        var soFar = 0
        var chain: ChainPtr?
        if let start {
            guard let c = start.pointee.internal_.chain?.assumingMemoryBound(to: Chain.self) else { return 0 }
            if start.pointee.pos < 0 || start.pointee.pos > totalLen { return 0 }
            let o = start.pointee.internal_.pos_in_chain
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
