import XCTest
import CEventSys
@testable import Event

/// A fake lock implementation: each lock is 16 zeroed bytes; calls are
/// recorded with the lock they were given.
private enum Fake {
    nonisolated(unsafe) static var log: [(StaticString, UInt, UInt32)] = []
    nonisolated(unsafe) static var waitSawHeld: Bool? = nil
    nonisolated(unsafe) static var waitLock: UInt = 0

    static func key(_ p: UnsafeMutableRawPointer?) -> UInt { UInt(bitPattern: p) }

    static let locks = evthread_lock_callbacks(
        lock_api_version: 1, supported_locktypes: 1,
        alloc: { t in
            let p = calloc(1, 16)
            Fake.log.append(("alloc", Fake.key(p), t))
            return p
        },
        free: { p, t in
            Fake.log.append(("free", Fake.key(p), t))
            free(p)
        },
        lock: { m, p in
            Fake.log.append(("lock", Fake.key(p), m))
            return 0
        },
        unlock: { m, p in
            Fake.log.append(("unlock", Fake.key(p), m))
            return 0
        })

    static let conds = evthread_condition_callbacks(
        condition_api_version: 1,
        alloc_condition: { _ in calloc(1, 8) },
        free_condition: { free($0) },
        signal_condition: { _, _ in 0 },
        wait_condition: { _, lock, _ in
            Fake.waitLock = Fake.key(lock)
            Fake.waitSawHeld = LockDebugTests.current.flatMap { LockDebug.holds($0) }
            return 0
        })

    static func names() -> [String] { log.map { "\($0.0)" } }
}

/// Lock debugging where the parity tests cannot look: what libevent leaves
/// undefined (locks made before debugging was switched on, lock callbacks
/// installed after debug locks exist), condition waits (internal only), and
/// the misuse no public call reaches (a non-recursive lock re-taken, the
/// wrong type at free, a wait without the lock), each fatal in a child.
final class LockDebugTests: XCTestCase {
    nonisolated(unsafe) static var current: UnsafeMutableRawPointer? = nil

    override func setUp() {
        Fake.log = []
        Fake.waitSawHeld = nil
        Threads.lockDebugging = false
        Threads.lockCallbacks = nil
        Threads.conditionCallbacks = nil
        Threads.debuggedLockCallbacks = nil
        Threads.debuggedConditionCallbacks = nil
        Threads.idFunction = nil
        LockDebug.standalone = [:]
        LockDebug.warnedForeign = false
    }

    override func tearDown() { setUp() }

    private var table: evthread_lock_callbacks { Threads.lockCallbacks! }

    func testLockMadeBeforeDebuggingGoesToTheProgramUnchecked() {
        var locks = Fake.locks
        XCTAssertEqual(Event.evthread_set_lock_callbacks(&locks), 0)
        let raw = table.alloc!(1)!
        Event.evthread_enable_lock_debugging()
        let (_, logs) = LogCapture.during {
            XCTAssertEqual(table.lock!(0, raw), 0)
            XCTAssertEqual(table.lock!(0, raw), 0)
            XCTAssertEqual(table.unlock!(0, raw), 0)
            XCTAssertEqual(table.unlock!(0, raw), 0)
            table.free!(raw, 1)
        }
        XCTAssertEqual(logs.count, 1, "one warning, not one per call")
        XCTAssertEqual(Fake.names(), ["alloc", "lock", "lock", "unlock", "unlock", "free"])
        XCTAssertTrue(Fake.log.allSatisfy { $0.1 == UInt(bitPattern: raw) })
    }

