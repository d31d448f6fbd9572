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
    static func parse(_ p: UnsafeRawBufferPointer, _ idx: inout Int, limit: Int, into out: UnsafeMutablePointer<UInt8>) -> Int? {
        let length = p.count
        var j = idx
        var resumeAt = -1
        var jumps = 0
        var n = 0
        while true {
            if j >= length { return nil }
            let len = Int(p[j]); j += 1
            if len == 0 { break }
            if len & 0xc0 != 0 {
                if j >= length { return nil }
                let low = Int(p[j]); j += 1
                if resumeAt < 0 { resumeAt = j }
                j = (len & 0x3f) << 8 | low
                if j >= length { return nil }
                jumps += 1
                if jumps > length { return nil }
                continue
            }
            if len > 63 { return nil }
            if n != 0 {
                if n + 1 >= limit { return nil }
                out[n] = 0x2e
                n += 1
            }
            if n + len >= limit { return nil }
            if j + len > length { return nil }
            UnsafeMutableRawPointer(out + n).copyMemory(from: p.baseAddress! + j, byteCount: len)
            n += len
            j += len
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

    /// ASCII case-insensitive equality (the 0x20 check is exact instead).
    static func equalIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool where A.Element == UInt8, B.Element == UInt8 {
        if a.count != b.count { return false }
        for (x, y) in zip(a, b) where lower(x) != lower(y) { return false }
        return true
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c + 32 : c }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { let l = lower(c); return l >= 0x61 && l <= 0x7a }
}
