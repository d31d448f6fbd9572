import CEventSys

/// evbuffer_enable_locking and the lock every public entry point takes when
/// a buffer has one (through the evthread lock callbacks, as libevent's
/// EVBUFFER_LOCK does). Locks are recursive, so callbacks run with the lock
/// held may call back into the buffer. What is read of a buffer before its
/// lock is taken: `owner` (set at creation), `lock` and the fast paths'
/// gate `slow` (both set when locking is enabled, before other threads can
/// see the buffer, and not again until it is destroyed: BufferCore.swift).
///
/// BufferLock is also the one set of lock calls every object with an
/// optional lock uses (base, bufferevent, listener, rate-limit group):
/// the rules are in Core/BaseLock.swift.
enum BufferLock {
    static let recursive: UInt32 = 1   // EVTHREAD_LOCKTYPE_RECURSIVE

    /// A new recursive lock from the lock callbacks; nil without callbacks
    /// or when their allocator fails.
    @inline(never)
    static func alloc() -> UnsafeMutableRawPointer? {
        Threads.lockCallbacks?.alloc?(recursive)
    }

    /// Give back a lock from `alloc` (not held).
    @inline(never)
    static func free(_ l: UnsafeMutableRawPointer?) {
        if let l { Threads.lockCallbacks?.free?(l, recursive) }
    }

    @inline(__always)
    static func lock(_ l: UnsafeMutableRawPointer) {
        _ = Threads.lockCallbacks?.lock?(0, l)
    }

    @inline(__always)
    static func unlock(_ l: UnsafeMutableRawPointer) {
        _ = Threads.lockCallbacks?.unlock?(0, l)
    }

    /// Run `body` holding `l`; without a lock, just run it. Every object
    /// with an optional lock (base, bufferevent, evbuffer, listener,
    /// rate-limit group) goes through here.
    @inline(__always)
    static func with<R>(_ l: UnsafeMutableRawPointer?, _ body: () -> R) -> R {
        guard let l else { return body() }
        lock(l)
        let r = body()
        unlock(l)
        return r
    }

    /// EVTHREAD_TRY: take the lock only if no waiting is needed (a
    /// recursive lock its holder takes again counts as free); true if taken.
    static func tryLock(_ l: UnsafeMutableRawPointer) -> Bool {
        guard let lock = Threads.lockCallbacks?.lock else { return true }
        return lock(UInt32(EVTHREAD_TRY), l) == 0
    }
}

extension EvBuffer {
    /// evbuffer_enable_locking: `lock` (or, when NULL, a new recursive lock
    /// from the evthread callbacks) protects the buffer from now on.
    func enableLocking(_ lock: UnsafeMutableRawPointer?) -> Int32 {
        if self.lock != nil { return -1 }
        if let lock {
            self.lock = lock
            ownLock = false
            return 0
        }
        guard let l = BufferLock.alloc() else { return -1 }
        self.lock = l
        ownLock = true
        return 0
    }

    @inline(__always) func lockBuffer() { if let l = lock { BufferLock.lock(l) } }
    @inline(__always) func unlockBuffer() { if let l = lock { BufferLock.unlock(l) } }

    /// Run `body` holding the buffer's lock (if it has one).
    @inline(__always)
    func locked<R>(_ body: () -> R) -> R { BufferLock.with(lock, body) }

    /// Run `body` holding both buffers' locks, taken in address order (one
    /// lock when they share it), as libevent's EVBUFFER_LOCK2 does.
    @inline(__always)
    static func locked<R>(_ a: EvBuffer, _ b: EvBuffer, _ body: () -> R) -> R {
        let la = a.lock, lb = b.lock
        if la == nil && lb == nil { return body() }
        var first = la, second = lb
        if let x = la, let y = lb {
            if x == y {
                second = nil
            } else if UInt(bitPattern: y) < UInt(bitPattern: x) {
                first = y
                second = x
            }
        }
        if let f = first { BufferLock.lock(f) }
        if let s = second { BufferLock.lock(s) }
        let r = body()
        if let s = second { BufferLock.unlock(s) }
        if let f = first { BufferLock.unlock(f) }
        return r
    }

    /// The caller's reference goes away (evbuffer_free): under the lock,
    /// unless it was the last one.
    func releaseReference() {
        if let l = lock {
            BufferLock.lock(l)
            if refcnt > 1 {
                refcnt -= 1
                BufferLock.unlock(l)
                return
            }
            BufferLock.unlock(l)
        }
        decref()
    }

    /// Free a lock we allocated (the buffer is being destroyed).
    func freeOwnLock() {
        if ownLock { BufferLock.free(lock) }
        lock = nil
        ownLock = false
    }
}
