import CEventExtra

/// Locks of the extra library's objects (dns base, http server, rpc base),
/// taken through the tables the core exports (evthread_lock_fns_,
/// evthread_cond_fns_): the program's callbacks, or with lock debugging the
/// core's checking wrappers, so a lock made here and one made by the core
/// behave alike. A zero `alloc` means locking is off (no callbacks set when
/// the object was made): such objects have no lock and take none.
enum Lock {
    static let recursive: UInt32 = UInt32(EVTHREAD_LOCKTYPE_RECURSIVE)

    /// A new recursive lock; nil without lock callbacks or when their
    /// allocator fails (the caller then fails if locking was asked for).
    static func alloc() -> UnsafeMutableRawPointer? {
        evthread_lock_fns_.alloc?(recursive)
    }

    static var enabled: Bool { evthread_lock_fns_.alloc != nil }

    static func free(_ l: UnsafeMutableRawPointer?) {
        if let l { evthread_lock_fns_.free?(l, recursive) }
    }

    @inline(__always)
    static func lock(_ l: UnsafeMutableRawPointer?) {
        if let l { _ = evthread_lock_fns_.lock?(0, l) }
    }

    @inline(__always)
    static func unlock(_ l: UnsafeMutableRawPointer?) {
        if let l { _ = evthread_lock_fns_.unlock?(0, l) }
    }

    /// Run `body` holding `l` (no lock: just run it).
    @inline(__always)
    static func with<R>(_ l: UnsafeMutableRawPointer?, _ body: () -> R) -> R {
        lock(l)
        defer { unlock(l) }
        return body()
    }

    /// The calling thread's id as the core sees it (evthread_set_id_callback).
    static func currentThread() -> UInt {
        if let f = evthread_id_fn_ { return UInt(f()) }
        return UInt(pthread_self())
    }
}

/// A condition variable from evthread_cond_fns_; nil without callbacks.
enum Condition {
    static func alloc() -> UnsafeMutableRawPointer? {
        evthread_cond_fns_.alloc_condition?(0)
    }

    static func free(_ c: UnsafeMutableRawPointer?) {
        if let c { evthread_cond_fns_.free_condition?(c) }
    }

    static func signal(_ c: UnsafeMutableRawPointer?, broadcast: Bool) {
        if let c { _ = evthread_cond_fns_.signal_condition?(c, broadcast ? 1 : 0) }
    }

    /// Wait with `l` held; 0 signalled, 1 timed out, -1 error.
    static func wait(_ c: UnsafeMutableRawPointer?, _ l: UnsafeMutableRawPointer?,
                     _ timeout: UnsafePointer<timeval>?) -> Int32 {
        guard let c, let l, let w = evthread_cond_fns_.wait_condition else { return -1 }
        return w(c, l, timeout)
    }
}