    func testDebugLockWrapsARecursiveProgramLock() {
        var locks = Fake.locks
        XCTAssertEqual(Event.evthread_set_lock_callbacks(&locks), 0)
        Event.evthread_enable_lock_debugging()
        let d = table.alloc!(0)!
        XCTAssertEqual(Fake.log.map { $0.2 }, [1], "the real lock is always recursive")
        let real = Fake.log[0].1
        XCTAssertNotEqual(real, UInt(bitPattern: d))
        XCTAssertEqual(LockDebug.holds(d), false)
        XCTAssertEqual(table.lock!(0, d), 0)
        XCTAssertEqual(LockDebug.holds(d), true)
        XCTAssertEqual(table.unlock!(0, d), 0)
        table.free!(d, 0)
        XCTAssertEqual(Fake.names(), ["alloc", "lock", "unlock", "free"])
        XCTAssertTrue(Fake.log.allSatisfy { $0.1 == real })
        XCTAssertEqual(Fake.log[3].2, 1, "freed with the type it was made with")
    }

    func testStandaloneLocksGetARealLockWhenCallbacksCome() {
        Event.evthread_enable_lock_debugging()
        let idle = table.alloc!(1)!
        let held = table.alloc!(0)!
        XCTAssertEqual(table.lock!(0, held), 0)
        var locks = Fake.locks
        XCTAssertEqual(Event.evthread_set_lock_callbacks(&locks), 0)
        XCTAssertEqual(Fake.names(), ["alloc"], "only the idle lock gets one")
        let real = Fake.log[0].1
        XCTAssertEqual(table.lock!(0, idle), 0)
        XCTAssertEqual(table.unlock!(0, idle), 0)
        XCTAssertEqual(table.unlock!(0, held), 0)
        table.free!(idle, 1)
        table.free!(held, 0)
        XCTAssertEqual(Fake.names(), ["alloc", "lock", "unlock", "free"])
        XCTAssertTrue(Fake.log.allSatisfy { $0.1 == real })
        XCTAssertTrue(LockDebug.standalone.isEmpty)
    }

    func testStandaloneLockWithoutCallbacksNeedsNoProgram() {
        XCTAssertEqual(MemoryLayout<DebugLock>.size, 32, "what libevent allocates per debug lock")
        Event.evthread_enable_lock_debugging()
        XCTAssertTrue(Threads.lockingEnabled, "debug locks count as locking, as in libevent")
        XCTAssertNil(Threads.conditionCallbacks)
        let d = table.alloc!(1)!
        XCTAssertEqual(table.lock!(0, d), 0)
        XCTAssertEqual(table.lock!(0, d), 0)
        XCTAssertEqual(table.unlock!(0, d), 0)
        XCTAssertEqual(table.unlock!(0, d), 0)
        table.free!(d, 1)
        XCTAssertTrue(LockDebug.standalone.isEmpty)
    }

    func testConditionWaitReleasesTheRealLock() {
        var locks = Fake.locks, conds = Fake.conds
        XCTAssertEqual(Event.evthread_set_lock_callbacks(&locks), 0)
        Event.evthread_enable_lock_debugging()
        XCTAssertEqual(Event.evthread_set_condition_callbacks(&conds), 0)
        XCTAssertEqual(Event.evthread_set_condition_callbacks(&conds), 0, "the same table again")
        let c = Threads.conditionCallbacks!
        let d = table.alloc!(1)!
        let real = Fake.log[0].1
        Self.current = d
        defer { Self.current = nil }
        XCTAssertEqual(table.lock!(0, d), 0)
        let cond = c.alloc_condition!(0)
        XCTAssertEqual(c.wait_condition!(cond, d, nil), 0)
        XCTAssertEqual(Fake.waitLock, real, "the program's wait gets its own lock")
        XCTAssertEqual(Fake.waitSawHeld, false, "not held during the wait")
        XCTAssertEqual(LockDebug.holds(d), true, "held again after it")
        XCTAssertEqual(table.unlock!(0, d), 0)
        c.free_condition!(cond)
        table.free!(d, 1)
    }

