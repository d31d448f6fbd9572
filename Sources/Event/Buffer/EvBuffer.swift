import CEventSys

/// struct evbuffer: a byte queue kept as a singly linked list of chains.
///
/// Besides `first` and `last`, the buffer remembers libevent's
/// "last_with_datap": the list slot holding the last chain with data (or
/// the `first` slot when no chain has data). Trailing empty chains after it
/// are free space handed out by reserve/expand. The slot is stored as the
/// chain whose `next` field it is, nil meaning the `first` slot, so the same
/// list surgery libevent does (and therefore the same chain layout a program
/// can observe) is expressed without pointers into this object.
///
/// A C caller holds the object through `Unmanaged.passRetained`; `refcnt`
/// counts the caller's reference plus internal ones (a scheduled deferred
/// callback, chains of other buffers that view ours), and the object is torn
/// down when it reaches zero.
final class EvBuffer {
    var first: ChainPtr? = nil
    var last: ChainPtr? = nil
    var lwdSlot: ChainPtr? = nil
    var totalLen = 0

    /// Bytes added and deleted since the callbacks last ran.
    var nAdded = 0
    var nDeleted = 0

    var flags: UInt32 = 0
    var freezeStart = false
    var freezeEnd = false
    var refcnt = 1

    /// Registered callbacks, newest first (libevent's order).
    var callbacks: CbEntryPtr? = nil
    /// Nesting depth of callback runs; entries removed meanwhile are freed after.
    var runningCallbacks = 0
    var removedEntries: CbEntryPtr? = nil
    /// evbuffer_defer_callbacks: the queued callback and the base running it.
    var deferred: CallbackPtr? = nil
    var deferBase: OpaquePointer? = nil

    var lock: UnsafeMutableRawPointer? = nil
    var ownLock = false
    /// Most bytes one evbuffer_read takes (libevent 2.1: 4096).
    var maxRead = 4096
    /// A freed plain chain kept for the next allocation of the same size.
    var spare: ChainPtr? = nil
    /// The bufferevent this buffer belongs to, if any.
    var parent: UnsafeMutableRawPointer? = nil

    static let defaultMaxRead = 4096

    @inline(__always) var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    @inline(__always)
    static func from(_ p: OpaquePointer) -> EvBuffer {
        Unmanaged<EvBuffer>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// evbuffer_new: the returned pointer owns one reference.
    static func create() -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(EvBuffer()).toOpaque())
    }

    // MARK: reference counting

    @inline(__always) func incref() { refcnt += 1 }

    /// Drop a reference; the last one frees every chain and callback.
    func decref() {
        refcnt -= 1
        if refcnt > 0 { return }
        Chain.releaseAll(from: first, keeper: nil)
        first = nil
        last = nil
        lwdSlot = nil
        totalLen = 0
        if let s = spare { Memory.free(UnsafeMutableRawPointer(s)); spare = nil }
        removeAllCallbacks()
        if let d = deferred {
            // Only a queued callback needs its base (which may be gone otherwise).
            if d.flags & (EVList.active | EVList.activeLater) != 0, let b = deferBase {
                EventBase.from(b).cancelCallback(d, evenIfFinalizing: true)
            }
            d.deallocate()
            deferred = nil
        }
        Unmanaged.passUnretained(self).release()
    }

    // MARK: list slots

    /// The chain in a slot (nil slot: `first`).
    @inline(__always) func chain(at slot: ChainPtr?) -> ChainPtr? {
        if let s = slot { return s.pointee.next }
        return first
    }

    @inline(__always) func setChain(_ c: ChainPtr?, at slot: ChainPtr?) {
        if let s = slot { s.pointee.next = c } else { first = c }
    }

    /// *last_with_datap.
    @inline(__always) var lastWithData: ChainPtr? { chain(at: lwdSlot) }

    // MARK: chain allocation

    /// A chain with room for `size` bytes (reusing the spare when it has
    /// exactly the size libevent would allocate).
    @inline(__always)
    func newChain(_ size: Int) -> ChainPtr? {
        guard let total = Chain.allocation(for: size) else { return nil }
        if let s = spare, s.pointee.bufferLen &+ ChainSize.header == total {
            spare = nil
            s.pointee.next = nil
            s.pointee.misalign = 0
            s.pointee.off = 0
            s.pointee.refcnt = 1
            return s
        }
        return Chain.make(total: total)
    }

    /// Keep a freed plain chain for reuse: the smallest one seen, up to a cap.
    func keepSpare(_ c: ChainPtr) {
        let size = c.pointee.bufferLen
        if size + ChainSize.header > ChainSize.maxSpare || refcnt <= 0 {
            Memory.free(UnsafeMutableRawPointer(c))
            return
        }
        if let s = spare {
            if s.pointee.bufferLen <= size {
                Memory.free(UnsafeMutableRawPointer(c))
                return
            }
            Memory.free(UnsafeMutableRawPointer(s))
        }
        c.pointee.flags = 0
        spare = c
    }

    @inline(__always) func release(_ c: ChainPtr) { Chain.release(c, keeper: self) }

    func releaseAll(from c: ChainPtr?) { Chain.releaseAll(from: c, keeper: self) }

    /// Forget every chain (they have been freed or moved elsewhere).
    @inline(__always)
    func zeroChains() {
        first = nil
        last = nil
        lwdSlot = nil
        totalLen = 0
    }

    // MARK: list surgery shared by the operations

    /// Free the empty chains after the last chain with data; returns the
    /// slot where the list now ends.
    func freeTrailingEmptyChains() -> ChainPtr? {
        var slot = lwdSlot
        var c = chain(at: slot)
        while let x = c, x.pointee.off != 0 {
            slot = x
            c = x.pointee.next
        }
        if let x = c {
            releaseAll(from: x)
            setChain(nil, at: slot)
        }
        return slot
    }

    /// Append a chain (dropping trailing empty chains first).
    func insert(_ c: ChainPtr) {
        if lastWithData == nil {
            first = c
            last = c
        } else {
            let slot = freeTrailingEmptyChains()
            setChain(c, at: slot)
            if c.pointee.off != 0 { lwdSlot = slot }
            last = c
        }
        totalLen += c.pointee.off
    }

    /// A new chain for `size` bytes, appended.
    @discardableResult
    func insertNew(_ size: Int) -> ChainPtr? {
        guard let c = newChain(size) else { return nil }
        insert(c)
        return c
    }

    /// Move last_with_data forward to the last chain with data.
    func advanceLastWithData() {
        guard var c = lastWithData else { return }
        while let n = c.pointee.next {
            if n.pointee.off != 0 { lwdSlot = c }
            c = n
        }
    }

    /// Whether a chain holding `off` bytes should move them to its start
    /// to make room for `datlen` more.
    @inline(__always)
    static func shouldRealign(_ c: ChainPtr, _ datlen: Int) -> Bool {
        let len = c.pointee.bufferLen, off = c.pointee.off
        return len - off >= datlen && off < len / 2 && off <= ChainSize.maxRealign
    }

    @inline(__always)
    static func realign(_ c: ChainPtr) {
        if c.pointee.off > 0 { memmove(c.pointee.buffer, c.pointee.buffer + c.pointee.misalign, c.pointee.off) }
        c.pointee.misalign = 0
    }
}
