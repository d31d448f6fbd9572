import XCTest
import Synchronization
import CEventSys
@testable import Event

// What the threaded tests need besides the library: lock and condition
// callbacks written here (pthread-based, installed once for the whole test
// process), threads, and a monitor to wait on with a hang guard.

/// The evthread callbacks, installed through the library's own setters.
/// They are process-global and cannot be changed once set, so the first
/// threaded test installs them and they stay for every later test: bases
/// made from then on get a lock and a wake-up channel, which every other
/// test must tolerate (see ThreadedBaseTests.swift).
enum TestLocks {
    /// Locks and conditions the library allocated and has not freed.
    static let live = Atomic<Int>(0)
    /// Failed lock/unlock/wait calls: a lock released that was not held,
    /// a non-recursive lock taken twice, ...
    static let errors = Atomic<Int>(0)

    private static let installed: Bool = {
        var locks = evthread_lock_callbacks(
            lock_api_version: EVTHREAD_LOCK_API_VERSION,
            supported_locktypes: UInt32(EVTHREAD_LOCKTYPE_RECURSIVE),
            alloc: lockAlloc, free: lockFree, lock: lockLock, unlock: lockUnlock)
        var conds = evthread_condition_callbacks(
            condition_api_version: EVTHREAD_CONDITION_API_VERSION,
            alloc_condition: condAlloc, free_condition: condFree,
            signal_condition: condSignal, wait_condition: condWait)
        let a = evthread_set_lock_callbacks(&locks)
        let b = evthread_set_condition_callbacks(&conds)
        evthread_set_id_callback(threadId)
        return a == 0 && b == 0
    }()

    /// Idempotent: the callbacks are set on the first call only.
    static func install(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(installed, "evthread_set_*_callbacks refused the test's callbacks", file: file, line: line)
    }

    static func noteError() { errors.add(1, ordering: .relaxed) }
}

// Recursive locks as asked; the plain kind is error-checking, so taking it
// twice or releasing it from the wrong thread shows up in TestLocks.errors
// instead of deadlocking.
private let lockAlloc: @convention(c) (UInt32) -> UnsafeMutableRawPointer? = { type in
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    var attr = pthread_mutexattr_t()
    pthread_mutexattr_init(&attr)
    let kind = type & UInt32(EVTHREAD_LOCKTYPE_RECURSIVE) != 0 ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_ERRORCHECK
    pthread_mutexattr_settype(&attr, Int32(kind))
    let r = pthread_mutex_init(m, &attr)
    pthread_mutexattr_destroy(&attr)
    if r != 0 {
        m.deallocate()
        return nil
    }
    TestLocks.live.add(1, ordering: .relaxed)
    return UnsafeMutableRawPointer(m)
}

private let lockFree: @convention(c) (UnsafeMutableRawPointer?, UInt32) -> Void = { p, _ in
    guard let m = p?.assumingMemoryBound(to: pthread_mutex_t.self) else { return TestLocks.noteError() }
    if pthread_mutex_destroy(m) != 0 { TestLocks.noteError() }
    m.deallocate()
    TestLocks.live.subtract(1, ordering: .relaxed)
}

private let lockLock: @convention(c) (UInt32, UnsafeMutableRawPointer?) -> Int32 = { mode, p in
    guard let m = p?.assumingMemoryBound(to: pthread_mutex_t.self) else {
        TestLocks.noteError()
        return -1
    }
    let r = mode & UInt32(EVTHREAD_TRY) != 0 ? pthread_mutex_trylock(m) : pthread_mutex_lock(m)
    if r != 0 && r != EBUSY { TestLocks.noteError() }
    return r
}

private let lockUnlock: @convention(c) (UInt32, UnsafeMutableRawPointer?) -> Int32 = { _, p in
    guard let m = p?.assumingMemoryBound(to: pthread_mutex_t.self) else {
        TestLocks.noteError()
        return -1
    }
    let r = pthread_mutex_unlock(m)
    if r != 0 { TestLocks.noteError() }
    return r
}

private let condAlloc: @convention(c) (UInt32) -> UnsafeMutableRawPointer? = { _ in
    let c = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    if pthread_cond_init(c, nil) != 0 {
        c.deallocate()
        return nil
    }
    TestLocks.live.add(1, ordering: .relaxed)
    return UnsafeMutableRawPointer(c)
}

private let condFree: @convention(c) (UnsafeMutableRawPointer?) -> Void = { p in
    guard let c = p?.assumingMemoryBound(to: pthread_cond_t.self) else { return TestLocks.noteError() }
    if pthread_cond_destroy(c) != 0 { TestLocks.noteError() }
    c.deallocate()
    TestLocks.live.subtract(1, ordering: .relaxed)
}

private let condSignal: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { p, all in
    guard let c = p?.assumingMemoryBound(to: pthread_cond_t.self) else {
        TestLocks.noteError()
        return -1
    }
    let r = all != 0 ? pthread_cond_broadcast(c) : pthread_cond_signal(c)
    if r != 0 { TestLocks.noteError() }
    return r
}

