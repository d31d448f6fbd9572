import CEventSys

/// struct event_base. A C caller holds an unretained pointer to it; the
/// object keeps itself alive (`passRetained` at creation) until
/// event_base_free releases it.
///
/// State the loop mutates on every event is stored inline (fd table, timer
/// heap, active queues) so dispatch touches no Swift collections.
final class EventBase {
    /// Owns the backend; the hot paths go through `ops`, which costs no
    /// reference counting per call.
    var backend: Backend! = nil {
        didSet {
            opsRef = backend.map { Unmanaged.passUnretained($0) }
            backend?.baseLock = lock
        }
    }
    private var opsRef: Unmanaged<Backend>? = nil

    @inline(__always)
    func withOps<R>(_ body: (Backend) -> R) -> R {
        return opsRef.unsafelyUnwrapped._withUnsafeGuaranteedRef(body)
    }
    var flags: Int32 = 0

    var io = IOMap()
    var signals = SignalMap()
    var timers = TimerHeap()
    var common: [UnsafeMutablePointer<CommonTimeout>] = []

    /// One FIFO per priority, plus events activated for the next iteration.
    var activeQueues: UnsafeMutablePointer<CallbackQueue>
    var priorityCount: Int = 0
    var activeLater = CallbackQueue()
    /// Deferred callbacks queued this loop iteration (scheduleDeferred).
    var deferredQueued = 0

    // Counters reported by event_base_get_num_events / get_max_events.
    var eventCount = 0, eventCountMax = 0
    var activeCount = 0, activeCountMax = 0
    var virtualCount = 0, virtualCountMax = 0

    // Loop state.
    var running = false
    var gotTerm = false
    var gotBreak = false
    var continueFlag = false
    var runningPriority = -1
    var currentEvent: CallbackPtr? = nil

    // Time: a per-iteration cache of the monotonic clock, and the offset to
    // wall-clock time (resynchronised every few seconds).
    var timeCache = timeval()
    var clockDiff = timeval()
    var lastClockDiffUpdate = 0
    var clockId: clockid_t = CLOCK_MONOTONIC_COARSE

    // event_config_set_max_dispatch_interval.
    var maxDispatchTime = timeval(tv_sec: -1, tv_usec: 0)
    var maxDispatchCallbacks = Int.max
    var limitCallbacksAfterPriority = Int.max

    /// Pending event_base_once records, freed with the base.
    var onceRecords: OnceRecordPtr? = nil

    var signalState = SignalState()

    // Cross-thread wake-up (Threads.swift).
    var notifyFd: Int32 = -1
    var notifyEvent: EventPtr? = nil
    /// A wake-up was written and the loop has not drained it yet.
    var notifyPending = false
    /// The thread running the loop (set when the loop starts).
    var ownerThread: UInt = 0

    // Locking (BaseLock.swift, where the rules are): nil when the base was
    // made without lock callbacks.
    var lock: UnsafeMutableRawPointer? = nil
    var currentEventCond: UnsafeMutableRawPointer? = nil
    var currentEventWaiters: Int32 = 0

