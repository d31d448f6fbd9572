import XCTest
import CEventSys
@testable import Event

// The threaded core through the C API, as a threaded C program uses it: lock
// and condition callbacks installed (ThreadSupport.swift), the loop running
// in one thread, other threads adding, deleting, activating and freeing.
// Assertions are on counts and flags; time bounds only detect hangs
// (Monitor.hangSeconds). Run under ThreadSanitizer by tests/swift_tsan.sh.
//
// The lock callbacks stay installed for the rest of the test process (they
// cannot be changed once set): tests that run later make bases with a lock
// and a wake-up channel. The whole suite passes that way too (checked by
// running it with this class first).

final class ThreadedBaseTests: ThreadedTestCase {
    // MARK: the base and its loop

    func testLockedBaseRunsItsLoopInAnotherThread() {
        let plain = newBase(flags: BaseFlag.noLock)
        XCTAssertNil(EventBase.from(plain).lock, "EVENT_BASE_FLAG_NOLOCK")
        event_base_free(plain)

        for method in methods {
            let base = newBase(method)
            let b = EventBase.from(base)
            XCTAssertNotNil(b.lock)
            XCTAssertNotNil(b.currentEventCond)
            XCTAssertGreaterThanOrEqual(b.notifyFd, 0, "a locked base gets the wake-up channel")
            let loop = LoopThread(base)
            let probe = Probe()
            let ev = newEvent(base, 0, probe)
            var t = tv(ms: 10)
            XCTAssertEqual(event_add(ev, &t), 0)
            XCTAssertTrue(probe.waitEntered(), method)
            XCTAssertEqual(pthread_equal(probe.mon.locked { probe.thread! }, pthread_self()), 0,
                           "the callback runs in the loop's thread")
            guard loop.stop() else { return }
            XCTAssertEqual(probe.counts.returned, 1)
            event_free(ev)
            event_base_free(base)
        }
    }

    func testEventActiveFromFourThreadsIsAlwaysDelivered() {
        let perThread = 100
        for method in methods {
            let base = newBase(method)
            let loop = LoopThread(base)
            let probes = (0..<4).map { _ in Probe() }
            let evs = probes.map { newEvent(base, 0, $0) }
            let failures = Failures()
            onThreads(4) { i in
                for k in 1...perThread {
                    event_active(evs[i], Int32(EV.read), 0)
                    // Delivered before the next one: none may be merged away.
                    if !probes[i].waitReturned(k) {
                        failures.add("\(method): thread \(i) activation \(k) never delivered")
                        return
                    }
                }
            }
            failures.check()
            guard loop.stop() else { return }
            for p in probes { XCTAssertEqual(p.counts.entered, perThread, method) }
            // (Not event_base_get_num_events: like libevent's, its active
            // count includes the internal wake-up event, which loopbreak may
            // leave queued.)
            for ev in evs { XCTAssertEqual(event_pending(ev, EV.read | EV.timeout, nil), 0, method) }
            evs.forEach { event_free($0) }
            event_base_free(base)
        }
    }

    func testTimersAddedAndDeletedFromSeveralThreads() {
        let base = newBase()
        let b = EventBase.from(base)
        let loop = LoopThread(base)
        let threads = 4, short = 64, long = 32
        let shortProbes = (0..<threads * short).map { _ in Probe() }
        let shortEvs = shortProbes.map { newEvent(base, 0, $0) }
        let longProbes = (0..<threads * long).map { _ in Probe() }
        let longEvs = longProbes.map { newEvent(base, 0, $0) }
        var minute = tv(ms: 60_000)
        onThreads(threads) { t in
            for i in 0..<short {
                // Only the last add is short: each fires exactly once.
                let ev = shortEvs[t * short + i]
                var later = tv(ms: 30_000 + i)
                var soon = tv(ms: i % 8)
                _ = event_add(ev, &minute)
                _ = event_add(ev, &later)
                _ = event_del(ev)
                _ = event_add(ev, &soon)
                if i < long {
                    // Long timers stay in the heap while the others churn
                    // it; every other one is deleted again.
                    let lev = longEvs[t * long + i]
                    _ = event_add(lev, &minute)
                    var moved = tv(ms: 30_000 + t * long + i)
                    _ = event_add(lev, &moved)
                    if i % 2 == 1 { _ = event_del(lev) }
                }
            }
        }
        for (i, p) in shortProbes.enumerated() where !p.waitEntered() {
            XCTFail("short timer \(i) never fired")
            break
        }
        // The heap as the threads left it: the long timers still pending,
        // in heap order, each knowing its slot.
        b.locked {
            XCTAssertEqual(b.timers.count, threads * long / 2)
            for i in 0..<b.timers.count {
                XCTAssertEqual(Int(b.timers[i].event.heapIndex), i, "heap index not written back")
                if i > 0 { XCTAssertLessThanOrEqual(b.timers[(i - 1) / 2].deadline, b.timers[i].deadline, "heap order") }
            }
        }
        for (i, ev) in longEvs.enumerated() {
            XCTAssertEqual(event_pending(ev, EV.timeout, nil) != 0, i % 2 == 0, "long timer \(i)")
        }
        onThreads(threads) { t in
            for i in stride(from: 0, to: long, by: 2) { _ = event_del(longEvs[t * long + i]) }
        }
        XCTAssertEqual(b.locked { b.timers.count }, 0)
        XCTAssertEqual(event_base_get_num_events(base, eventBaseCountAdded), 0)
        guard loop.stop() else { return }
        for (i, p) in shortProbes.enumerated() { XCTAssertEqual(p.counts.entered, 1, "short timer \(i)") }
        for p in longProbes { XCTAssertEqual(p.counts.entered, 0) }
        (shortEvs + longEvs).forEach { event_free($0) }
        event_base_free(base)
    }

