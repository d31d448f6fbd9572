import CEventSys

/// Line endings: evbuffer_search_eol and evbuffer_readln with the five
/// EVBUFFER_EOL_* styles.
extension EvBuffer {
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
        if !watched, let c = first, let (n, extra) = EvBuffer.lineInChain(c, style) {
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
        if !watched {
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
}
