import CEventSys

/// The evthread_* configuration: lock, condition and thread-id callbacks.
/// Bases, bufferevents, evbuffers and listeners take their locks through
/// `lockCallbacks` / `conditionCallbacks` (the rules: BaseLock.swift). Lock
/// debugging (LockDebug.swift) swaps those tables, so callers always go
/// through them.
enum Threads {
    // Each of these is mirrored into libevent's exported data objects
    // (internal_exports.c: evthread_lock_fns_, evthread_cond_fns_,
    // evthread_id_fn_, evthread_lock_debugging_enabled_), which libevent_extra
    // and programs built against libevent read.
    nonisolated(unsafe) static var lockDebugging = false {
        didSet { cev_publish_lock_debugging(lockDebugging ? 1 : 0) }
    }
    nonisolated(unsafe) static var idFunction: (@convention(c) () -> UInt)? = nil {
        didSet { cev_publish_id_fn(idFunction) }
    }
    /// The lock functions the library calls: the program's, or while lock
    /// debugging is on, LockDebug's checking wrappers around them.
    nonisolated(unsafe) static var lockCallbacks: evthread_lock_callbacks? = nil {
        didSet { publish(lockCallbacks, cev_publish_lock_fns) }
    }
    /// Likewise for conditions (nil unless the program installed a complete
    /// table; while debugging, its wait is wrapped).
    nonisolated(unsafe) static var conditionCallbacks: evthread_condition_callbacks? = nil {
        didSet { publish(conditionCallbacks, cev_publish_cond_fns) }
    }

    private static func publish<T>(_ table: T?, _ store: (UnsafePointer<T>?) -> Void) {
        if var t = table { withUnsafePointer(to: &t) { store($0) } } else { store(nil) }
    }
    /// The program's own tables while debugging replaced the ones above.
    nonisolated(unsafe) static var debuggedLockCallbacks: evthread_lock_callbacks? = nil {
        didSet { publish(debuggedLockCallbacks, cev_publish_original_lock_fns) }
    }
    nonisolated(unsafe) static var debuggedConditionCallbacks: evthread_condition_callbacks? = nil {
        didSet { publish(debuggedConditionCallbacks, cev_publish_original_cond_fns) }
    }

    /// Locks exist (libevent: the lock function is set): debug locks count,
    /// even standing alone.
    static var lockingEnabled: Bool { lockCallbacks != nil }

    /// The table evthread_set_lock_callbacks installed, wherever it sits.
    static var programLockCallbacks: evthread_lock_callbacks? {
        get { lockDebugging ? debuggedLockCallbacks : lockCallbacks }
        set { if lockDebugging { debuggedLockCallbacks = newValue } else { lockCallbacks = newValue } }
    }

    static var programConditionCallbacks: evthread_condition_callbacks? {
        get { lockDebugging ? debuggedConditionCallbacks : conditionCallbacks }
        set {
            if lockDebugging {
                debuggedConditionCallbacks = newValue
                conditionCallbacks = newValue.map(LockDebug.conditionTable)
            } else {
                conditionCallbacks = newValue
            }
        }
    }

    /// evthread_enable_lock_debugging: the checking table goes in front of
    /// whatever the program installed (locks made earlier are not wrapped).
    static func enableLockDebugging() {
        if lockDebugging { return }
        debuggedLockCallbacks = lockCallbacks
        debuggedConditionCallbacks = conditionCallbacks
        lockCallbacks = LockDebug.lockTable
        conditionCallbacks = conditionCallbacks.map(LockDebug.conditionTable)
        lockDebugging = true
    }

    /// The calling thread's id, through evthread_set_id_callback if set.
    static func currentId() -> UInt {
        if let f = idFunction { return f() }
        return UInt(pthread_self())
    }
}
