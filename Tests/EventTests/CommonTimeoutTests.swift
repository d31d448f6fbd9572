import XCTest
import CEventSys
@testable import Event

final class CommonTimeoutTests: XCTestCase {
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

    private func common(_ t: timeval) -> UnsafePointer<timeval>? { base.initCommonTimeout(t) }

    func testSameDurationGivesSamePointer() {
        let a = common(tv(ms: 100))
        XCTAssertNotNil(a)
        XCTAssertEqual(common(tv(ms: 100)), a)
        let b = common(tv(ms: 250))
        XCTAssertNotNil(b)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(common(tv(ms: 250)), b)
        XCTAssertEqual(base.common.count, 2)
    }

    func testMagicEncoding() {
        let a = common(timeval(tv_sec: 2, tv_usec: 345_678))!
        let b = common(timeval(tv_sec: 0, tv_usec: 1))!
        XCTAssertEqual(a.pointee.tv_sec, 2)
        XCTAssertEqual(a.pointee.tv_usec, 0x5000_0000 | (0 << 20) | 345_678)
        XCTAssertEqual(b.pointee.tv_sec, 0)
        XCTAssertEqual(b.pointee.tv_usec, 0x5000_0000 | (1 << 20) | 1)
        XCTAssertEqual(CommonTimeout.index(of: b.pointee), 1)
        // The marked value names its queue; an ordinary timeval names none.
        XCTAssertNotNil(base.commonTimeout(for: a.pointee))
        XCTAssertNil(base.commonTimeout(for: tv(ms: 5)))
        // Marker for an index this base never handed out: not a common timeout.
        XCTAssertNil(base.commonTimeout(for: timeval(tv_sec: 0, tv_usec: 0x5000_0000 | (9 << 20))))
    }

    func testNormalisesMicrosecondsAboveOneSecond() {
        let p = common(timeval(tv_sec: 1, tv_usec: 2_500_000))!
        XCTAssertEqual(p.pointee.tv_sec, 3)
        XCTAssertEqual(p.pointee.tv_usec & CommonTimeout.microsMask, 500_000)
        XCTAssertEqual(common(timeval(tv_sec: 3, tv_usec: 500_000)), p)
        // Passing a marked value back in finds the same queue.
        XCTAssertEqual(common(p.pointee), p)
        XCTAssertEqual(base.common.count, 1)
    }

    func testLimitOf256PerBase() {
        for i in 0..<CommonTimeout.limit {
            XCTAssertNotNil(common(timeval(tv_sec: 1, tv_usec: i)), "timeout \(i)")
        }
        let (extra, logs) = LogCapture.during { common(timeval(tv_sec: 9, tv_usec: 0)) }
        XCTAssertNil(extra)
        XCTAssertTrue(logs.contains { $0.contains("Too many common timeouts") }, "\(logs)")
        // Existing durations are still found, the last one with index 255.
        let last = common(timeval(tv_sec: 1, tv_usec: 255))
        XCTAssertNotNil(last)
        XCTAssertEqual(last.map { CommonTimeout.index(of: $0.pointee) }, 255)
        XCTAssertEqual(base.common.count, 256)
    }

    func testEventsOnACommonTimeoutFireInInsertionOrder() {
        let t = common(tv(ms: 15))!
        var evs: [EventPtr] = []
        for id in 0..<4 {
            let ev = base.setUp(pool.make(), fd: -1, events: 0, recorder: rec, id: id)
            XCTAssertEqual(base.add(ev, timeout: t.pointee), 0)
            XCTAssertEqual(base.commonTimeout(for: ev.pointee.ev_timeout), base.common[0], "deadline keeps the marker")
            evs.append(ev)
        }
        // Only the queue's internal timer is in the heap; it is not counted.
        XCTAssertEqual(base.timers.count, 1)
        XCTAssertEqual(base.eventCount, 4)
        XCTAssertEqual(base.pending(evs[0], what: EV.timeout, tvOut: nil), Int32(EV.timeout))
        // Deleting one from the middle takes it out of the queue.
        XCTAssertEqual(base.del(evs[2], mode: .autoBlock), 0)
        XCTAssertEqual(base.pending(evs[2], what: EV.timeout, tvOut: nil), 0)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [0, 1, 3])
        XCTAssertTrue(rec.calls.allSatisfy { $0.what == EV.timeout })
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertNil(base.common[0].pointee.queue.first)
    }

    func testPersistentEventRearmsOnItsCommonTimeout() {
        let t = common(tv(ms: 5))!
        let ev = pool.make()
        base.setUp(ev, fd: -1, events: EV.persist, recorder: rec, id: 7) { [unowned self] _, _ in
            if self.rec.calls.count == 3 { _ = self.base.del(ev, mode: .autoBlock) }
        }
        XCTAssertEqual(base.add(ev, timeout: t.pointee), 0)
        let start = Clock.monotonic()
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.ids, [7, 7, 7])
        XCTAssertGreaterThanOrEqual(Clock.monotonic() - start, 10_000, "three 5 ms periods (less one coarse-clock tick)")
        XCTAssertNotNil(base.commonTimeout(for: ev.persistTimeout), "period keeps the marker")
    }
}
