import CEventSys

/// One chunk of an evbuffer: a header followed, in the same allocation, by
/// the bytes (or, for chains that point at memory owned by someone else, by
/// a small record describing that owner).
///
/// The stored bytes of a chain are `buffer[misalign ..< misalign + off]`;
/// `buffer[misalign + off ..< bufferLen]` is free space at the end (none for
/// immutable chains). Draining from the front only moves `misalign`, so
/// drain and remove cost O(chains), never O(bytes).
///
/// Capacities follow libevent's sizing exactly (a 48-byte header, power-of-two
/// allocations from 1 KiB), because programs observe them through
/// evbuffer_reserve_space, evbuffer_peek and evbuffer_get_contiguous_space.
struct Chain {
    var next: ChainPtr?
    var bufferLen: Int
    var misalign: Int
    var off: Int
    var flags: UInt32
    var refcnt: Int32
    var buffer: UnsafeMutablePointer<UInt8>
}

typealias ChainPtr = UnsafeMutablePointer<Chain>

enum ChainFlag {
    /// Nothing may be written into this chain's memory.
    static let immutable: UInt32 = 1 << 0
    /// Caller memory from evbuffer_add_reference; its cleanup runs on free.
    static let reference: UInt32 = 1 << 1
    /// Holds a reference on a file segment.
    static let fileSegment: UInt32 = 1 << 2
    /// misalign is a file offset; the bytes leave through sendfile.
    static let sendfile: UInt32 = 1 << 3
    /// A view of another buffer's chain (evbuffer_add_buffer_reference).
    static let multicast: UInt32 = 1 << 4
    /// A sendfile chain whose bytes have not been brought into memory yet.
    static let unmapped: UInt32 = 1 << 5
    /// Anything but a plain chain of our own bytes.
    static let special: UInt32 = reference | fileSegment | multicast
}

/// libevent's chain sizing constants (64-bit).
enum ChainSize {
    /// Header size the capacities are computed with (libevent's struct size).
    static let header = 48
    static let minAlloc = 1024
    /// EVBUFFER_CHAIN_MAX: nothing larger than ssize_t can describe.
    static let max = Int.max
    /// Growth by doubling stops at this chain size.
    static let maxAuto = 4096
    /// Realigning moves at most this many bytes.
    static let maxRealign = 2048
    /// expand copies at most this many bytes into a bigger chain.
    static let maxCopyInExpand = 4096
}

/// What follows the header of an evbuffer_add_reference chain.
struct ReferenceExtra {
    var cleanup: evbuffer_ref_cleanup_cb?
    var arg: UnsafeMutableRawPointer?
    /// What the caller passed, for the cleanup call.
    var data: UnsafeRawPointer?
    var length: Int
}

/// What follows the header of a file-segment chain.
struct FileExtra {
    var segment: SegmentPtr
}

/// What follows the header of a multicast chain: the chain it views and
/// the buffer that owns it (both kept alive by reference counts).
struct MulticastExtra {
    var source: UnsafeMutableRawPointer
    var parent: ChainPtr
}

extension UnsafeMutablePointer where Pointee == Chain {
    /// First stored byte. Sendfile chains are brought into memory on demand.
    @inline(__always) var data: UnsafeMutablePointer<UInt8> {
        if pointee.flags & ChainFlag.unmapped != 0 { Chain.mapIn(self) }
        return pointee.buffer + pointee.misalign
    }

    /// Free space after the stored bytes (0 for immutable chains).
    @inline(__always) var space: Int {
        if pointee.flags & ChainFlag.immutable != 0 { return 0 }
        return pointee.bufferLen &- pointee.misalign &- pointee.off
    }

    /// Where the free space starts.
    @inline(__always) var spaceStart: UnsafeMutablePointer<UInt8> {
        pointee.buffer + pointee.misalign + pointee.off
    }

    @inline(__always) var extra: UnsafeMutableRawPointer { UnsafeMutableRawPointer(self + 1) }
    @inline(__always) var isSpecial: Bool { pointee.flags & ChainFlag.special != 0 }
}