/// 0 when signalled, 1 on timeout, -1 on error (thread.h's contract).
private let condWait: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafePointer<timeval>?) -> Int32 = { cp, lp, tv in
    guard let c = cp?.assumingMemoryBound(to: pthread_cond_t.self),
          let m = lp?.assumingMemoryBound(to: pthread_mutex_t.self) else {
        TestLocks.noteError()
        return -1
    }
    if let tv {
        // The condition uses the default (realtime) clock.
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var ns = now.tv_nsec + tv.pointee.tv_usec * 1000
        var deadline = timespec(tv_sec: now.tv_sec + tv.pointee.tv_sec + ns / 1_000_000_000, tv_nsec: 0)
        ns %= 1_000_000_000
        deadline.tv_nsec = ns
        let r = pthread_cond_timedwait(c, m, &deadline)
        if r == ETIMEDOUT { return 1 }
        if r != 0 { TestLocks.noteError() }
        return r == 0 ? 0 : -1
    }
    let r = pthread_cond_wait(c, m)
    if r != 0 { TestLocks.noteError() }
    return r == 0 ? 0 : -1
}

private let threadId: @convention(c) () -> UInt = { UInt(pthread_self()) }

/// A mutex and condition for the tests' own shared state: every field a
/// test shares between threads is read and written inside `locked` or
/// `update`, and waited on with `wait`.
final class Monitor {
    private let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let c = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// How long a wait may take before the test calls it a hang.
    static let hangSeconds = 5

    init() {
        pthread_mutex_init(m, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(c, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(c)
        pthread_mutex_destroy(m)
        c.deallocate()
        m.deallocate()
    }

    func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        return body()
    }

    /// Change shared state and wake every waiter.
    func update(_ body: () -> Void) {
        pthread_mutex_lock(m)
        body()
        pthread_cond_broadcast(c)
        pthread_mutex_unlock(m)
    }

    /// Wait until `done()` holds (evaluated under the monitor); false if it
    /// still does not after `seconds`.
    func wait(seconds: Int = Monitor.hangSeconds, until done: () -> Bool) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        deadline.tv_sec += seconds
        pthread_mutex_lock(m)
        defer { pthread_mutex_unlock(m) }
        while !done() {
            if pthread_cond_timedwait(c, m, &deadline) == ETIMEDOUT { return done() }
        }
        return true
    }
}

/// A pthread running a closure.
final class TestThread {
    private var tid = pthread_t()
    private var joined = false

    init(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let r = pthread_create(&tid, nil, { arg in
            let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            b.body()
            return nil
        }, box)
        precondition(r == 0, "pthread_create failed")
    }

    func join() {
        if joined { return }
        joined = true
        pthread_join(tid, nil)
    }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}

/// Run `body(i)` on `n` threads at once (released together) and join them.
func onThreads(_ n: Int, _ body: @escaping (Int) -> Void) {
    final class Gate { let mon = Monitor(); var open = false }
    let gate = Gate()
    let threads = (0..<n).map { i in
        TestThread {
            _ = gate.mon.wait { gate.open }
            body(i)
        }
    }
    gate.mon.update { gate.open = true }
    for t in threads { t.join() }
}

/// event_base_loop running in its own thread until `stop()`.
final class LoopThread {
    let base: OpaquePointer
    private let mon = Monitor()
    private var result: Int32? = nil
    private var started = false
    private var thread: TestThread? = nil

    /// Start looping (EventBase.LoopFlag.noExitOnEmpty unless told otherwise) and
    /// return once the loop runs: its first pass runs a zero-timeout
    /// event_base_once queued from here, before the thread exists.
    init(_ base: OpaquePointer, flags: Int32 = EventBase.LoopFlag.noExitOnEmpty,
         file: StaticString = #filePath, line: UInt = #line) {
        self.base = base
        var zero = timeval()
        let arg = Unmanaged.passUnretained(self).toOpaque()
        XCTAssertEqual(event_base_once(base, -1, EV.timeout, { _, _, arg in
            let me = Unmanaged<LoopThread>.fromOpaque(arg!).takeUnretainedValue()
            me.mon.update { me.started = true }
        }, arg, &zero), 0, file: file, line: line)
        thread = TestThread { [self] in
            let r = event_base_loop(base, flags)
            mon.update { result = r }
        }
        XCTAssertTrue(mon.wait { started }, "the loop did not start", file: file, line: line)
    }

    /// Let a freshly woken loop go back to sleep in its backend. Only makes
    /// the "wake a sleeping loop" path likely; nothing asserts on it.
    func letItSleep() { usleep(20_000) }

    /// What event_base_loop returned, once it did (nil: still running
    /// after the hang bound).
    func waitForExit() -> Int32? {
        guard mon.wait(until: { result != nil }) else { return nil }
        thread?.join()
        return mon.locked { result }
    }

