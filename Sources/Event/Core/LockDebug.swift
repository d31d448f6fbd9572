import CEventSys

/// One lock handed out while lock debugging is on (32 bytes, the size
/// libevent allocates for its own). `real` is the program's lock, always
/// allocated recursive so that a second lock by its holder reaches our
/// check instead of deadlocking; nil when there are no lock callbacks.
struct DebugLock {
    var signature: UInt32
    var type: UInt32
    /// The thread holding it, when an id callback is set (0: nobody).
    var holder: UInt
    var depth: Int32
    var real: UnsafeMutableRawPointer?
}

/// evthread_enable_lock_debugging: `Threads.lockCallbacks` becomes this
/// table, the program's own one moves to `Threads.programLockCallbacks`, and
/// the condition wait is wrapped so a wait keeps the bookkeeping right.
/// Misuse is fatal (libevent's assertion code 0xdeaddead and its messages,
/// file and line included, since a log callback sees them): unlocking a lock
/// not held or held by another thread, freeing a held lock or with the wrong
/// type, re-taking a non-recursive lock, a lock mode that does not fit the
/// lock's type. libevent only knows threads apart through the id callback,
/// so without one the holder is not checked.
///
/// Where libevent would crash we keep going: a lock made before debugging
/// was switched on (or given to evbuffer_enable_locking) is passed to the
/// program's callbacks unchecked, with one warning; locks made while there
/// were no lock callbacks get a real lock when the program installs some.
enum LockDebug {
    typealias Ptr = UnsafeMutablePointer<DebugLock>

    static let live: UInt32 = 0x10cd_eb06
    static let freed: UInt32 = 0xf4ee_d10c
    static let recursive: UInt32 = 1          // EVTHREAD_LOCKTYPE_RECURSIVE
    static let readWrite: UInt32 = 2          // EVTHREAD_LOCKTYPE_READWRITE
    static let rwModes: UInt32 = 0x04 | 0x08  // EVTHREAD_READ | EVTHREAD_WRITE

    /// Debug locks made without a real lock, by address: they get one when
    /// evthread_set_lock_callbacks comes later.
    nonisolated(unsafe) static var standalone: [UInt: Bool] = [:]
    nonisolated(unsafe) static var warnedForeign = false

    static var lockTable: evthread_lock_callbacks {
        evthread_lock_callbacks(
            lock_api_version: 1, supported_locktypes: recursive,
            alloc: { LockDebug.allocate($0) },
            free: { LockDebug.release($0, $1) },
            lock: { LockDebug.lock($0, $1) },
            unlock: { LockDebug.unlock($0, $1) })
    }

    /// The program's condition functions with the wait wrapped.
    static func conditionTable(_ c: evthread_condition_callbacks) -> evthread_condition_callbacks {
        var t = c
        t.wait_condition = { LockDebug.wait($0, $1, $2) }
        return t
    }

    @inline(__always)
    static func debugLock(_ p: UnsafeMutableRawPointer) -> Ptr? {
        p.loadUnaligned(as: UInt32.self) == live ? p.assumingMemoryBound(to: DebugLock.self) : nil
    }

    /// A lock that is not one of ours goes to the program's own functions.
    static func noteForeign() {
        if warnedForeign { return }
        warnedForeign = true
        Log.warnx("evthread_enable_lock_debugging: a lock made before lock debugging was enabled is used unchecked")
    }

    static func allocate(_ type: UInt32) -> UnsafeMutableRawPointer? {
        guard let raw = Memory.malloc(MemoryLayout<DebugLock>.size) else { return nil }
        var real: UnsafeMutableRawPointer? = nil
        if let alloc = Threads.programLockCallbacks?.alloc {
            guard let r = alloc(type | recursive) else {
                Memory.free(raw)
                return nil
            }
            real = r
        }
        raw.bindMemory(to: DebugLock.self, capacity: 1)
            .initialize(to: DebugLock(signature: live, type: type, holder: 0, depth: 0, real: real))
        if real == nil { standalone[UInt(bitPattern: raw)] = true }
        return raw
    }

    static func release(_ p: UnsafeMutableRawPointer?, _ type: UInt32) {
        guard let p else { return }
        guard let d = debugLock(p) else {
            if let free = Threads.programLockCallbacks?.free {
                noteForeign()
                free(p, type)
                return
            }
            Log.bug("evthread.c:222: Assertion DEBUG_LOCK_SIG == lock->signature failed in debug_lock_free")
        }
        if d.pointee.depth != 0 {
            Log.bug("evthread.c:220: Assertion lock->count == 0 failed in debug_lock_free")
        }
        if d.pointee.type != type {
            Log.bug("evthread.c:221: Assertion locktype == lock->locktype failed in debug_lock_free")
        }
        if let real = d.pointee.real {
            // With the callbacks removed since, the real lock cannot be freed.
            Threads.programLockCallbacks?.free?(real, d.pointee.type | recursive)
        } else if !standalone.isEmpty {
            standalone[UInt(bitPattern: p)] = nil
            // The last one gone: give the table's storage back too, so a
            // program counting its allocator's blocks sees none left.
            if standalone.isEmpty { standalone = [:] }
        }
        d.pointee.signature = freed
        d.pointee.real = nil
        Memory.free(p)
    }