    func testDebuggingFirstThenConditions() {
        var conds = Fake.conds
        Event.evthread_enable_lock_debugging()
        XCTAssertNil(Threads.conditionCallbacks)
        XCTAssertEqual(Event.evthread_set_condition_callbacks(&conds), 0)
        XCTAssertNotNil(Threads.conditionCallbacks)
        XCTAssertEqual(Threads.debuggedConditionCallbacks?.alloc_condition != nil, true)
        let (r, logs) = LogCapture.during { Event.evthread_set_condition_callbacks(nil) }
        XCTAssertEqual(r, 0)
        XCTAssertEqual(logs.count, 1)
        XCTAssertNil(Threads.conditionCallbacks, "nothing left to wait with")
    }

    // MARK: fatal misuse, in a child process

    /// Runs `body` in a child whose fatal callback exits 42 for libevent's
    /// assertion code; returns the child's exit status.
    private func statusOfChild(_ body: () -> Void) -> Int32 {
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            Log.callback = { _, _ in }
            Log.fatalCallback = { code in _exit(code == Int32(bitPattern: 0xdeaddead) ? 42 : 1) }
            body()
            _exit(0)
        }
        var st: Int32 = 0
        waitpid(pid, &st, 0)
        return (st >> 8) & 0xff
    }

    func testReTakingANonRecursiveLockIsFatal() {
        Event.evthread_enable_lock_debugging()
        XCTAssertEqual(statusOfChild {
            let d = table.alloc!(0)!
            _ = table.lock!(0, d)
            _ = table.lock!(0, d)
        }, 42)
        XCTAssertEqual(statusOfChild {
            let d = table.alloc!(1)!
            _ = table.lock!(0, d)
            _ = table.lock!(0, d)
            _ = table.unlock!(0, d)
            _ = table.unlock!(0, d)
        }, 0, "a recursive one may be")
    }

    func testFreeWithTheWrongTypeIsFatal() {
        Event.evthread_enable_lock_debugging()
        XCTAssertEqual(statusOfChild { table.free!(table.alloc!(1)!, 0) }, 42)
        XCTAssertEqual(statusOfChild { table.free!(table.alloc!(1)!, 1) }, 0)
    }

    func testLockModesMustFitTheType() {
        Event.evthread_enable_lock_debugging()
        XCTAssertEqual(statusOfChild { _ = table.lock!(0x04, table.alloc!(0)!) }, 42, "READ on a plain lock")
        XCTAssertEqual(statusOfChild { _ = table.lock!(0, table.alloc!(2)!) }, 42, "no mode on a read-write lock")
        XCTAssertEqual(statusOfChild {
            let d = table.alloc!(2)!
            _ = table.lock!(0x08, d)
            _ = table.unlock!(0x08, d)
        }, 0)
    }

    func testWaitWithoutTheLockIsFatal() {
        var locks = Fake.locks, conds = Fake.conds
        XCTAssertEqual(Event.evthread_set_lock_callbacks(&locks), 0)
        XCTAssertEqual(Event.evthread_set_condition_callbacks(&conds), 0)
        Event.evthread_enable_lock_debugging()
        let c = Threads.conditionCallbacks!
        XCTAssertEqual(statusOfChild { _ = c.wait_condition!(nil, table.alloc!(1)!, nil) }, 42)
    }

    func testOtherThreadIsOnlyKnownThroughTheIdCallback() {
        Event.evthread_enable_lock_debugging()
        // Pretend another thread holds it: a different id at lock time.
        Threads.idFunction = { 7 }
        let d = table.alloc!(1)!
        _ = table.lock!(0, d)
        Threads.idFunction = { 8 }
        XCTAssertEqual(statusOfChild { _ = table.unlock!(0, d) }, 42)
        XCTAssertEqual(LockDebug.holds(d), false)
        Threads.idFunction = nil
        XCTAssertEqual(LockDebug.holds(d), true, "without an id callback anyone holding counts")
        _ = table.unlock!(0, d)
        table.free!(d, 1)
    }
}
