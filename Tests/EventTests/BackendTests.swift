import XCTest
import CEventSys
@testable import Event

/// The same readiness scenarios on every backend.
final class BackendTests: XCTestCase {
    private let nonBlock = EventBase.LoopFlag.nonBlock
    /// One pass without waiting. NONBLOCK alone (like libevent's) goes round
    /// again while callbacks ran, so a persistent, still-ready event would
    /// keep it spinning.
    private let onePass = EventBase.LoopFlag.nonBlock | EventBase.LoopFlag.once

    /// Run `body` once per backend on a fresh base; failures name the backend.
    private func eachBackend(_ body: (BackendKind, EventBase, Recorder, EventPool) throws -> Void) rethrows {
        for kind in BackendKind.allCases {
            guard let base = makeBase(kind) else { continue }
            let rec = Recorder(), pool = EventPool()
            defer { base.destroy(runFinalizers: true) }
            try body(kind, base, rec, pool)
        }
    }

    private func add(_ base: EventBase, _ rec: Recorder, _ pool: EventPool, fd: Int32, _ events: Int16, id: Int) -> EventPtr {
        let ev = base.setUp(pool.make(), fd: fd, events: events, recorder: rec, id: id)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        return ev
    }

    func testMethodNamesAndFeatures() {
        eachBackend { kind, base, _, _ in
            XCTAssertEqual("\(base.backend.methodName)", "\(kind.name)")
            XCTAssertEqual(base.backend.features, kind.features)
        }
        XCTAssertEqual(BackendKind.allCases.map { "\($0.name)" }, ["epoll", "poll", "select"])
    }