extension Chain {
    /// Bytes libevent would allocate for a chain holding `size` bytes, or nil
    /// when that is more than a chain may hold.
    @inline(__always)
    static func allocation(for size: Int) -> Int? {
        if size < 0 || size > ChainSize.max - ChainSize.header { return nil }
        let want = size + ChainSize.header
        if want >= ChainSize.max / 2 { return want }
        var a = ChainSize.minAlloc
        while a < want { a <<= 1 }
        return a
    }

    /// A fresh plain chain of `total` bytes (header included).
    static func make(total: Int) -> ChainPtr? {
        guard let raw = Memory.malloc(total) else { return nil }
        let c = raw.bindMemory(to: Chain.self, capacity: 1)
        c.initialize(to: Chain(next: nil, bufferLen: total - ChainSize.header, misalign: 0, off: 0,
                               flags: 0, refcnt: 1, buffer: (raw + MemoryLayout<Chain>.stride).assumingMemoryBound(to: UInt8.self)))
        return c
    }

    /// A chain that describes memory held elsewhere: header plus an `extra` record.
    static func makeSpecial<E>(_ extra: E, flags: UInt32) -> ChainPtr? {
        guard let raw = Memory.malloc(MemoryLayout<Chain>.stride + MemoryLayout<E>.stride) else { return nil }
        let c = raw.bindMemory(to: Chain.self, capacity: 1)
        c.initialize(to: Chain(next: nil, bufferLen: 0, misalign: 0, off: 0, flags: flags, refcnt: 1,
                               buffer: (raw + MemoryLayout<Chain>.stride).assumingMemoryBound(to: UInt8.self)))
        (raw + MemoryLayout<Chain>.stride).bindMemory(to: E.self, capacity: 1).initialize(to: extra)
        return c
    }

    /// Drop one reference to `c`; the last one releases what the chain
    /// holds (see destroy).
    static func release(_ c: ChainPtr) {
        c.pointee.refcnt -= 1
        if c.pointee.refcnt > 0 { return }
        destroy(c)
    }

    /// Free an unreferenced chain: run a reference's cleanup, drop a file
    /// segment, or let go of the viewed chain and its buffer, then the memory.
    static func destroy(_ c: ChainPtr) {
        let flags = c.pointee.flags
        if flags & ChainFlag.reference != 0 {
            let e = c.extra.assumingMemoryBound(to: ReferenceExtra.self).pointee
            e.cleanup?(e.data, e.length, e.arg)
        }
        if flags & ChainFlag.fileSegment != 0 {
            FileSegment.release(c.extra.assumingMemoryBound(to: FileExtra.self).pointee.segment)
        }
        if flags & ChainFlag.multicast != 0 {
            let e = c.extra.assumingMemoryBound(to: MulticastExtra.self).pointee
            Unmanaged<EvBuffer>.fromOpaque(e.source)._withUnsafeGuaranteedRef { source in
                source.locked { release(e.parent) }
                source.releaseReference()
            }
        }
        Memory.free(UnsafeMutableRawPointer(c))
    }

    /// Release `c` and every chain after it.
    static func releaseAll(from c: ChainPtr?) {
        var p = c
        while let x = p {
            p = x.pointee.next
            release(x)
        }
    }

    /// Bring a sendfile chain's bytes into memory (libevent reads whatever
    /// lies at the chain's offset instead; we map or read the file).
    static func mapIn(_ c: ChainPtr) {
        let seg = c.extra.assumingMemoryBound(to: FileExtra.self).pointee.segment
        let contents = FileSegment.contentsForReading(seg)
        // misalign counts from the start of the file, contents from the
        // segment's file offset.
        let base = UInt(bitPattern: contents) &- UInt(truncatingIfNeeded: seg.pointee.fileOffset)
        c.pointee.buffer = UnsafeMutablePointer(bitPattern: base) ?? contents
        c.pointee.flags &= ~ChainFlag.unmapped
    }
}
