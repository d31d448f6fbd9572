import XCTest
import CEventSys
@testable import Event

/// Walking a base's events, dumping them, and event_reinit.
final class EventBaseLifecycleTests: XCTestCase {
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

    private func event(fd: Int32, _ events: Int16, id: Int) -> EventPtr {
        base.setUp(pool.make(), fd: fd, events: events, recorder: rec, id: id)
    }

    private func walk() -> [EventPtr] {
        var seen: [EventPtr] = []
        XCTAssertEqual(base.forEachEvent { seen.append($0); return 0 }, 0)
        return seen
    }

    func testForEachEventVisitsEachEventOnceInLibeventsOrder() {
        let p1 = SocketPair(), p2 = SocketPair()
        let (lo, hi) = p1.a < p2.a ? (p1.a, p2.a) : (p2.a, p1.a)
        let hiRead = event(fd: hi, EV.read, id: 1)
        let loOld = event(fd: lo, EV.read, id: 2)
        let loNew = event(fd: lo, EV.write, id: 3)
        let sig = event(fd: SIGUSR2, EV.signal, id: 4)
        let later = event(fd: -1, 0, id: 5), sooner = event(fd: -1, 0, id: 6)
        let onCommon = event(fd: -1, 0, id: 7)
        let activeOnly = event(fd: -1, 0, id: 8)
        for ev in [hiRead, loOld, loNew, sig] { XCTAssertEqual(base.add(ev, timeout: nil), 0) }
        XCTAssertEqual(base.add(hiRead, timeout: tv(ms: 9000)), 0, "inserted and timed: visited once")
        XCTAssertEqual(base.add(later, timeout: tv(ms: 8000)), 0)
        XCTAssertEqual(base.add(sooner, timeout: tv(ms: 7000)), 0)
        XCTAssertEqual(base.add(onCommon, timeout: base.initCommonTimeout(tv(ms: 6000))!.pointee), 0)
        base.activate(activeOnly, res: EV.timeout, ncalls: 1)
        base.activate(loOld, res: EV.read, ncalls: 1)

        let all = walk()
        let user = all.filter { $0.flags & EVList.internal == 0 }
        // fds ascending (newest first on one fd), signals, heap timers in
        // heap order, common-timeout queues, then events that are only active.
        XCTAssertEqual(user, [loNew, loOld, hiRead, sig, sooner, later, onCommon, activeOnly])
        // Internal events are walked too: the signal pipe and the common
        // timeout's timer (and the wake-up eventfd once lock callbacks are
        // set, as ThreadedBaseTests leaves them).
        XCTAssertEqual(all.count - user.count, base.notifyFd >= 0 ? 3 : 2)

        var visited = 0
        XCTAssertEqual(base.forEachEvent { _ in visited += 1; return visited == 3 ? 42 : 0 }, 42)
        XCTAssertEqual(visited, 3, "a non-zero return stops the walk")
        base.destroy(runFinalizers: true)  // while the sockets are still open
        base = nil
    }

    func testDumpListsInsertedAndActiveEvents() throws {
        let sp = SocketPair()
        let io = event(fd: sp.a, EV.read | EV.persist, id: 1)
        XCTAssertEqual(base.add(io, timeout: tv(ms: 5000)), 0)
        let timer = event(fd: -1, 0, id: 2)
        base.activate(timer, res: EV.timeout, ncalls: 1)

        var buf: UnsafeMutablePointer<CChar>? = nil
        var size = 0
        let out = try XCTUnwrap(open_memstream(&buf, &size))
        base.dump(out)
        fclose(out)
        defer { free(buf) }
        let text = String(cString: buf!)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "Inserted events:")
        let ioLine = try XCTUnwrap(lines.first { $0.contains("[fd  \(sp.a)]") }, text)
        XCTAssertTrue(ioLine.hasPrefix("  0x"), ioLine)
        // "fd " then the number, as libevent's "%s %d" with "fd " prints it.
        XCTAssertTrue(ioLine.contains("[fd  \(sp.a)] Read Persist Timeout="), ioLine)
        let activeAt = try XCTUnwrap(lines.firstIndex(of: "Active events:"))
        XCTAssertEqual(lines.count, activeAt + 2, text)
        XCTAssertTrue(lines[activeAt + 1].hasSuffix("[fd  -1, priority=0] Timeout active"), text)
        // The deadline printed is wall-clock seconds.microseconds, six digits.
        let stamp = try XCTUnwrap(lines.first { $0.contains("Timeout=") }?.split(separator: "=").last)
        let parts = stamp.split(separator: ".")
        XCTAssertEqual(parts.count, 2)
        XCTAssertEqual(parts[1].count, 6)
        let secs = try XCTUnwrap(Int(parts[0]))
        XCTAssertLessThan(abs(secs - (Clock.wall().tv_sec + 5)), 2)
    }

    func testReinitKeepsEventsWorking() {
        for kind in BackendKind.allCases {
            base.destroy(runFinalizers: true)
            base = makeBase(kind)
            let sp = SocketPair()
            let ev = event(fd: sp.a, EV.read | EV.persist, id: 1)
            let sig = event(fd: SIGUSR2, EV.signal | EV.persist, id: 2)
            XCTAssertEqual(base.add(ev, timeout: nil), 0)
            XCTAssertEqual(base.add(sig, timeout: nil), 0)
            XCTAssertEqual(base.reinit(), 0, "\(kind)")
            XCTAssertEqual(base.backend.kind, kind)
            SocketPair.poke(sp.b)
            XCTAssertEqual(raise(SIGUSR2), 0)
            let onePass = EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock
            XCTAssertEqual(base.loop(flags: onePass), 0)
            if rec.calls.count < 2 { XCTAssertEqual(base.loop(flags: onePass), 0) }
            XCTAssertEqual(Set(rec.ids), [1, 2], "\(kind): fd and signal still delivered after reinit")
            XCTAssertEqual(base.del(sig, mode: .autoBlock), 0)
            XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
            rec = Recorder()
        }
    }

    /// Number of pollfd entries the poll backend keeps (a private field).
    private func pollEntries() -> Int? {
        Mirror(reflecting: base.backend!).children.first { $0.label == "used" }?.value as? Int
    }

    func testReinitOnPollReplacesOnlyTheSignalPipe() throws {
        // poll has no kernel state to rebuild: like libevent, reinit must only
        // swap the signal pipe. Registering every fd again would leave stale
        // duplicate pollfds that outlive event_del (and make the loop spin
        // on an fd nobody watches).
        base.destroy(runFinalizers: true)
        base = makeBase(.poll)
        let sp = SocketPair()
        let ev = event(fd: sp.a, EV.read | EV.persist, id: 1)
        let sig = event(fd: SIGUSR2, EV.signal | EV.persist, id: 2)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(base.add(sig, timeout: nil), 0)
        // A base made after lock callbacks were set also polls its wake-up eventfd.
        let wakeup = base.notifyFd >= 0 ? 1 : 0
        let before = try XCTUnwrap(pollEntries())
        XCTAssertEqual(before, 2 + wakeup, "the socket and the signal pipe")
        XCTAssertEqual(base.reinit(), 0)
        XCTAssertEqual(pollEntries(), 2 + wakeup)
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(pollEntries(), 1 + wakeup, "only the signal pipe is left")
        XCTAssertEqual(base.del(sig, mode: .autoBlock), 0)
    }
}
