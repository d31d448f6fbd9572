import CEventSys

/// event_enable_debug_mode: remember every event that was set up, and
/// catch the misuse libevent catches (using an event nobody assigned,
/// re-assigning one that is pending).
enum Debug {
    // Both mirrored in libevent's exported event_debug_mode_on_ and
    // event_debug_created_threadable_ctx_ (internal_exports.c).
    nonisolated(unsafe) static var on = false { didSet { publish() } }
    /// Set once an event or base exists: enabling debug mode then is an error.
    /// libevent_global_shutdown leaves it as it is (as libevent's does), so
    /// a shutdown alone does not forbid debug mode afterwards.
    nonisolated(unsafe) static var tooLate = false { didSet { publish() } }

    private static func publish() { cev_publish_debug_mode(on ? 1 : 0, tooLate ? 1 : 0) }

    /// event_disable_debug_mode (libevent's tests): forget every event.
    static func disable() {
        withMap { events.removeAll() }
        on = false
    }
    /// Set-up events, and whether each is currently added.
    nonisolated(unsafe) static var events: [UInt: Bool] = [:]

    static func enable() {
        if on { Log.fatal(1, "event_enable_debug_mode was called twice!") }
        if tooLate { Log.fatal(1, "event_enable_debug_mode must be called *before* creating any events or event_bases") }
        on = true
    }

    @inline(__always) private static func key(_ ev: EventPtr) -> UInt { UInt(bitPattern: ev) }

    /// The table is shared by every base: with threads, one at a time.
    private static func withMap<R>(_ body: () -> R) -> R {
        if !Threads.lockingEnabled { return body() }
        cev_debug_map_lock()
        let r = body()
        cev_debug_map_unlock()
        return r
    }

    /// What the table says of `ev`: nil (not set up), false, true (added).
    private static func state(_ ev: EventPtr) -> Bool? { withMap { events[key(ev)] } }

    static func noteBaseCreated() { tooLate = true }

    @inline(__always)
    static func noteSetUp(_ ev: EventPtr) {
        if on { withMap { events[key(ev)] = false } }
        if !tooLate { tooLate = true }
    }

    static func noteTeardown(_ ev: EventPtr) {
        if on { withMap { events[key(ev)] = nil } }
    }

    static func noteAdded(_ ev: EventPtr, _ added: Bool) {
        if on { withMap { if events[key(ev)] != nil { events[key(ev)] = added } } }
    }

    private static func describe(_ ev: EventPtr) -> LogText {
        "\(Hex(ev)) (events: 0x\(Hex(UInt16(bitPattern: ev.events))), fd: \(ev.fd), flags: 0x\(Hex(UInt16(bitPattern: ev.flags))))"
    }

    // The messages name libevent's own checking functions, as its do.
    static func assertSetUp(_ ev: EventPtr) {
        if on && state(ev) == nil {
            Log.fatal(Log.errAbort, "event_debug_assert_is_setup_ called on a non-initialized event \(describe(ev))")
        }
    }

    static func assertNotAdded(_ ev: EventPtr) {
        if on, state(ev) == true {
            Log.fatal(Log.errAbort, "event_debug_assert_not_added_ called on an already added event \(describe(ev))")
        }
    }

    /// Debug mode insists that I/O events watch non-blocking fds.
    static func checkNonBlocking(_ fd: Int32) {
        if fd < 0 { return }
        let fl = fcntl_getfl(fd)
        if fl >= 0 && fl & O_NONBLOCK == 0 {
            Log.fatal(Log.errAbort, "event.c:385: Assertion flags & O_NONBLOCK failed in event_debug_assert_socket_nonblocking_")
        }
    }

    /// event_debug_unassign.
    static func unassign(_ ev: EventPtr) {
        assertNotAdded(ev)
        noteTeardown(ev)
        ev.flags &= ~EVList.initialized
    }

    /// libevent_global_shutdown: debug mode off, its table emptied.
    static func reset() {
        events = [:]
        on = false
    }
}