    /// Wait for event_base_loop to return 0. False (a failure recorded)
    /// if it did not return: its thread is left running and the test must
    /// not free the base or anything the loop may touch.
    func expectExit(_ message: @autoclosure () -> String = "the loop did not return",
                    file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let r = waitForExit() else {
            XCTFail(message(), file: file, line: line)
            return false
        }
        XCTAssertEqual(r, 0, "event_base_loop's result", file: file, line: line)
        return true
    }

    /// loopbreak from this thread, then expectExit.
    func stop(file: StaticString = #filePath, line: UInt = #line) -> Bool {
        XCTAssertEqual(event_base_loopbreak(base), 0, file: file, line: line)
        return expectExit("the loop did not stop after event_base_loopbreak", file: file, line: line)
    }

    var exited: Bool { mon.locked { result != nil } }
}

/// What an event's callback reports: how often it was entered and how
/// often it returned, and on which thread. It can be made to sleep (a
/// window in which a deletion that does not wait would be seen) or to
/// block until the test opens a gate.
final class Probe {
    let mon = Monitor()
    let sleepMicros: UInt32
    let gated: Bool
    private(set) var entered = 0
    private(set) var returned = 0
    private(set) var thread: pthread_t? = nil
    private var gateOpen = false
    /// The gate's wait ran into the hang bound.
    private(set) var gateTimedOut = false

    init(sleepMicros: UInt32 = 0, gated: Bool = false) {
        self.sleepMicros = sleepMicros
        self.gated = gated
    }

    var arg: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let callback: EventCallback = { _, _, arg in
        let p = Unmanaged<Probe>.fromOpaque(arg!).takeUnretainedValue()
        p.mon.update {
            p.entered += 1
            p.thread = pthread_self()
        }
        if p.sleepMicros > 0 { usleep(p.sleepMicros) }
        if p.gated && !p.mon.wait(until: { p.gateOpen }) { p.mon.update { p.gateTimedOut = true } }
        p.mon.update { p.returned += 1 }
    }

    var counts: (entered: Int, returned: Int) { mon.locked { (entered, returned) } }

    func open() { mon.update { gateOpen = true } }

    func waitEntered(_ n: Int = 1) -> Bool { mon.wait { entered >= n } }
    func waitReturned(_ n: Int = 1) -> Bool { mon.wait { returned >= n } }
}

/// Failures seen on helper threads, reported from the test's thread
/// (XCTest assertions belong there).
final class Failures {
    private let mon = Monitor()
    private var list: [String] = []

    func add(_ s: String) { mon.update { list.append(s) } }

    func check(file: StaticString = #filePath, line: UInt = #line) {
        for s in mon.locked({ list }) { XCTFail(s, file: file, line: line) }
    }
}

// EVENT_BASE_COUNT_ADDED (its macro is not imported).
let eventBaseCountAdded: Int32 = 4

/// What every threaded test shares: the lock callbacks installed, and
/// afterwards no lock callback failed and every lock and condition the
/// library allocated was freed.
class ThreadedTestCase: XCTestCase {
    /// The backends each wake-up test runs on.
    let methods = ["epoll", "poll", "select"]

    private var liveBefore = 0
    private var errorsBefore = 0

    override func setUp() {
        TestLocks.install()
        liveBefore = TestLocks.live.load(ordering: .relaxed)
        errorsBefore = TestLocks.errors.load(ordering: .relaxed)
    }

    override func tearDown() {
        XCTAssertEqual(TestLocks.errors.load(ordering: .relaxed), errorsBefore, "a lock callback failed (lock misuse)")
        XCTAssertEqual(TestLocks.live.load(ordering: .relaxed), liveBefore, "locks or conditions not freed")
    }

    /// A base on one backend (environment ignored), or the default one.
    func newBase(_ method: String? = nil, flags: Int32 = 0,
                 file: StaticString = #filePath, line: UInt = #line) -> OpaquePointer {
        let cfg = event_config_new()
        defer { event_config_free(cfg) }
        XCTAssertEqual(event_config_set_flag(cfg, BaseFlag.ignoreEnv | flags), 0)
        if let method {
            for other in methods where other != method { XCTAssertEqual(event_config_avoid_method(cfg, other), 0) }
        }
        let base = event_base_new_with_config(cfg)!
        if let method {
            XCTAssertEqual(String(cString: event_base_get_method(base)!), method, file: file, line: line)
        }
        return base
    }

    func newEvent(_ base: OpaquePointer, _ events: Int16 = 0, _ probe: Probe) -> EventPtr {
        event_new(base, -1, events, Probe.callback, probe.arg)!
    }

    /// A zero-timeout event_base_once from this thread, waited for: the
    /// running loop has made one more pass (and run what was queued first).
    func loopPass(_ base: OpaquePointer, file: StaticString = #filePath, line: UInt = #line) {
        let p = Probe()
        var zero = timeval()
        XCTAssertEqual(event_base_once(base, -1, EV.timeout, Probe.callback, p.arg, &zero), 0, file: file, line: line)
        XCTAssertTrue(p.waitEntered(), "the loop made no pass", file: file, line: line)
    }
}
