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
    /// evbuffer_defer_callbacks was called: changes are reported from the loop.
    var deferring = false {
        didSet { setSlow(Slow.entries, callbacks != nil || deferring) }
    }
    /// What the fast paths test, all conditions at once, before they read
    /// anything else: `state` itself while the buffer has no lock; from
    /// evbuffer_enable_locking on (before the buffer is shared) Slow.locked
    /// alone, never written again. Another thread changes a locked buffer's
    /// `state` under the lock, so the fast paths, which run without it, must
    /// not read that byte: here they read one nobody writes.
    var slow: UInt8 = 0
    /// The conditions that keep an operation off the fast paths (Slow, one
    /// bit each; Slow.locked aside), always current: what everything but the
    /// fast paths' first test reads, under the lock when there is one.
    var state: UInt8 = 0
    /// The owning bufferevent hears of changes (after the registered
    /// callbacks, where its own callback entry would have run) without an
    /// entry of its own: see EvBuffer.runCallbacks.
    var notifiesParent = false {
        didSet { setSlow(Slow.callbacks, callbacks != nil || notifiesParent) }
    }
    /// Someone is told of changes: registered callbacks or the parent.
    @inline(__always) var watched: Bool { state & Slow.callbacks != 0 }
    /// Registered entries or deferred reporting: removals must be reported.
    @inline(__always) var hasEntries: Bool { state & Slow.entries != 0 }
    var freezeStart: Bool {
        @inline(__always) get { state & Slow.freezeStart != 0 }
        set { setSlow(Slow.freezeStart, newValue) }
    }
    var freezeEnd: Bool {
        @inline(__always) get { state & Slow.freezeEnd != 0 }
        set { setSlow(Slow.freezeEnd, newValue) }
    }
    /// A freed plain chain kept for the next allocation of the same size.
    var spare: ChainPtr? = nil
    /// evbuffer_enable_locking's lock (set before the buffer is shared,
    /// cleared when it is destroyed).
    var lock: UnsafeMutableRawPointer? = nil {
        didSet { slow = lock != nil ? Slow.locked : state }
    }

    enum Slow {
        static let freezeStart: UInt8 = 1
        static let freezeEnd: UInt8 = 2
        static let callbacks: UInt8 = 4
        /// In `slow` only: the buffer has a lock (all operations lock it).
        static let locked: UInt8 = 8
        /// Registered entries or deferred reporting (the parent aside).
        static let entries: UInt8 = 16
        /// What keeps adds, and drains, off the fast path. A drain need not
        /// tell the parent (it hears of growth only), so only entries count.
        static let add: UInt8 = freezeEnd | callbacks | locked
        static let drain: UInt8 = freezeStart | entries | locked
    }

    /// Change a condition; the fast paths see it at once unless the buffer
    /// is locked (their gate is then closed for good).
    @inline(__always)
    mutating func setSlow(_ bit: UInt8, _ on: Bool) {
        if on {
            state |= bit
            if lock == nil { slow |= bit }
        } else {
            state &= ~bit
            if lock == nil { slow &= ~bit }
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