    // MARK: deleting an event whose callback runs

    func testEventDelFromAnotherThreadWaitsForTheRunningCallback() {
        let base = newBase()
        let loop = LoopThread(base)
        for events in [Int16(0), EV.persist] {
            let probe = Probe(sleepMicros: 100_000)
            let ev = newEvent(base, events, probe)
            if events != 0 { XCTAssertEqual(event_add(ev, nil), 0) }
            event_active(ev, Int32(EV.read), 0)
            XCTAssertTrue(probe.waitEntered())
            XCTAssertEqual(event_del(ev), 0)
            XCTAssertEqual(probe.counts.returned, 1, "event_del returned while the callback ran (events \(events))")
            XCTAssertEqual(event_pending(ev, EV.read | EV.timeout, nil), 0)
            event_free(ev)
        }
        guard loop.stop() else { return }
        event_base_free(base)
    }

    func testEventFreeFromAnotherThreadWaitsForTheRunningCallback() {
        let base = newBase()
        let loop = LoopThread(base)
        let probe = Probe(sleepMicros: 100_000)
        let ev = newEvent(base, EV.persist, probe)
        XCTAssertEqual(event_add(ev, nil), 0)
        event_active(ev, Int32(EV.read), 0)
        XCTAssertTrue(probe.waitEntered())
        event_free(ev)
        XCTAssertEqual(probe.counts.returned, 1, "event_free returned while the callback ran")
        XCTAssertEqual(event_base_get_num_events(base, eventBaseCountAdded), 0)
        guard loop.stop() else { return }
        event_base_free(base)
    }

    func testEventDelNoblockDoesNotWait() {
        let base = newBase()
        let loop = LoopThread(base)
        let probe = Probe(gated: true)
        let ev = newEvent(base, EV.persist, probe)
        XCTAssertEqual(event_add(ev, nil), 0)
        event_active(ev, Int32(EV.read), 0)
        XCTAssertTrue(probe.waitEntered())
        XCTAssertEqual(event_del_noblock(ev), 0)
        XCTAssertEqual(probe.counts.returned, 0, "event_del_noblock waited for the callback")
        XCTAssertEqual(event_pending(ev, EV.read, nil), 0)
        probe.open()
        XCTAssertTrue(probe.waitReturned())
        XCTAssertFalse(probe.mon.locked { probe.gateTimedOut })
        guard loop.stop() else { return }
        event_free(ev)
        event_base_free(base)
    }

    func testFinalizeEventsWaitOnlyUnderEventDelBlock() {
        let base = newBase()
        let loop = LoopThread(base)

        let gated = Probe(gated: true)
        let ev = newEvent(base, EV.finalize, gated)
        event_active(ev, Int32(EV.read), 0)
        XCTAssertTrue(gated.waitEntered())
        XCTAssertEqual(event_del(ev), 0)
        XCTAssertEqual(gated.counts.returned, 0, "event_del waited for an EV_FINALIZE event's callback")
        gated.open()
        XCTAssertTrue(gated.waitReturned())
        XCTAssertFalse(gated.mon.locked { gated.gateTimedOut })

        let sleeping = Probe(sleepMicros: 100_000)
        let ev2 = newEvent(base, EV.finalize | EV.persist, sleeping)
        XCTAssertEqual(event_add(ev2, nil), 0)
        event_active(ev2, Int32(EV.read), 0)
        XCTAssertTrue(sleeping.waitEntered())
        XCTAssertEqual(event_del_block(ev2), 0)
        XCTAssertEqual(sleeping.counts.returned, 1, "event_del_block returned while the callback ran")

        guard loop.stop() else { return }
        event_free(ev)
        event_free(ev2)
        event_base_free(base)
    }

    // MARK: waking a sleeping loop

