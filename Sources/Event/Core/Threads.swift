import CEventSys

/// Thread support as far as it goes today: the evthread_* configuration is
/// recorded, and bases created after it get libevent's wake-up channel (an
/// eventfd watched by an internal event) so another thread can interrupt a
/// sleeping loop. Per-base locking is the next step; the entry points that
/// will take the lock are the Exports shims.
enum Threads {
    nonisolated(unsafe) static var lockingEnabled = false
    nonisolated(unsafe) static var lockDebugging = false
    nonisolated(unsafe) static var idFunction: (@convention(c) () -> UInt)? = nil
    nonisolated(unsafe) static var lockCallbacks: evthread_lock_callbacks? = nil
    nonisolated(unsafe) static var conditionCallbacks: evthread_condition_callbacks? = nil

    /// The calling thread's id, through evthread_set_id_callback if set.
    static func currentId() -> UInt {
        if let f = idFunction { return f() }
        return UInt(pthread_self())
    }
}
