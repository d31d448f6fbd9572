import XCTest
import CEventSys
@testable import Event

/// Adding, deleting, activating and counting events on a real base.
final class EventBaseTests: XCTestCase {
    private var base: EventBase!
    private var pool = EventPool()
    private var rec = Recorder()
    private var sp = SocketPair()

    override func setUp() { base = makeBase() }

    override func tearDown() {
        base?.destroy(runFinalizers: true)
        base = nil
        pool = EventPool()
        rec = Recorder()
        sp = SocketPair()
    }

    private func event(fd: Int32, _ events: Int16, id: Int, action: ((Int32, Int16) -> Void)? = nil) -> EventPtr {
        base.setUp(pool.make(), fd: fd, events: events, recorder: rec, id: id, action: action)
    }

    func testCreateGivesAnEmptyBaseOnEpoll() {
        XCTAssertEqual(base.backend.kind, .epoll)
        XCTAssertEqual(base.priorityCount, 1)
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertEqual(base.activeCount, 0)
        XCTAssertEqual(base.loop(flags: 0), 1, "no events: the loop returns 1 at once")
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock | EventBase.LoopFlag.noExitOnEmpty), 0)
    }

    func testAssignFillsTheEvent() {
        let ev = event(fd: sp.a, EV.read | EV.persist, id: 1)
        XCTAssertEqual(ev.fd, sp.a)
        XCTAssertEqual(ev.events, EV.read | EV.persist)
        XCTAssertEqual(ev.flags, EVList.initialized)
        XCTAssertEqual(ev.closure, Closure.persist)
        XCTAssertEqual(ev.heapIndex, -1)
        XCTAssertEqual(ev.baseRef, base.cPointer)
        XCTAssertEqual(event(fd: -1, 0, id: 2).closure, Closure.event)
        XCTAssertEqual(event(fd: SIGUSR2, EV.signal, id: 3).closure, Closure.signal)
        let (r, logs) = LogCapture.during {
            EventBase.assign(pool.make(), base: base, fd: SIGUSR2, events: EV.signal | EV.read, callback: nil, arg: nil)
        }
        XCTAssertEqual(r, -1, "EV_SIGNAL with EV_READ is refused")
        XCTAssertEqual(logs.count, 1)
    }

    func testReadEventFiresOnceThenIsGone() {
        let ev = event(fd: sp.a, EV.read, id: 1)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.pending(ev, what: EV.read | EV.write, tvOut: nil), Int32(EV.read))
        XCTAssertEqual(base.eventCount, 1)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 0)
        XCTAssertEqual(rec.calls, [], "nothing to read yet")

        SocketPair.poke(sp.b)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read)])
        XCTAssertEqual(base.pending(ev, what: EV.read, tvOut: nil), 0)
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1, "non-persistent: deleted before its callback")
        XCTAssertEqual(rec.calls.count, 1)
    }

    func testWriteEventAndDel() {
        let ev = event(fd: sp.a, EV.write, id: 2)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(ev.flags, EVList.initialized)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
        XCTAssertEqual(rec.calls, [])
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.write)])
    }

    func testPersistentEventStaysAddedWhileLevelTriggered() {
        let ev = event(fd: sp.a, EV.read | EV.persist, id: 1)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        SocketPair.poke(sp.b)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.ids, [1, 1], "unread data: readable again")
        XCTAssertEqual(base.pending(ev, what: EV.read, tvOut: nil), Int32(EV.read))
        SocketPair.drain(sp.a)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 0)
        XCTAssertEqual(rec.ids, [1, 1])
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(base.eventCount, 0)
    }

    func testAddingTwiceRegistersOnce() {
        let ev = event(fd: sp.a, EV.read, id: 1)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.eventCount, 1)
        XCTAssertEqual(base.io.slot(sp.a)?.pointee.nread, 1)
    }

    func testCountsEveryQueueMembership() {
        // libevent counts an event once per queue it is on: inserted,
        // timeout, active. The maxima remember the peaks.
        let ev = event(fd: sp.a, EV.read, id: 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 5000)), 0)
        XCTAssertEqual(base.eventCount, 2)
        base.activate(ev, res: EV.write, ncalls: 1)
        XCTAssertEqual(base.eventCount, 3)
        XCTAssertEqual(base.activeCount, 1)
        base.activate(ev, res: EV.read, ncalls: 1)
        XCTAssertEqual(base.activeCount, 1, "activating an active event only ORs in the result")
        XCTAssertEqual(ev.res, EV.read | EV.write)
        XCTAssertEqual(base.pending(ev, what: EV.read | EV.write | EV.timeout, tvOut: nil),
                       Int32(EV.read | EV.write | EV.timeout))
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertEqual(base.activeCount, 0)
        XCTAssertEqual(base.eventCountMax, 3)
        XCTAssertEqual(base.activeCountMax, 1)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
        XCTAssertEqual(rec.calls, [])
    }

    func testManualActivationRunsWithOredResult() {
        let ev = event(fd: sp.a, EV.read | EV.write, id: 4)
        base.activate(ev, res: EV.read, ncalls: 1)
        base.activate(ev, res: EV.write, ncalls: 1)
        // Like libevent, NONBLOCK loops again after running callbacks and
        // returns 1 once no events are left.
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 1)
        XCTAssertEqual(rec.calls, [Call(id: 4, fd: sp.a, what: EV.read | EV.write)])
        XCTAssertEqual(base.activeCount, 0)
    }

    func testPendingReportsWallClockDeadline() {
        let ev = event(fd: -1, 0, id: 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 2000)), 0)
        var deadline = timeval()
        XCTAssertEqual(base.pending(ev, what: EV.timeout, tvOut: &deadline), Int32(EV.timeout))
        let expected = micros(Clock.wall()) + 2_000_000
        XCTAssertLessThan(abs(micros(deadline) - expected), 100_000, "deadline within 100 ms of now + 2 s")
        XCTAssertEqual(base.pending(ev, what: EV.read, tvOut: nil), 0)
    }

    func testReaddingCancelsAFiredTimeout() {
        let ev = event(fd: -1, 0, id: 1)
        base.activate(ev, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.activeCount, 1)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 5000)), 0)
        XCTAssertEqual(base.activeCount, 0, "the pending firing is dropped")
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.nonBlock), 0)
        XCTAssertEqual(rec.calls, [])
    }

    func testDelFromACallbackStopsAnotherActiveEvent() {
        var second: EventPtr! = nil
        let first = event(fd: -1, 0, id: 1) { [unowned self] _, _ in _ = self.base.del(second, mode: .autoBlock) }
        second = event(fd: -1, 0, id: 2)
        base.activate(first, res: EV.timeout, ncalls: 1)
        base.activate(second, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [1])
    }

    func testSetPrioritiesRules() {
        XCTAssertEqual(base.setPriorities(0), -1)
        XCTAssertEqual(base.setPriorities(256), -1)
        XCTAssertEqual(base.setPriorities(255), 0)
        XCTAssertEqual(base.priorityCount, 255)
        XCTAssertEqual(event(fd: -1, 0, id: 1).priority, 127, "new events get the middle priority")
        let ev = event(fd: -1, 0, id: 2)
        base.activate(ev, res: EV.timeout, ncalls: 1)
        XCTAssertEqual(base.setPriorities(3), -1, "not while events are active")
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(base.setPriorities(3), 0)
    }

    func testDebugModeRefusesMixingEdgeAndLevelTriggering() {
        // libevent (checked against 2.1.12): in debug mode an fd's events
        // must agree on EV_ET; the odd one out is refused with a warning.
        Debug.on = true
        defer { Debug.reset() }
        let et = event(fd: sp.a, EV.read | EV.et, id: 1)
        let level = event(fd: sp.a, EV.write, id: 2)
        XCTAssertEqual(base.add(et, timeout: nil), 0)
        let (r, logs) = LogCapture.during { base.add(level, timeout: nil) }
        XCTAssertEqual(r, -1)
        XCTAssertEqual(logs, ["Tried to mix edge-triggered and non-edge-triggered events on fd \(sp.a)"])
        XCTAssertEqual(base.pending(level, what: EV.write, tvOut: nil), 0)
        XCTAssertEqual(base.io.slot(sp.a)?.pointee.nwrite, 0, "counts untouched")
        XCTAssertEqual(base.del(et, mode: .autoBlock), 0)
        // Outside debug mode libevent does not check.
        Debug.on = false
        XCTAssertEqual(base.add(et, timeout: nil), 0)
        XCTAssertEqual(base.add(level, timeout: nil), 0)
    }
}