    func testOnceFromAnotherThreadWakesTheLoopAndFiresOnce() {
        for method in methods {
            let base = newBase(method)
            let loop = LoopThread(base)
            loop.letItSleep()
            var zero = timeval()
            let now = Probe()
            XCTAssertEqual(event_base_once(base, -1, EV.timeout, Probe.callback, now.arg, &zero), 0)
            XCTAssertTrue(now.waitEntered(), "\(method): zero-timeout once did not wake the loop")
            loop.letItSleep()
            // A deadline earlier than anything the loop sleeps for.
            let soon = Probe()
            var t = tv(ms: 10)
            XCTAssertEqual(event_base_once(base, -1, EV.timeout, Probe.callback, soon.arg, &t), 0)
            XCTAssertTrue(soon.waitEntered(), "\(method): timed once did not wake the loop")

            let many = (0..<4).map { _ in Probe() }
            onThreads(4) { i in
                var zero = timeval()
                for _ in 0..<25 { _ = event_base_once(base, -1, EV.timeout, Probe.callback, many[i].arg, &zero) }
            }
            for p in many { XCTAssertTrue(p.waitEntered(25)) }
            // One more pass through the loop: nothing fires a second time.
            let barrier = Probe()
            XCTAssertEqual(event_base_once(base, -1, EV.timeout, Probe.callback, barrier.arg, &zero), 0)
            XCTAssertTrue(barrier.waitEntered())
            guard loop.stop() else { return }
            XCTAssertEqual(now.counts.entered, 1, method)
            XCTAssertEqual(soon.counts.entered, 1, method)
            for p in many { XCTAssertEqual(p.counts.entered, 25, method) }
            let b = EventBase.from(base)
            XCTAssertNil(b.locked { b.onceRecords }, "every fired once record unlinked")
            event_base_free(base)
        }
    }

    func testLoopbreakAndLoopexitFromAnotherThreadWakeTheLoop() {
        for method in methods {
            let base = newBase(method)
            var loop = LoopThread(base)
            loop.letItSleep()
            XCTAssertEqual(event_base_loopbreak(base), 0)
            guard loop.expectExit("\(method): loopbreak did not wake the loop") else { return }
            XCTAssertEqual(event_base_got_break(base), 1)

            loop = LoopThread(base)
            loop.letItSleep()
            XCTAssertEqual(event_base_loopexit(base, nil), 0)
            guard loop.expectExit("\(method): loopexit did not wake the loop") else { return }
            XCTAssertEqual(event_base_got_exit(base), 1)
            XCTAssertEqual(event_base_got_break(base), 0)

            loop = LoopThread(base)
            loop.letItSleep()
            var t = tv(ms: 10)
            XCTAssertEqual(event_base_loopexit(base, &t), 0)
            guard loop.expectExit("\(method): timed loopexit did not wake the loop") else { return }
            XCTAssertEqual(event_base_got_exit(base), 1)
            event_base_free(base)
        }
    }

    func testSecondLoopOnARunningBaseIsRefused() {
        let base = newBase()
        let loop = LoopThread(base)
        let (r, messages) = LogCapture.during { event_base_loop(base, EventBase.LoopFlag.nonBlock) }
        XCTAssertEqual(r, -1)
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(messages.first?.contains("reentrant invocation") ?? false, "\(messages)")
        XCTAssertEqual(event_base_dispatch(base), -1)
        // Freeing it under the running loop is refused as well.
        let (_, freeMessages) = LogCapture.during { event_base_free(base) }
        XCTAssertEqual(freeMessages.count, 1)
        XCTAssertFalse(loop.exited)
        guard loop.stop() else { return }
        event_base_free(base)
    }

    // MARK: listener and bufferevent

