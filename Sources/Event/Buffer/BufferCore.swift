import CEventSys

/// The pointer a C caller holds (struct evbuffer *) is not the object but
/// its `BufferCore`: the state the hot operations touch, in plain memory,
/// with a back reference to the object. evbuffer_add / evbuffer_drain /
/// evbuffer_get_length work on the core alone, with no object reference to
/// take or release; everything else goes through `owner`. `refcnt` counts
/// the caller's reference plus internal ones (a scheduled deferred callback,
/// chains of other buffers that view ours); at zero the object and the core
/// are freed.
struct BufferCore {
    var first: ChainPtr? = nil
    var last: ChainPtr? = nil
    var lwdSlot: ChainPtr? = nil
    var totalLen = 0
    /// Bytes added and deleted since the callbacks last ran.
    var nAdded = 0
    var nDeleted = 0
    /// Registered callbacks, newest first (libevent's order).
    var callbacks: CbEntryPtr? = nil {
        didSet {
            setSlow(Slow.callbacks, callbacks != nil || notifiesParent)
            setSlow(Slow.entries, callbacks != nil || deferring)
        }
    }
    /// What the fast paths test, all conditions at once, before they read
    /// anything else. While the buffer has no lock, the conditions (Slow)
    /// themselves. From evbuffer_enable_locking on (before the buffer is
    /// shared) Slow.locked alone, not written again until the buffer is
    /// destroyed: other threads change a locked buffer's conditions while
    /// its fast paths, which run without the lock, look at this byte, so
    /// they live in `lockedState` then. These four single-byte fields sit
    /// together at a known offset (conditionsOffset) so that the rest of
    /// the code tests both condition bytes with one instruction
    /// (CorePtr.has); not at offset 0, where ThreadSanitizer records the
    /// accesses to the core as a whole (setting a property that has an
    /// observer, under the lock), which would then clash with the fast
    /// paths' unlocked read.
    var slow: UInt8 = 0
    /// evbuffer_defer_callbacks was called: changes are reported from the loop.
    var deferring = false {
        didSet { setSlow(Slow.entries, callbacks != nil || deferring) }
    }
    /// A locked buffer's conditions, changed under its lock; 0 without a lock.
    var lockedState: UInt8 = 0
    /// The owning bufferevent hears of changes (after the registered
    /// callbacks, where its own callback entry would have run) without an
    /// entry of its own: see EvBuffer.runCallbacks.
    var notifiesParent = false {
        didSet { setSlow(Slow.callbacks, callbacks != nil || notifiesParent) }
    }
    /// evbuffer_enable_locking's lock (set before the buffer is shared,
    /// cleared when it is destroyed). Set it through EvBuffer.lock, which
    /// also moves its `conditionByte`.
    var lock: UnsafeMutableRawPointer? = nil {
        didSet {
            if oldValue == nil && lock != nil {
                lockedState = slow
                slow = Slow.locked
            } else if oldValue != nil && lock == nil {
                slow = lockedState
                lockedState = 0
            }
        }
    }

    /// Where `slow` is: after the seven word-sized fields above it.
    @inline(__always) static var conditionsOffset: Int { 7 &* MemoryLayout<Int>.size }

    enum Slow {
        static let freezeStart: UInt8 = 1
        static let freezeEnd: UInt8 = 2
        static let callbacks: UInt8 = 4
        /// The buffer has a lock (every operation takes it): `slow` alone.
        static let locked: UInt8 = 8
        /// Registered entries or deferred reporting (the parent aside).
        static let entries: UInt8 = 16
        /// What keeps adds, and drains, off the fast path. A drain need not
        /// tell the parent (it hears of growth only), so only entries count.
        static let add: UInt8 = freezeEnd | callbacks | locked
        static let drain: UInt8 = freezeStart | entries | locked
    }

    /// Change a condition where it is kept (the rare changes; EvBuffer's
    /// freeze setters, which bufferevents use around every read and write,
    /// go through its `conditionByte`).
    @inline(__always)
    mutating func setSlow(_ bit: UInt8, _ on: Bool) {
        if lock == nil {
            if on { slow |= bit } else { slow &= ~bit }
        } else {
            if on { lockedState |= bit } else { lockedState &= ~bit }
        }
    }

    /// The EvBuffer (unretained; the object keeps itself alive until its
    /// last reference is dropped).
    var owner: UnsafeMutableRawPointer? = nil

    /// *last_with_datap.
    @inline(__always) var lastWithData: ChainPtr? {
        if let s = lwdSlot { return s.pointee.next }
        return first
    }

    @inline(__always) var buffer: Unmanaged<EvBuffer> { Unmanaged<EvBuffer>.fromOpaque(owner!) }
}

typealias CorePtr = UnsafeMutablePointer<BufferCore>

extension UnsafeMutablePointer where Pointee == BufferCore {
    /// Whether `bit` is among the buffer's conditions (the lock held, if
    /// any): one load of the four bytes from `slow` (slow, deferring,
    /// lockedState, notifiesParent), the bit tested in the first and the
    /// third (only one of them holds conditions, and Slow.locked is never
    /// asked). Not the first two bytes: x86 compilers test a 16-bit word in
    /// memory with two instructions, a 32-bit one with one.
    @inline(__always)
    func has(_ bit: UInt8) -> Bool {
        // By offset (taking the field's address would be an access that
        // writes, in Swift's model).
        let word = UnsafeRawPointer(self).load(fromByteOffset: BufferCore.conditionsOffset, as: UInt32.self)
        #if _endian(little)
        let mask = UInt32(bit) | UInt32(bit) &<< 16
        #else
        let mask = UInt32(bit) &<< 24 | UInt32(bit) &<< 8
        #endif
        return word & mask != 0
    }

    /// Someone is told of changes: registered callbacks or the parent.
    @inline(__always) var watched: Bool { has(BufferCore.Slow.callbacks) }
    /// Registered entries or deferred reporting: removals must be reported.
    @inline(__always) var hasEntries: Bool { has(BufferCore.Slow.entries) }
    /// An end is frozen (operations on it are refused, which is rare: a
    /// bufferevent thaws its buffers around its own reads and writes).
    @inline(__always) var freezeStart: Bool { _slowPath(has(BufferCore.Slow.freezeStart)) }
    @inline(__always) var freezeEnd: Bool { _slowPath(has(BufferCore.Slow.freezeEnd)) }
}

/// memcpy, with short copies done inline (two possibly overlapping loads
/// and stores) instead of through a call.
@inline(__always)
func copyBytes(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafeRawPointer, _ n: Int) {
    let d = UnsafeMutableRawPointer(dst)
    if n >= 8 && n <= 16 {
        let a = src.loadUnaligned(as: UInt64.self)
        let b = src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        d.storeBytes(of: a, as: UInt64.self)
        d.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
    } else if n >= 4 && n < 8 {
        let a = src.loadUnaligned(as: UInt32.self)
        let b = src.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        d.storeBytes(of: a, as: UInt32.self)
        d.storeBytes(of: b, toByteOffset: n &- 4, as: UInt32.self)
    } else if n > 0 && n < 4 {
        let s = src.assumingMemoryBound(to: UInt8.self)
        dst[0] = s[0]
        dst[n &>> 1] = s[n &>> 1]
        dst[n &- 1] = s[n &- 1]
    } else if n > 16 {
        memcpy(d, src, n)
    }
}

/// For the C side's chain cache: memory goes back through the allocator
/// event_set_mem_functions chose.
@_cdecl("cev_buffer_mem_free")
public func cev_buffer_mem_free(_ p: UnsafeMutableRawPointer?) { Memory.free(p) }
