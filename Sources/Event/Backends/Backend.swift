import CEventSys

/// What the core asks of an I/O multiplexer: libevent's `struct eventop`.
/// One subclass per mechanism (Epoll, Poll, Select), chosen at run time from
/// `BackendKind.allCases` so event_config_avoid_method and EVENT_NO* can skip one.
///
/// `add` / `del` are called only on transitions of a fd's interest set:
/// `old` is what the fd had, `change` the bits being added or removed (plus
/// EV_ET when edge-triggered). `dispatch` waits at most `timeout` (nil: no
/// limit) and reports readiness through `base.ioReady(fd:what:)`.
class Backend {
    /// The base that owns this backend. Unmanaged so reporting readiness
    /// costs no reference counting per event.
    let owner: Unmanaged<EventBase>

    init(base: EventBase) { owner = Unmanaged.passUnretained(base) }

    @inline(__always)
    final func report(fd: Int32, what: Int16) {
        owner._withUnsafeGuaranteedRef { $0.activateReady(fd: fd, what: what) }
    }

    /// The base's lock (nil without one), let go while the backend sleeps
    /// (BaseLock.swift). A copy here: the sleep path reads no base field.
    final var baseLock: UnsafeMutableRawPointer? = nil

    @inline(__always)
    final var baseLocked: Bool { baseLock != nil }

    @inline(__always)
    final func releaseBase() { if let l = baseLock { BufferLock.unlock(l) } }

    @inline(__always)
    final func reacquireBase() { if let l = baseLock { BufferLock.lock(l) } }

    var kind: BackendKind { .select }
    var name: StaticString { kind.name }
    /// The name event_base_get_method reports (a variant may differ).
    var methodName: StaticString { kind.name }
    var features: Int32 { kind.features }
    /// Kernel state that does not survive fork (epoll's fd) must be rebuilt.
    var needsReinit: Bool { false }

    func add(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 { -1 }
    func del(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 { -1 }
    /// 0 on success (including EINTR), -1 on failure.
    func dispatch(timeout: Micros?) -> Int32 { -1 }
    func close() {}
}

/// The mechanisms this library has, in order of preference.
enum BackendKind: CaseIterable {
    case epoll, poll, select

    var name: StaticString {
        switch self {
        case .epoll: return "epoll"
        case .poll: return "poll"
        case .select: return "select"
        }
    }

    /// EV_FEATURE_* bits.
    var features: Int32 {
        switch self {
        case .epoll: return Feature.et | Feature.o1 | Feature.earlyClose
        case .poll: return Feature.fds | Feature.earlyClose
        case .select: return Feature.fds
        }
    }

    /// Environment variable that disables it: EVENT_NOEPOLL etc.
    var disablingVariable: StaticString {
        switch self {
        case .epoll: return "EVENT_NOEPOLL"
        case .poll: return "EVENT_NOPOLL"
        case .select: return "EVENT_NOSELECT"
        }
    }

    /// The backend, or nil when it is unavailable or memory ran out while
    /// building it (the caller then tries the next one, as libevent does
    /// when a backend's init fails).
    func make(base: EventBase) -> Backend? {
        let mark = Memory.failureMark()
        let b: Backend?
        switch self {
        case .epoll: b = EpollBackend.create(base: base)
        case .poll: b = PollBackend(base: base)
        case .select: b = SelectBackend(base: base)
        }
        if let b, Memory.failed(since: mark) {
            b.close()
            return nil
        }
        return b
    }
}

enum Feature {
    static let et: Int32 = 0x01
    static let o1: Int32 = 0x02
    static let fds: Int32 = 0x04
    static let earlyClose: Int32 = 0x08
}

/// Milliseconds for poll/epoll, rounded up like libevent (a 1 µs timeout must not spin).
@inline(__always)
func timeoutMillis(_ t: Micros?, cap: Int64 = 35 * 60 * 1000) -> Int32 {
    guard let t else { return -1 }
    if t <= 0 { return 0 }
    if t / 1000 >= cap { return Int32(cap) }
    let ms = (t + 999) / 1000
    return Int32(ms > cap ? cap : ms)
}
