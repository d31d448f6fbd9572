import CEventExtra

/// DNS names on the wire: reading them out of a packet (labels and
/// compression pointers) and writing them as labels.
///
/// Every read is bounded by the packet: a label running past the end
/// (CVE-2016-10195) or a pointer outside it fails, and a chain of pointers
/// longer than the packet (a compression loop) fails. The text form is
/// libevent's: labels joined by '.', shorter than `limit` (libevent writes
/// into a fixed buffer of that size with room for the NUL).
enum DnsName {
    /// Read the name starting at `idx` into `out` (room for `limit` bytes);
    /// its length, or nil. On success `idx` is past the name in the packet
    /// (past the first pointer, if any); on failure it is unspecified.
    @_optimize(speed)
    static func parse(_ p: UnsafeRawBufferPointer, _ idx: inout Int, limit: Int, into out: UnsafeMutablePointer<UInt8>) -> Int? {
        let length = p.count
        var j = idx
        var resumeAt = -1
        var jumps = 0
        // Wrapping sums: j <= length, n < limit and len <= 63 hold at each
        // one, so none can overflow.
        var n = 0
        while true {
            if j >= length { return nil }
            let len = Int(p[j]); j &+= 1
            if len == 0 { break }
            if len & 0xc0 != 0 {
                if j >= length { return nil }
                let low = Int(p[j]); j &+= 1
                if resumeAt < 0 { resumeAt = j }
                j = (len & 0x3f) << 8 | low
                if j >= length { return nil }
                jumps &+= 1
                if jumps > length { return nil }
                continue
            }
            if len > 63 { return nil }
            if n != 0 {
                if n &+ 1 >= limit { return nil }
                out[n] = 0x2e
                n &+= 1
            }
            if n &+ len >= limit { return nil }
            if j &+ len > length { return nil }
            UnsafeMutableRawPointer(out + n).copyMemory(from: p.baseAddress! + j, byteCount: len)
            n &+= len
            j &+= len
        }
        if n >= limit { return nil }
        idx = resumeAt < 0 ? j : resumeAt
        return n
    }

    /// The same, as an array.
    static func parse(_ p: UnsafeRawBufferPointer, _ idx: inout Int, limit: Int = 256) -> [UInt8]? {
        var ok = true
        var j = idx
        let out = [UInt8](unsafeUninitializedCapacity: limit) { buf, count in
            if let n = parse(p, &j, limit: limit, into: buf.baseAddress!) { count = n } else { ok = false; count = 0 }
        }
        if !ok { return nil }
        idx = j
        return out
    }

    /// Skip (or compare) a name without keeping it: libevent's checks, no
    /// allocation. `body` sees the name's text.
    static func withName<R>(_ p: UnsafeRawBufferPointer, _ idx: inout Int, limit: Int = 256,
                            _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: limit) { buf in
            let n = parse(p, &idx, limit: limit, into: buf.baseAddress!)
            return body(n.map { UnsafeBufferPointer(rebasing: buf[0..<$0]) })
        }
    }

    /// Offsets of names already written into a message, for compression.
    struct Table {
        var names: [[UInt8]] = []
        var offsets: [Int] = []
        func find(_ s: ArraySlice<UInt8>) -> Int? {
            for (i, n) in names.enumerated() where n.count == s.count && n.elementsEqual(s) { return offsets[i] }
            return nil
        }
        mutating func add(_ s: ArraySlice<UInt8>, _ at: Int) {
            if names.count >= 128 { return }   // libevent keeps at most 128 suffixes
            names.append(Array(s))
            offsets.append(at)
        }
    }

    enum EncodeError { case labelTooLong, noRoom }

    /// Append `name` ("abc.def", or "abc.def.") as labels to `buf`, which may
    /// not grow past `cap` bytes. With a table, suffixes already written are
    /// replaced by a pointer and new ones are remembered.
    static func encode(_ name: [UInt8], into buf: inout [UInt8], cap: Int, table: UnsafeMutablePointer<Table>?) -> EncodeError? {
        if name.count > 255 { return .noRoom }
        var start = 0
        while true {
            let rest = name[start...]
            if let table, let at = table.pointee.find(rest) {
                if buf.count + 2 > cap { return .noRoom }
                buf.append(UInt8(0xc0 | (at >> 8) & 0x3f))
                buf.append(UInt8(at & 0xff))
                return nil
            }
            var dot = start
            while dot < name.count && name[dot] != 0x2e { dot += 1 }
            let len = dot - start
            if len > 63 { return .labelTooLong }
            if buf.count + len + 1 > cap { return .noRoom }
            table?.pointee.add(rest, buf.count)
            buf.append(UInt8(len))
            buf.append(contentsOf: name[start..<dot])
            if dot >= name.count { break }
            start = dot + 1
            if start >= name.count {
                // A trailing dot: libevent writes one more empty label.
                if buf.count + 1 > cap { return .noRoom }
                buf.append(0)
                return nil
            }
        }
        if buf.isEmpty || buf[buf.count - 1] != 0 {
            if buf.count + 1 > cap { return .noRoom }
            buf.append(0)
        }
        return nil
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// Whether `got` is the text of the name at offset 12 of `q`, a query we
    /// built (labels only, no pointers): what parsing it would compare.
    @_optimize(speed)
    static func equalsQueryName(_ got: UnsafeBufferPointer<UInt8>, _ q: UnsafeRawBufferPointer, exact: Bool) -> Bool {
        var j = 12, n = 0
        let g = got.count
        while j < q.count {
            let len = Int(q[j]); j += 1
            if len == 0 { break }
            if n != 0 {
                if n >= g || got[n] != 0x2e { return false }
                n += 1
            }
            if n + len > g || j + len > q.count { return false }
            if exact {
                if memcmp(got.baseAddress! + n, q.baseAddress! + j, len) != 0 { return false }
            } else {
                var x = got.baseAddress! + n
                var y = (q.baseAddress! + j).assumingMemoryBound(to: UInt8.self)
                let stop = x + len
                while x < stop {
                    let c = x.pointee, d = y.pointee
                    if c != d {
                        let lc = c &- 0x41 < 26 ? c | 0x20 : c
                        let ld = d &- 0x41 < 26 ? d | 0x20 : d
                        if lc != ld { return false }
                    }
                    x += 1
                    y += 1
                }
            }
            n += len
            j += len
        }
        return n == g
    }

    /// ASCII case-insensitive equality of two buffers, without generics.
    static func equalFolded(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = a.count
        if n != b.count { return false }
        if n == 0 { return true }
        let x = a.baseAddress!, y = b.baseAddress!
        var i = 0
        while i < n {
            let c = x[i], d = y[i]
            if c != d {
                let lc = c &- 0x41 < 26 ? c | 0x20 : c
                let ld = d &- 0x41 < 26 ? d | 0x20 : d
                if lc != ld { return false }
            }
            i &+= 1
        }
        return true
    }

    /// ASCII case-insensitive equality (the 0x20 check is exact instead).
    static func equalIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool where A.Element == UInt8, B.Element == UInt8 {
        if a.count != b.count { return false }
        for (x, y) in zip(a, b) where lower(x) != lower(y) { return false }
        return true
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c + 32 : c }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { let l = lower(c); return l >= 0x61 && l <= 0x7a }
}