    static func lock(_ mode: UInt32, _ p: UnsafeMutableRawPointer?) -> Int32 {
        guard let p else { return 0 }
        guard let d = debugLock(p) else {
            if let lock = Threads.programLockCallbacks?.lock {
                noteForeign()
                return lock(mode, p)
            }
            Log.bug("evthread.c:236: Assertion DEBUG_LOCK_SIG == lock->signature failed in evthread_debug_lock_mark_locked")
        }
        if d.pointee.type & readWrite != 0 {
            if mode & rwModes == 0 {
                Log.bug("evthread.c:255: Assertion mode & (EVTHREAD_READ|EVTHREAD_WRITE) failed in debug_lock_lock")
            }
        } else if mode & rwModes != 0 {
            Log.bug("evthread.c:257: Assertion (mode & (EVTHREAD_READ|EVTHREAD_WRITE)) == 0 failed in debug_lock_lock")
        }
        var r: Int32 = 0
        if let real = d.pointee.real, let lock = Threads.programLockCallbacks?.lock { r = lock(mode, real) }
        if r == 0 { markLocked(d) }
        return r
    }

    static func unlock(_ mode: UInt32, _ p: UnsafeMutableRawPointer?) -> Int32 {
        guard let p else { return 0 }
        guard let d = debugLock(p) else {
            if let unlock = Threads.programLockCallbacks?.unlock {
                noteForeign()
                return unlock(mode, p)
            }
            Log.bug("evthread.c:269: Assertion DEBUG_LOCK_SIG == lock->signature failed in evthread_debug_lock_mark_unlocked")
        }
        markUnlocked(mode, d)
        if let real = d.pointee.real, let unlock = Threads.programLockCallbacks?.unlock { return unlock(mode, real) }
        return 0
    }

    static func markLocked(_ d: Ptr) {
        d.pointee.depth &+= 1
        if d.pointee.type & recursive == 0 && d.pointee.depth != 1 {
            Log.bug("evthread.c:239: Assertion lock->count == 1 failed in evthread_debug_lock_mark_locked")
        }
        if let id = Threads.idFunction {
            let me = id()
            if d.pointee.depth > 1 && d.pointee.holder != me {
                Log.bug("evthread.c:244: Assertion lock->held_by == me failed in evthread_debug_lock_mark_locked")
            }
            d.pointee.holder = me
        }
    }

    static func markUnlocked(_ mode: UInt32, _ d: Ptr) {
        if d.pointee.type & readWrite != 0 {
            if mode & rwModes == 0 {
                Log.bug("evthread.c:271: Assertion mode & (EVTHREAD_READ|EVTHREAD_WRITE) failed in evthread_debug_lock_mark_unlocked")
            }
        } else if mode & rwModes != 0 {
            Log.bug("evthread.c:273: Assertion (mode & (EVTHREAD_READ|EVTHREAD_WRITE)) == 0 failed in evthread_debug_lock_mark_unlocked")
        }
        if let id = Threads.idFunction {
            if d.pointee.holder != id() {
                Log.bug("evthread.c:277: Assertion lock->held_by == me failed in evthread_debug_lock_mark_unlocked")
            }
            if d.pointee.depth == 1 { d.pointee.holder = 0 }
        }
        d.pointee.depth &-= 1
        if d.pointee.depth < 0 {
            Log.bug("evthread.c:282: Assertion lock->count >= 0 failed in evthread_debug_lock_mark_unlocked")
        }
    }

    /// Held by the caller (by anyone, without an id callback).
    static func isHeld(_ d: Ptr) -> Bool {
        if d.pointee.depth == 0 { return false }
        if let id = Threads.idFunction { return d.pointee.holder == id() }
        return true
    }

    /// Whether the calling thread holds `p`, for the library's own
    /// "lock must be held here" checks; nil when `p` is not a debug lock.
    static func holds(_ p: UnsafeMutableRawPointer) -> Bool? {
        guard Threads.lockDebugging, let d = debugLock(p) else { return nil }
        return isHeld(d)
    }

    /// The wrapped wait_condition: the caller must hold the lock; the real
    /// lock is what the program's wait releases and takes back.
    static func wait(_ cond: UnsafeMutableRawPointer?, _ p: UnsafeMutableRawPointer?,
                     _ tv: UnsafePointer<timeval>?) -> Int32 {
        guard let wait = Threads.programConditionCallbacks?.wait_condition else { return -1 }
        guard let p else { Log.bug("evthread.c:301: Assertion lock failed in debug_cond_wait") }
        guard let d = debugLock(p) else {
            noteForeign()
            return wait(cond, p, tv)
        }
        if !isHeld(d) {
            Log.bug("evthread.c:303: Assertion evthread_is_debug_lock_held_(lock_) failed in debug_cond_wait")
        }
        guard let real = d.pointee.real else {
            Log.warnx("evthread: cannot wait on a condition with a lock made before the lock callbacks were set")
            return -1
        }
        markUnlocked(0, d)
        let r = wait(cond, real, tv)
        markLocked(d)
        return r
    }

    /// evthread_set_lock_callbacks while debugging: every idle lock made so
    /// far without a real lock gets one now (a held one stays without).
    static func adoptProgramLocks() {
        guard let alloc = Threads.programLockCallbacks?.alloc, !standalone.isEmpty else { return }
        for (key, _) in standalone {
            guard let p = UnsafeMutableRawPointer(bitPattern: key), let d = debugLock(p) else { continue }
            if d.pointee.depth == 0 { d.pointee.real = alloc(d.pointee.type | recursive) }
        }
        standalone = [:]
    }
}
