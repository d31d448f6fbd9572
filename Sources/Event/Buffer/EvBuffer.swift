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
/// The class holds everything else; its hot state lives in `BufferCore`
/// (BufferCore.swift), which is also what C callers point at.
final class EvBuffer {
    let core: CorePtr
    /// The core's byte holding the conditions (BufferCore.Slow): `slow`
    /// while the buffer has no lock, `lockedState` once it has one. The
    /// freeze setters, which bufferevents call around every read and write,
    /// change it with no test of the lock.
    private(set) var conditionByte: UnsafeMutablePointer<UInt8>

    var first: ChainPtr? {
        @inline(__always) get { core.pointee.first }
        @inline(__always) set { core.pointee.first = newValue }
    }
    var last: ChainPtr? {
        @inline(__always) get { core.pointee.last }
        @inline(__always) set { core.pointee.last = newValue }
    }
    var lwdSlot: ChainPtr? {
        @inline(__always) get { core.pointee.lwdSlot }
        @inline(__always) set { core.pointee.lwdSlot = newValue }
    }
    var totalLen: Int {
        @inline(__always) get { core.pointee.totalLen }
        @inline(__always) set { core.pointee.totalLen = newValue }
    }
    var nAdded: Int {
        @inline(__always) get { core.pointee.nAdded }
        @inline(__always) set { core.pointee.nAdded = newValue }
    }
    var nDeleted: Int {
        @inline(__always) get { core.pointee.nDeleted }
        @inline(__always) set { core.pointee.nDeleted = newValue }
    }
    var callbacks: CbEntryPtr? {
        @inline(__always) get { core.pointee.callbacks }
        @inline(__always) set { core.pointee.callbacks = newValue }
    }
    var freezeStart: Bool {
        @inline(__always) get { core.freezeStart }
        @inline(__always) set { setCondition(BufferCore.Slow.freezeStart, newValue) }
    }
    var freezeEnd: Bool {
        @inline(__always) get { core.freezeEnd }
        @inline(__always) set { setCondition(BufferCore.Slow.freezeEnd, newValue) }
    }
    /// Someone is told of changes: registered callbacks or the parent.
    @inline(__always) var watched: Bool { core.watched }

    @inline(__always)
    func setCondition(_ bit: UInt8, _ on: Bool) {
        if on { conditionByte.pointee |= bit } else { conditionByte.pointee &= ~bit }
    }

    // Small fields first and together: the object is 80 bytes, a 96-byte
    // malloc chunk (each bufferevent has two).
    var flags: UInt32 = 0
    var refcnt: Int32 = 1
    /// Nesting depth of callback runs; entries removed meanwhile are freed after.
    var runningCallbacks: Int32 = 0
    private var maxRead32: Int32 = Int32(EvBuffer.defaultMaxRead)
    var removedEntries: CbEntryPtr? = nil
    /// evbuffer_defer_callbacks: the queued callback and the base running it.
    var deferred: CallbackPtr? = nil {
        didSet { core.pointee.deferring = deferred != nil }
    }
    var deferBase: OpaquePointer? = nil

    var lock: UnsafeMutableRawPointer? {
        @inline(__always) get { core.pointee.lock }
        set {
            core.pointee.lock = newValue
            conditionByte = EvBuffer.conditionByte(of: core)
        }
    }

    /// Where `core` keeps its conditions now.
    static func conditionByte(of core: CorePtr) -> UnsafeMutablePointer<UInt8> {
        // Addresses of stored fields of memory we own: stable.
        if core.pointee.lock == nil { return withUnsafeMutablePointer(to: &core.pointee.slow) { $0 } }
        return withUnsafeMutablePointer(to: &core.pointee.lockedState) { $0 }
    }
    /// The lock came from enable_locking(NULL) and is freed with the buffer.
    var ownLock: Bool {
        get { flags & BufferFlag.ownsLock != 0 }
        set { if newValue { flags |= BufferFlag.ownsLock } else { flags &= ~BufferFlag.ownsLock } }
    }
    /// Most bytes one evbuffer_read takes (libevent 2.1: 4096; at most INT_MAX).
    var maxRead: Int {
        @inline(__always) get { Int(maxRead32) }
        set { maxRead32 = Int32(truncatingIfNeeded: newValue) }
    }
    /// The bufferevent this buffer belongs to, if any.
    var parent: UnsafeMutableRawPointer? = nil