    @inline(__always) var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    @inline(__always)
    static func from(_ p: OpaquePointer) -> EventBase {
        return Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// Run `body` on the base behind `p` without retaining it (hot paths:
    /// the base outlives every call made on one of its events).
    @inline(__always)
    static func with<R>(_ p: OpaquePointer, _ body: (EventBase) -> R) -> R {
        return Unmanaged<EventBase>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef(body)
    }

    init() {
        activeQueues = Memory.allocate(CallbackQueue.self, count: 1)
    }

    deinit { Memory.deallocate(activeQueues) }

    /// event_base_new_with_config. nil when no backend is acceptable, or
    /// memory ran out (Memory.failed: a backend that could not be built is
    /// skipped, as libevent skips one whose init fails).
    static func create(config: EventConfig?) -> EventBase? {
        let mark = Memory.failureMark()
        let base = EventBase()
        if Memory.failed(since: mark) {
            base.destroy(runFinalizers: true)
            return nil
        }
        let cfgFlags = config?.flags ?? 0
        base.flags = cfgFlags
        let checkEnv = cfgFlags & BaseFlag.ignoreEnv == 0
        if checkEnv && cfgFlags & BaseFlag.preciseTimer == 0 && getenv("EVENT_PRECISE_TIMER") != nil {
            base.flags |= BaseFlag.preciseTimer
        }
        if base.flags & BaseFlag.preciseTimer != 0 { base.clockId = CLOCK_MONOTONIC }
        _ = base.now()
        if let config {
            base.maxDispatchTime = config.maxDispatchInterval
            base.limitCallbacksAfterPriority = config.limitCallbacksAfterPriority
            base.maxDispatchCallbacks = config.maxDispatchCallbacks
        } else {
            base.limitCallbacksAfterPriority = 1
        }
        if base.maxDispatchCallbacks == Int.max && base.maxDispatchTime.tv_sec < 0 {
            base.limitCallbacksAfterPriority = Int.max
        }
        for kind in BackendKind.allCases {
            if let config {
                if config.avoids(kind) { continue }
                if kind.features & config.requiredFeatures != config.requiredFeatures { continue }
            }
            if checkEnv && getenv(kind.disablingVariable.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 }) != nil { continue }
            if let b = kind.make(base: base) {
                if let e = b as? EpollBackend {
                    e.changelist = base.flags & BaseFlag.epollUseChangelist != 0 ||
                        (checkEnv && getenv("EVENT_EPOLL_USE_CHANGELIST") != nil)
                }
                base.backend = b
                break
            }
        }
        guard base.backend != nil else {
            Log.warnx("event_base_new_with_config: no event mechanism available")
            base.destroy(runFinalizers: true)
            return nil
        }
        let built = Memory.failureMark()
        if !base.signalState.open() {
            base.destroy(runFinalizers: true)
            return nil
        }
        if getenv("EVENT_SHOW_METHOD") != nil {
            Log.msgx("libevent using: \(base.backend.methodName)")
        }
        if base.setPriorities(1) != 0 {
            base.destroy(runFinalizers: true)
            return nil
        }
        Debug.noteBaseCreated()
        if Threads.lockingEnabled && cfgFlags & BaseFlag.noLock == 0 {
            if !base.createLock() {
                Log.warnx("event_base_new_with_config: Unable to allocate the base lock.")
                base.destroy(runFinalizers: true)
                return nil
            }
            if base.makeNotifiable() != 0 {
                Log.warnx("event_base_new_with_config: Unable to make base notifiable.")
                base.destroy(runFinalizers: true)
                return nil
            }
        }
        if Memory.failed(since: built) {
            base.destroy(runFinalizers: true)
            return nil
        }
        return base
    }

    // MARK: time

    /// The loop's notion of now (monotonic), cached while callbacks run.
    @inline(__always)
    func now() -> timeval {
        if timeCache.tv_sec != 0 { return timeCache }
        let t = Clock.monotonicTimeval(clockId)
        if lastClockDiffUpdate + 5 < t.tv_sec {
            clockDiff = tvSub(Clock.wall(), t)
            lastClockDiffUpdate = t.tv_sec
        }
        return t
    }

    @inline(__always) func clearTimeCache() { timeCache.tv_sec = 0 }

    @inline(__always)
    func updateTimeCache() {
        timeCache.tv_sec = 0
        if flags & BaseFlag.noCacheTime == 0 { timeCache = now() }
    }

    // MARK: priorities

    /// event_base_priority_init.
    func setPriorities(_ n: Int) -> Int32 {
        if activeCount > 0 || n < 1 || n >= 256 { return -1 }
        if n == priorityCount { return 0 }
        // Unlike libevent, a failure leaves the old queues in place.
        guard let q = Memory.tryAllocate(CallbackQueue.self, count: n) else { return -1 }
        Memory.deallocate(activeQueues)
        activeQueues = q
        activeQueues.initialize(repeating: CallbackQueue(), count: n)
        priorityCount = n
        return 0
    }

    // MARK: counters

    @inline(__always)
    func countUp(_ flags: Int16) {
        if flags & EVList.internal == 0 {
            eventCount += 1
            if eventCount > eventCountMax { eventCountMax = eventCount }
        }
    }

    @inline(__always)
    func countDown(_ flags: Int16) {
        if flags & EVList.internal == 0 { eventCount -= 1 }
    }

    @inline(__always) var hasEvents: Bool { virtualCount > 0 || eventCount > 0 }
}

/// EVENT_BASE_FLAG_*.
enum BaseFlag {
    static let noLock: Int32 = 0x01
    static let ignoreEnv: Int32 = 0x02
    static let startupIOCP: Int32 = 0x04
    static let noCacheTime: Int32 = 0x08
    static let epollUseChangelist: Int32 = 0x10
    static let preciseTimer: Int32 = 0x20
}
