import XCTest
import CEventSys
@testable import Event

/// addOwnedWrite / delOwnedWrite (a socket bufferevent's ev_write going on
/// and off with every message) must leave the base exactly as event_add(ev,
/// NULL) / event_del(ev) would, on every backend, and hand anything unusual
/// to the generic path.
final class OwnedWriteTests: XCTestCase {
    private struct Snapshot: Equatable {
        var flags: Int16
        var nread: UInt16, nwrite: UInt16, nclose: UInt16
        var events: Int
        var first: EventPtr?
    }

    private func snapshot(_ base: EventBase, _ ev: EventPtr) -> Snapshot {
        let s = base.io.slot(ev.fd)!.pointee
        return Snapshot(flags: ev.flags, nread: s.nread, nwrite: s.nwrite, nclose: s.nclose,
                        events: base.eventCount, first: s.events.first)
    }

    /// Same state as the generic add/del, and the backend really watches
    /// (or stops watching) writability while the read event keeps working.
    func testMatchesGenericAddAndDelOnEveryBackend() {
        for kind in BackendKind.allCases {
            guard let base = makeBase(kind) else { continue }
            defer { base.destroy(runFinalizers: true) }
            let pool = EventPool(), rec = Recorder(), sp = SocketPair()
            let rd = base.setUp(pool.make(), fd: sp.a, events: EV.read | EV.persist, recorder: rec, id: 1)
            let wr = base.setUp(pool.make(), fd: sp.a, events: EV.write | EV.persist, recorder: rec, id: 2)
            XCTAssertEqual(base.add(rd, timeout: nil), 0)

            XCTAssertEqual(base.add(wr, timeout: nil), 0)
            let generic = snapshot(base, wr)
            XCTAssertEqual(base.del(wr, mode: .autoBlock), 0)
            let genericAfterDel = snapshot(base, wr)

            XCTAssertEqual(base.addOwnedWrite(wr), 0, "\(kind)")
            XCTAssertEqual(snapshot(base, wr), generic, "\(kind)")
            XCTAssertEqual(base.addOwnedWrite(wr), 0, "adding twice is a no-op, \(kind)")
            XCTAssertEqual(snapshot(base, wr), generic, "\(kind)")
            XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock), 0)
            XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.write)], "\(kind)")

            XCTAssertEqual(base.delOwnedWrite(wr), 0, "\(kind)")
            XCTAssertEqual(snapshot(base, wr), genericAfterDel, "\(kind)")
            XCTAssertEqual(base.delOwnedWrite(wr), 0, "deleting twice is a no-op, \(kind)")
            rec.calls = []
            SocketPair.poke(sp.b)
            XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock), 0)
            XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read)], "only the read event is left, \(kind)")
            SocketPair.drain(sp.a)
        }
    }

    /// Two writers on one fd: only the 0 <-> 1 transitions reach the
    /// backend, and the fd stays watched while one is left.
    func testSecondWriterSharesTheRegistration() {
        guard let base = makeBase(.epoll) else { return }
        defer { base.destroy(runFinalizers: true) }
        let pool = EventPool(), rec = Recorder(), sp = SocketPair()
        let w1 = base.setUp(pool.make(), fd: sp.a, events: EV.write | EV.persist, recorder: rec, id: 1)
        let w2 = base.setUp(pool.make(), fd: sp.a, events: EV.write | EV.persist, recorder: rec, id: 2)
        XCTAssertEqual(base.addOwnedWrite(w1), 0)
        XCTAssertEqual(base.addOwnedWrite(w2), 0)
        XCTAssertEqual(base.io.slot(sp.a)!.pointee.nwrite, 2)
        XCTAssertEqual(base.delOwnedWrite(w1), 0)
        XCTAssertEqual(base.io.slot(sp.a)!.pointee.nwrite, 1)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock), 0)
        XCTAssertEqual(rec.ids, [2])
        XCTAssertEqual(base.delOwnedWrite(w2), 0)
        XCTAssertEqual(base.io.slot(sp.a)!.pointee.mask, 0)
        XCTAssertEqual(base.eventCount, 0)
    }

    /// An event with a timeout, one that is queued, or one that also reads
    /// takes the generic path, which keeps its timer and queue state right.
    func testUnusualEventsTakeTheGenericPath() {
        guard let base = makeBase(.epoll) else { return }
        defer { base.destroy(runFinalizers: true) }
        let pool = EventPool(), rec = Recorder(), sp = SocketPair()
        SocketPair.fill(sp.a)   // not writable: only the timer can fire

        let timed = base.setUp(pool.make(), fd: sp.a, events: EV.write | EV.persist, recorder: rec, id: 1)
        XCTAssertEqual(base.add(timed, timeout: tv(ms: 5000)), 0)
        XCTAssertEqual(base.addOwnedWrite(timed), 0)
        XCTAssertNotEqual(timed.flags & EVList.timeout, 0, "event_add(ev, NULL) keeps the timeout")
        XCTAssertEqual(base.delOwnedWrite(timed), 0)
        XCTAssertEqual(timed.flags & (EVList.timeout | EVList.inserted), 0, "event_del removes the timer too")
        XCTAssertTrue(base.timers.isEmpty)

        let both = base.setUp(pool.make(), fd: sp.a, events: EV.read | EV.write | EV.persist, recorder: rec, id: 2)
        XCTAssertEqual(base.addOwnedWrite(both), 0)
        XCTAssertEqual(base.io.slot(sp.a)!.pointee.mask, EV.read | EV.write)
        XCTAssertEqual(base.delOwnedWrite(both), 0)
        XCTAssertEqual(base.io.slot(sp.a)!.pointee.mask, 0)

        let queued = base.setUp(pool.make(), fd: sp.a, events: EV.write | EV.persist, recorder: rec, id: 3)
        XCTAssertEqual(base.addOwnedWrite(queued), 0)
        base.activate(queued, res: EV.write, ncalls: 1)
        XCTAssertEqual(base.delOwnedWrite(queued), 0)
        XCTAssertEqual(queued.flags & (EVList.active | EVList.inserted), 0, "event_del dequeues it")
        XCTAssertEqual(base.activeCount, 0)
        XCTAssertEqual(base.eventCount, 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock), 1, "nothing left")
        XCTAssertEqual(rec.calls, [])
    }
}
