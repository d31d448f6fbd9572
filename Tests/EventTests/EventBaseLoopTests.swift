import XCTest
import CEventSys
@testable import Event

/// The loop: priorities, timers, loopbreak / loopexit, once, and freeing a base.
final class EventBaseLoopTests: XCTestCase {
    private var base: EventBase!
    private var pool = EventPool()
    private var rec = Recorder()

    override func setUp() { base = makeBase() }

    override func tearDown() {
        base?.destroy(runFinalizers: true)
        base = nil
        pool = EventPool()
        rec = Recorder()
    }

    private func event(fd: Int32, _ events: Int16, id: Int, action: ((Int32, Int16) -> Void)? = nil) -> EventPtr {
        base.setUp(pool.make(), fd: fd, events: events, recorder: rec, id: id, action: action)
    }

    func testHigherPriorityRunsFirstAcrossIterations() {
        XCTAssertEqual(base.setPriorities(3), 0)
        let pairs = (0..<3).map { _ in SocketPair() }
        for (i, pri) in [2, 0, 1].enumerated() {
            let ev = event(fd: pairs[i].a, EV.read, id: pri)
            ev.priority = pri
            XCTAssertEqual(base.add(ev, timeout: nil), 0)
            SocketPair.poke(pairs[i].b)
        }
        // One queue per iteration, highest first; LOOP_ONCE goes on until
        // nothing is active.
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.ids, [0, 1, 2])
        XCTAssertEqual(base.activeCount, 0)
    }

    func testActivatingAHigherPriorityInterruptsTheQueue() {
        // event_active on a more urgent event from a callback makes the loop
        // go back to that priority before finishing the current queue.
        XCTAssertEqual(base.setPriorities(2), 0)
        let urgent = event(fd: -1, 0, id: 0)
        urgent.priority = 0
        for id in 1...3 {
            let ev = event(fd: -1, 0, id: id) { [unowned self] _, _ in
                if id == 1 { self.base.activate(urgent, res: EV.timeout, ncalls: 1) }
            }
            ev.priority = 1
            base.activate(ev, res: EV.timeout, ncalls: 1)
        }
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [1, 0, 2, 3])
    }

    func testReaddingMovesTheDeadline() {
        let ev = event(fd: -1, 0, id: 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 60_000)), 0)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 5)), 0)
        XCTAssertEqual(base.timers.count, 1)
        XCTAssertEqual(base.eventCount, 1)
        // Onto a common timeout and back: it leaves the heap, then the queue.
        let ct = base.initCommonTimeout(tv(ms: 60_000))!
        XCTAssertEqual(base.add(ev, timeout: ct.pointee), 0)
        XCTAssertEqual(base.common[0].pointee.queue.first, ev)
        XCTAssertEqual(base.timers.count, 1, "only the queue's internal timer")
        XCTAssertNotEqual(base.timers.top?.event, ev)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 5)), 0)
        XCTAssertNil(base.common[0].pointee.queue.first)
        XCTAssertEqual(base.eventCount, 1)
        let start = Clock.monotonic()
        // The queue's internal timer (still armed for 60 s) is not counted,
        // so the loop ends once the event has run.
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: -1, what: EV.timeout)])
        XCTAssertLessThan(Clock.monotonic() - start, 1_000_000, "the 60 s deadlines were replaced")
    }

    func testEventsOnOneFdRunNewestFirst() {
        let sp = SocketPair()
        for id in 1...3 { XCTAssertEqual(base.add(event(fd: sp.a, EV.read, id: id), timeout: nil), 0) }
        SocketPair.poke(sp.b)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.ids, [3, 2, 1])
    }

    func testTimeoutsFireInDeadlineOrder() {
        for ms in [30, 10, 20] { XCTAssertEqual(base.add(event(fd: -1, 0, id: ms), timeout: tv(ms: ms)), 0) }
        XCTAssertEqual(base.timers.count, 3)
        let start = Clock.monotonic()
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [10, 20, 30])
        XCTAssertTrue(rec.calls.allSatisfy { $0.what == EV.timeout && $0.fd == -1 })
        XCTAssertGreaterThanOrEqual(Clock.monotonic() - start, 25_000)
        XCTAssertTrue(base.timers.isEmpty)
    }

    func testIOEventTimesOutWithoutData() {
        let sp = SocketPair()
        let ev = event(fd: sp.a, EV.read, id: 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 10)), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.timeout)])
        XCTAssertEqual(base.pending(ev, what: EV.read | EV.timeout, tvOut: nil), 0)
        XCTAssertEqual(base.eventCount, 0)
    }

    func testPersistentTimerRepeatsUntilDeleted() {
        let ev = pool.make()
        base.setUp(ev, fd: -1, events: EV.persist, recorder: rec, id: 5) { [unowned self] _, _ in
            if self.rec.calls.count == 4 { _ = self.base.del(ev, mode: .autoBlock) }
        }
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 3)), 0)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [5, 5, 5, 5])
        XCTAssertEqual(ev.persistTimeout.tv_usec, 3000)
    }

    func testPersistentIOTimeoutRestartsAfterIO() {
        let sp = SocketPair()
        let ev = event(fd: sp.a, EV.read | EV.persist, id: 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 40)), 0)
        SocketPair.poke(sp.b)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        SocketPair.drain(sp.a)
        XCTAssertEqual(base.pending(ev, what: EV.timeout, tvOut: nil), Int32(EV.timeout), "re-armed after the read")
        let start = Clock.monotonic()
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read), Call(id: 1, fd: sp.a, what: EV.timeout)])
        XCTAssertGreaterThanOrEqual(Clock.monotonic() - start, 25_000, "a full period after the read")
        XCTAssertNotEqual(base.pending(ev, what: EV.read | EV.timeout, tvOut: nil), 0, "still added")
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
    }

    func testZeroTimeoutFiresOnTheNextPass() {
        let ev = event(fd: -1, 0, id: 1)
        XCTAssertEqual(base.add(ev, timeout: timeval()), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock), 0)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: -1, what: EV.timeout)])
    }

    func testLoopbreakFromACallbackLeavesTheRestQueued() {
        let first = event(fd: -1, 0, id: 1) { [unowned self] _, _ in self.base.gotBreak = true }
        let second = event(fd: -1, 0, id: 2)
        base.activate(first, res: EV.timeout, ncalls: 1)
        base.activate(second, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.loop(flags: 0), 0)
        XCTAssertEqual(rec.ids, [1])
        XCTAssertTrue(base.gotBreak)
        XCTAssertEqual(base.activeCount, 1)
        // The next loop clears the flag and runs what was left. EVLOOP_NONBLOCK
        // goes round again while callbacks ran, then finds no events: 1.
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
        XCTAssertEqual(rec.ids, [1, 2])
        XCTAssertFalse(base.gotBreak)
    }

    func testLoopExitAfterADelay() {
        let tick = event(fd: -1, EV.persist, id: 9)
        XCTAssertEqual(base.add(tick, timeout: tv(ms: 4)), 0)
        XCTAssertEqual(base.loopExit(after: tv(ms: 25)), 0)
        let start = Clock.monotonic()
        XCTAssertEqual(base.loop(flags: 0), 0)
        XCTAssertTrue(base.gotTerm)
        XCTAssertGreaterThanOrEqual(Clock.monotonic() - start, 20_000)
        XCTAssertGreaterThanOrEqual(rec.calls.count, 1, "the ticker ran (how often depends on scheduling)")
        XCTAssertNotEqual(base.pending(tick, what: EV.timeout, tvOut: nil), 0, "the ticker is still armed")
    }

    func testReentrantLoopIsRefused() {
        var inner: Int32 = 0
        let ev = event(fd: -1, 0, id: 1) { [unowned self] _, _ in
            inner = LogCapture.during { self.base.loop(flags: EventBase.LoopFlag.nonBlock) }.0
        }
        base.activate(ev, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(inner, -1)
    }

    // MARK: once

    func testOnceWithoutTimeoutRunsOnNextIteration() {
        XCTAssertEqual(base.once(fd: -1, events: EV.timeout, callback: Recorder.callback, arg: rec.arg(1), timeout: nil), 0)
        XCTAssertNotNil(base.onceRecords)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: -1, what: EV.timeout)])
        XCTAssertNil(base.onceRecords, "the record is freed after its callback")
    }

    func testOnceOnReadAndWithTimeout() {
        let sp = SocketPair()
        XCTAssertEqual(base.once(fd: sp.a, events: EV.read, callback: Recorder.callback, arg: rec.arg(1), timeout: nil), 0)
        XCTAssertEqual(base.once(fd: -1, events: EV.timeout, callback: Recorder.callback, arg: rec.arg(2), timeout: tv(ms: 10)), 0)
        SocketPair.poke(sp.b)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read), Call(id: 2, fd: -1, what: EV.timeout)])
        XCTAssertNil(base.onceRecords)
    }

    func testOnceRefusesSignalsAndPersist() {
        XCTAssertEqual(base.once(fd: SIGUSR1, events: EV.signal, callback: Recorder.callback, arg: nil, timeout: nil), -1)
        XCTAssertEqual(base.once(fd: -1, events: EV.timeout | EV.persist, callback: Recorder.callback, arg: nil, timeout: nil), -1)
        XCTAssertNil(base.onceRecords)
    }

    // MARK: destroy

    func testDestroyRemovesEverythingPending() {
        let sp = SocketPair()
        let io = event(fd: sp.a, EV.read | EV.persist, id: 1)
        let timer = event(fd: -1, 0, id: 2)
        let active = event(fd: -1, 0, id: 3)
        let ct = base.initCommonTimeout(tv(ms: 5000))!
        let onCommon = event(fd: -1, 0, id: 4)
        XCTAssertEqual(base.add(io, timeout: tv(ms: 5000)), 0)
        XCTAssertEqual(base.add(timer, timeout: tv(ms: 5000)), 0)
        XCTAssertEqual(base.add(onCommon, timeout: ct.pointee), 0)
        base.activate(active, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.once(fd: -1, events: EV.timeout, callback: Recorder.callback, arg: rec.arg(5), timeout: tv(ms: 5000)), 0)

        base.destroy(runFinalizers: true)
        for ev in [io, timer, active, onCommon] {
            XCTAssertEqual(ev.flags & ~EVList.initialized, 0, "event left in a queue")
        }
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertEqual(base.activeCount, 0)
        XCTAssertNil(base.onceRecords)
        XCTAssertNil(base.backend)
        XCTAssertEqual(rec.calls, [], "freeing a base runs no event callbacks")
        base = nil
    }

    private static let countFinalizer: EventFinalizer = { _, arg in
        arg!.assumingMemoryBound(to: Int.self).pointee += 1
    }

    func testFinalizersRunFromTheLoopOrOnDestroyIfAsked() {
        var ran = [0, 0, 0]
        ran.withUnsafeMutableBufferPointer { counters in
            let evs = (0..<3).map { event(fd: -1, 0, id: $0) }
            for (i, ev) in evs.enumerated() {
                ev.pointee.ev_evcallback.evcb_arg = UnsafeMutableRawPointer(counters.baseAddress! + i)
                XCTAssertEqual(base.add(ev, timeout: tv(ms: 5000)), 0)
                XCTAssertEqual(event_finalize(0, ev, EventBaseLoopTests.countFinalizer), 0)
                XCTAssertNotEqual(ev.flags & EVList.finalizing, 0)
                XCTAssertEqual(base.add(ev, timeout: nil), -1, "a finalizing event cannot be re-added")
            }
            // The loop runs finalizers like callbacks (then has nothing left: 1).
            XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
            XCTAssertEqual(Array(counters), [1, 1, 1])
            XCTAssertEqual(rec.calls, [])

            let second = makeBase()!
            let ev = second.setUp(pool.make(), fd: -1, events: 0, recorder: rec, id: 9)
            ev.pointee.ev_evcallback.evcb_arg = UnsafeMutableRawPointer(counters.baseAddress!)
            XCTAssertEqual(event_finalize(0, ev, EventBaseLoopTests.countFinalizer), 0)
            second.destroy(runFinalizers: false)
            XCTAssertEqual(counters[0], 1, "event_base_free_nofinalize skips finalizers")

            let third = makeBase()!
            let ev3 = third.setUp(pool.make(), fd: -1, events: 0, recorder: rec, id: 10)
            ev3.pointee.ev_evcallback.evcb_arg = UnsafeMutableRawPointer(counters.baseAddress!)
            XCTAssertEqual(event_finalize(0, ev3, EventBaseLoopTests.countFinalizer), 0)
            third.destroy(runFinalizers: true)
            XCTAssertEqual(counters[0], 2, "event_base_free runs pending finalizers")
        }
    }
}