    func testListenerEnableDisableFromAnotherThread() {
        final class Accepts {
            let mon = Monitor()
            var count = 0
        }
        let accepts = Accepts()
        let onAccept: ListenerCallback = { _, fd, _, _, arg in
            close(fd)
            let a = Unmanaged<Accepts>.fromOpaque(arg!).takeUnretainedValue()
            a.mon.update { a.count += 1 }
        }
        let base = newBase()
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let lev = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                evconnlistener_new_bind(base, onAccept, Unmanaged.passUnretained(accepts).toOpaque(),
                                        ListenerFlag.threadSafe | ListenerFlag.closeOnFree | ListenerFlag.reusable,
                                        -1, $0, Int32(MemoryLayout<sockaddr_in>.size))
            }
        }!
        XCTAssertNotNil(Listener.from(lev).lock, "LEV_OPT_THREADSAFE gives the listener a lock")
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(evconnlistener_get_fd(lev), $0, &len) }
        }
        func connectOne() -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let r = withUnsafePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) }
            }
            XCTAssertEqual(r, 0)
            return fd
        }
        let loop = LoopThread(base)
        var clients: [Int32] = []

        XCTAssertEqual(evconnlistener_disable(lev), 0)
        clients.append(connectOne())
        // A full pass of the loop after the connection was queued: a
        // disabled listener accepts nothing.
        let barrier = Probe()
        var zero = timeval()
        XCTAssertEqual(event_base_once(base, -1, EV.timeout, Probe.callback, barrier.arg, &zero), 0)
        XCTAssertTrue(barrier.waitEntered())
        XCTAssertEqual(accepts.mon.locked { accepts.count }, 0, "a disabled listener accepted")
        XCTAssertEqual(evconnlistener_enable(lev), 0)
        XCTAssertTrue(accepts.mon.wait { accepts.count == 1 }, "enabling from another thread did not wake the loop")

        // Toggled from one thread while another connects: every connection
        // is accepted once the listener ends enabled.
        let more = 20
        onThreads(2) { t in
            if t == 0 {
                for _ in 0..<200 {
                    _ = evconnlistener_disable(lev)
                    _ = evconnlistener_enable(lev)
                }
            } else {
                for _ in 0..<more {
                    let fd = connectOne()
                    accepts.mon.update { clients.append(fd) }
                }
            }
        }
        XCTAssertTrue(accepts.mon.wait { accepts.count == 1 + more }, "accepted \(accepts.mon.locked { accepts.count })")
        guard loop.stop() else { return }
        evconnlistener_free(lev)
        accepts.mon.locked { clients }.forEach { close($0) }
        XCTAssertEqual(accepts.count, 1 + more)
        event_base_free(base)
    }

    func testBufferEventEnableDisableFromAnotherThreadWhileDataFlows() {
        final class Stream {
            let mon = Monitor()
            var received = 0
            var mismatches = 0
            var events: [Int16] = []
        }
        // The byte at stream offset i.
        func pattern(_ i: Int) -> UInt8 { UInt8(i % 251) }
        let stream = Stream()
        let onRead: bufferevent_data_cb = { bev, arg in
            let s = Unmanaged<Stream>.fromOpaque(arg!).takeUnretainedValue()
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = bufferevent_read(bev, &buf, buf.count)
                if n <= 0 { break }
                s.mon.update {
                    for k in 0..<n where buf[k] != UInt8((s.received + k) % 251) { s.mismatches += 1 }
                    s.received += n
                }
            }
        }
        let onEvent: bufferevent_event_cb = { _, what, arg in
            let s = Unmanaged<Stream>.fromOpaque(arg!).takeUnretainedValue()
            s.mon.update { s.events.append(what) }
        }
        let base = newBase()
        let pair = SocketPair()
        let writer = bufferevent_socket_new(base, pair.a, BevOpt.threadsafe)!
        let reader = bufferevent_socket_new(base, pair.b, BevOpt.threadsafe)!
        let arg = Unmanaged.passUnretained(stream).toOpaque()
        bufferevent_setcb(reader, onRead, nil, onEvent, arg)
        bufferevent_setcb(writer, nil, nil, onEvent, arg)
        XCTAssertEqual(bufferevent_enable(reader, EV.read), 0)
        XCTAssertEqual(bufferevent_enable(writer, EV.write), 0)
        let loop = LoopThread(base)

        let chunk = 4096, chunks = 64
        onThreads(3) { t in
            switch t {
            case 0:
                var buf = [UInt8](repeating: 0, count: chunk)
                for c in 0..<chunks {
                    for k in 0..<chunk { buf[k] = pattern(c * chunk + k) }
                    _ = bufferevent_write(writer, buf, chunk)
                }
            case 1:
                for _ in 0..<300 {
                    _ = bufferevent_disable(reader, EV.read)
                    _ = bufferevent_enable(reader, EV.read)
                }
            default:
                for _ in 0..<300 {
                    _ = bufferevent_disable(writer, EV.write)
                    _ = bufferevent_enable(writer, EV.write)
                }
            }
        }
        XCTAssertEqual(bufferevent_get_enabled(reader) & EV.read, EV.read)
        XCTAssertEqual(bufferevent_get_enabled(writer) & EV.write, EV.write)
        let total = chunk * chunks
        XCTAssertTrue(stream.mon.wait { stream.received == total },
                      "received \(stream.mon.locked { stream.received }) of \(total)")
        guard loop.stop() else { return }
        stream.mon.locked {
            XCTAssertEqual(stream.received, total)
            XCTAssertEqual(stream.mismatches, 0, "bytes out of order or corrupted")
            XCTAssertEqual(stream.events, [], "no error or EOF expected")
        }
        XCTAssertEqual(evbuffer_get_length(bufferevent_get_output(writer)), 0)
        bufferevent_free(writer)
        bufferevent_free(reader)
        event_base_free(base)
    }
}