    func testReadReady() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            _ = add(base, rec, pool, fd: sp.a, EV.read | EV.persist, id: 1)
            XCTAssertEqual(base.loop(flags: nonBlock), 0)
            XCTAssertEqual(rec.calls, [], "\(kind): not readable yet")
            SocketPair.poke(sp.b)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read)], "\(kind)")
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls.count, 2, "\(kind): level-triggered, still readable")
        }
    }

    func testWriteReadyOnlyWithRoom() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            SocketPair.fill(sp.a)
            let ev = add(base, rec, pool, fd: sp.a, EV.write | EV.persist, id: 2)
            XCTAssertEqual(base.loop(flags: nonBlock), 0)
            XCTAssertEqual(rec.calls, [], "\(kind): send buffer is full")
            SocketPair.drain(sp.b)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.write)], "\(kind)")
            XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
            XCTAssertEqual(base.loop(flags: nonBlock), 1, "\(kind): nothing left")
        }
    }

    func testReadAndWriteInOneCallback() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            SocketPair.poke(sp.b)
            _ = add(base, rec, pool, fd: sp.a, EV.read | EV.write, id: 3)
            XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
            XCTAssertEqual(rec.calls, [Call(id: 3, fd: sp.a, what: EV.read | EV.write)], "\(kind)")
        }
    }

    func testSeparateReadAndWriteEventsOnOneFd() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            SocketPair.poke(sp.b)
            _ = add(base, rec, pool, fd: sp.a, EV.read, id: 1)
            _ = add(base, rec, pool, fd: sp.a, EV.write, id: 2)
            XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
            XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.write), Call(id: 1, fd: sp.a, what: EV.read)], "\(kind)")
        }
    }

    func testPeerShutdownGivesClosedOnEpollAndPoll() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            _ = add(base, rec, pool, fd: sp.a, EV.closed, id: 1)
            _ = add(base, rec, pool, fd: sp.a, EV.read | EV.closed, id: 2)
            shutdown(sp.b, Int32(SHUT_WR))
            if kind.features & Feature.earlyClose != 0 {
                XCTAssertEqual(base.loop(flags: nonBlock), 1, "\(kind): both fired and are gone")
                XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.read | EV.closed),
                                           Call(id: 1, fd: sp.a, what: EV.closed)], "\(kind)")
            } else {
                // select has no EV_CLOSED: EOF only shows as readable, and
                // the EV_CLOSED-only event stays pending.
                XCTAssertEqual(base.loop(flags: nonBlock), 0, "\(kind)")
                XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.read)], "\(kind)")
            }
        }
    }

    func testPeerCloseIsReadable() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            let ev = add(base, rec, pool, fd: sp.a, EV.read, id: 1)
            sp.closeB()
            XCTAssertEqual(base.loop(flags: nonBlock), 1)
            XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read)], "\(kind)")
            XCTAssertEqual(base.pending(ev, what: EV.read, tvOut: nil), 0)
        }
    }

    func testDeletingKeepsOtherFdsWatched() {
        // poll packs its array: deleting an fd moves the last one into the
        // hole, and that fd's slot must learn its new index, or deleting it
        // later removes the wrong entry.
        eachBackend { kind, base, rec, pool in
            let pairs = (0..<5).map { _ in SocketPair() }
            let evs = pairs.enumerated().map { add(base, rec, pool, fd: $1.a, EV.read | EV.persist, id: $0) }
            XCTAssertEqual(base.del(evs[0], mode: .autoBlock), 0)   // fd 4's entry moves to the front
            XCTAssertEqual(base.del(evs[4], mode: .autoBlock), 0)   // ...and goes
            XCTAssertEqual(base.del(evs[2], mode: .autoBlock), 0)
            for p in pairs { SocketPair.poke(p.b) }
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.ids.sorted(), [1, 3], "\(kind)")
            XCTAssertEqual(Set(rec.calls.map(\.fd)), [pairs[1].a, pairs[3].a], "\(kind)")
        }
    }

    func testManyReadyFdsAtOnce() {
        // More than the backends' initial 32-entry arrays.
        eachBackend { kind, base, rec, pool in
            let pairs = (0..<100).map { _ in SocketPair() }
            for (i, p) in pairs.enumerated() {
                _ = add(base, rec, pool, fd: p.a, EV.read, id: i)
                SocketPair.poke(p.b)
            }
            XCTAssertEqual(base.loop(flags: 0), 1)
            XCTAssertEqual(rec.ids.sorted(), Array(0..<100), "\(kind)")
        }
    }

    func testTimerWithNoFds() {
        eachBackend { kind, base, rec, pool in
            let ev = base.setUp(pool.make(), fd: -1, events: 0, recorder: rec, id: 1)
            XCTAssertEqual(base.add(ev, timeout: tv(ms: 8)), 0)
            let start = Clock.monotonic()
            XCTAssertEqual(base.loop(flags: 0), 1)
            XCTAssertEqual(rec.calls, [Call(id: 1, fd: -1, what: EV.timeout)], "\(kind)")
            XCTAssertGreaterThanOrEqual(Clock.monotonic() - start, 3_000, "\(kind): waited in the backend")
        }
    }

    func testEdgeTriggeredOnEpollOnly() {
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            _ = add(base, rec, pool, fd: sp.a, EV.read | EV.persist | EV.et, id: 1)
            SocketPair.poke(sp.b)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(base.loop(flags: onePass), 0)   // data still unread
            if kind == .epoll {
                XCTAssertEqual(rec.calls, [Call(id: 1, fd: sp.a, what: EV.read | EV.et)], "one edge, one call")
                SocketPair.poke(sp.b)
                XCTAssertEqual(base.loop(flags: onePass), 0)
                XCTAssertEqual(rec.calls.count, 2, "a new edge")
            } else {
                // Without EV_FEATURE_ET the flag is ignored: level-triggered.
                XCTAssertEqual(rec.calls, Array(repeating: Call(id: 1, fd: sp.a, what: EV.read), count: 2), "\(kind)")
            }
        }
    }

    func testFdClosedWithoutDelThenReused() {
        // A program closes an fd its event still watches, deletes the event
        // afterwards, and the number comes back for a new socket. epoll has
        // forgotten the closed file: DEL must tolerate that, and a later
        // MOD on the reused number must fall back to ADD.
        eachBackend { kind, base, rec, pool in
            var fds: [Int32] = [-1, -1]
            XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
            let stale = add(base, rec, pool, fd: fds[0], EV.read, id: 1)
            let stale2 = add(base, rec, pool, fd: fds[0], EV.read, id: 2)
            close(fds[0])
            close(fds[1])
            let sp = SocketPair()
            XCTAssertTrue(sp.a == fds[0] || sp.b == fds[0], "the number is reused")
            let reused = sp.a == fds[0] ? sp.a : sp.b
            let peer = reused == sp.a ? sp.b : sp.a
            let (_, logs) = LogCapture.during { () -> Void in
                XCTAssertEqual(base.del(stale, mode: .autoBlock), 0)      // no transition: stale2 still reads
                _ = add(base, rec, pool, fd: reused, EV.write, id: 3)     // read -> read|write: MOD, then ADD
                XCTAssertEqual(base.del(stale2, mode: .autoBlock), 0)
            }
            XCTAssertEqual(logs, [], "\(kind)")
            SocketPair.poke(peer)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls, [Call(id: 3, fd: reused, what: EV.write)], "\(kind)")
        }
    }

    /// An fd number above FD_SETSIZE (1024). select's bit sets grow with the fd.
    func testFdAbove1024() throws {
        let high: Int32 = 1500
        var lim = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim), 0)
        if lim.rlim_cur <= rlim_t(high) {
            var raised = lim
            raised.rlim_cur = min(lim.rlim_max, 4096)
            if raised.rlim_cur <= rlim_t(high) || setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
                throw XCTSkip("RLIMIT_NOFILE cannot be raised above \(high) (hard limit \(lim.rlim_max))")
            }
        }
        defer { setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) }
        eachBackend { kind, base, rec, pool in
            let sp = SocketPair()
            XCTAssertEqual(dup2(sp.a, high), high)
            defer { close(high) }
            let ev = add(base, rec, pool, fd: high, EV.read | EV.persist, id: 1)
            _ = add(base, rec, pool, fd: sp.a, EV.write, id: 2)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls, [Call(id: 2, fd: sp.a, what: EV.write)], "\(kind): fd \(high) not readable yet")
            SocketPair.poke(sp.b)
            XCTAssertEqual(base.loop(flags: onePass), 0)
            XCTAssertEqual(rec.calls.last, Call(id: 1, fd: high, what: EV.read), "\(kind)")
            XCTAssertGreaterThan(base.io.count, Int(high))
            XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        }
    }
}