    static let defaultMaxRead = 4096

    private init(core: CorePtr) {
        self.core = core
        conditionByte = EvBuffer.conditionByte(of: core)
    }

    /// The struct evbuffer * handed to C.
    @inline(__always) var cPointer: OpaquePointer { OpaquePointer(core) }

    /// The buffer behind a C pointer, for use without reference counting
    /// (`ref(p)._withUnsafeGuaranteedRef { ... }`).
    @inline(__always)
    static func ref(_ p: OpaquePointer) -> Unmanaged<EvBuffer> {
        CorePtr(p).pointee.buffer
    }

    @inline(__always)
    static func from(_ p: OpaquePointer) -> EvBuffer {
        ref(p).takeUnretainedValue()
    }

    /// evbuffer_new: the returned pointer owns one reference. nil when
    /// memory ran out.
    static func create() -> OpaquePointer? {
        guard let raw = Memory.malloc(MemoryLayout<BufferCore>.stride) else { return nil }
        let core = raw.bindMemory(to: BufferCore.self, capacity: 1)
        core.initialize(to: BufferCore())
        let mark = Memory.failureMark()
        let b = EvBuffer(core: core)
        if Memory.failed(since: mark) {
            core.deinitialize(count: 1)
            Memory.free(raw)
            return nil
        }
        core.pointee.owner = Unmanaged.passRetained(b).toOpaque()
        return OpaquePointer(core)
    }

    // MARK: reference counting

    @inline(__always) func incref() { refcnt += 1 }

    /// Drop a reference; the last one frees every chain and callback.
    func decref() {
        refcnt -= 1
        if refcnt > 0 { return }
        Chain.releaseAll(from: first)
        first = nil
        last = nil
        lwdSlot = nil
        totalLen = 0
        removeAllCallbacks()
        if let d = deferred {
            // Only a queued callback needs its base (which may be gone otherwise).
            if d.flags & (EVList.active | EVList.activeLater) != 0, let b = deferBase {
                EventBase.with(b) { base in base.locked { _ = base.cancelCallback(d, evenIfFinalizing: true) } }
            }
            Memory.deallocate(d)
            deferred = nil
        }
        freeOwnLock()
        let c = core
        Unmanaged.passUnretained(self).release()
        c.deinitialize(count: 1)
        Memory.free(UnsafeMutableRawPointer(c))
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
    @inline(__always) var lastWithData: ChainPtr? { core.pointee.lastWithData }

    // MARK: chain allocation

    /// A chain with room for `size` bytes (from the thread's chain cache
    /// when it has one of exactly the size libevent would allocate).
    @inline(__always)
    func newChain(_ size: Int) -> ChainPtr? {
        guard let total = Chain.allocation(for: size) else { return nil }
        let cached = total == ChainSize.minAlloc ? cev_chain_cache_get_1k() : cev_chain_cache_get(total)
        if let raw = cached {
            let c = raw.bindMemory(to: Chain.self, capacity: 1)
            c.initialize(to: Chain(next: nil, bufferLen: total &- ChainSize.header, misalign: 0, off: 0, flags: 0, refcnt: 1,
                                   buffer: (raw + MemoryLayout<Chain>.stride).assumingMemoryBound(to: UInt8.self)))
            return c
        }
        return Chain.make(total: total)
    }

    /// Keep a freed plain chain for reuse in the thread's chain cache (a
    /// buffer keeps none of its own: idle buffers hold no memory), or free it.
    @inline(__always)
    func keepSpare(_ c: ChainPtr) {
        let total = c.pointee.bufferLen &+ ChainSize.header
        let raw = UnsafeMutableRawPointer(c)
        let kept = total == ChainSize.minAlloc ? cev_chain_cache_put_1k(raw) : cev_chain_cache_put(raw, total)
        if kept == 0 { Memory.free(raw) }
    }

    /// Drop a reference to a chain of this buffer; a plain chain that is
    /// no longer used may be kept for reuse.
    @inline(__always)
    func release(_ c: ChainPtr) {
        c.pointee.refcnt -= 1
        if c.pointee.refcnt > 0 { return }
        if c.pointee.flags & ChainFlag.special == 0 {
            keepSpare(c)
        } else {
            Chain.destroy(c)
        }
    }

    func releaseAll(from c: ChainPtr?) {
        var p = c
        while let x = p {
            p = x.pointee.next
            release(x)
        }
    }

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
