import XCTest
import CEventSys
@testable import Event

// Freeing from one thread what the loop in another may be using: events
// just activated, bufferevents with data in flight, listeners with
// connections arriving. Afterwards nothing runs, nothing is left allocated
// (ThreadedTestCase counts the library's locks) and no lock was misused.
final class ThreadedTeardownTests: ThreadedTestCase {
    func testEventFreedRightAfterActivationNeverRunsAgain() {
        final class Seen {
            let mon = Monitor()
            var atFree: [(Probe, Int)] = []
        }
        let seen = Seen()
        let base = newBase()
        let loop = LoopThread(base)
        onThreads(3) { _ in
            var mine: [(Probe, Int)] = []
            for _ in 0..<200 {
                let p = Probe()
                let ev = self.newEvent(base, 0, p)
                event_active(ev, Int32(EV.read), 0)
                event_free(ev)
                // event_free waited for a callback that had started.
                let c = p.counts
                mine.append((p, c.entered == c.returned ? c.entered : -1))
            }
            seen.mon.update { seen.atFree += mine }
        }
        loopPass(base)
        guard loop.stop() else { return }
        let all = seen.mon.locked { seen.atFree }
        XCTAssertEqual(all.count, 600)
        for (p, n) in all {
            XCTAssertGreaterThanOrEqual(n, 0, "event_free returned while the callback ran")
            XCTAssertEqual(p.counts.entered, n, "the callback ran after event_free")
            XCTAssertLessThanOrEqual(n, 1)
        }
        event_base_free(base)
    }

    func testBufferEventsFreedFromAnotherThreadWhileDataFlows() {
        let base = newBase()
        let loop = LoopThread(base)
        let drain: bufferevent_data_cb = { bev, _ in
            var buf = [UInt8](repeating: 0, count: 4096)
            while bufferevent_read(bev, &buf, buf.count) > 0 {}
        }
        for round in 0..<20 {
            let before = TestLocks.live.load(ordering: .relaxed)
            let sp = SocketPair()
            let w = bufferevent_socket_new(base, sp.a, BevOpt.threadsafe)!
            let r = bufferevent_socket_new(base, sp.b, BevOpt.threadsafe)!
            bufferevent_setcb(r, drain, nil, nil, nil)
            XCTAssertEqual(bufferevent_enable(r, EV.read), 0)
            onThreads(2) { t in
                if t == 0 {
                    var buf = [UInt8](repeating: 1, count: 8192)
                    for _ in 0..<20 { _ = bufferevent_write(w, &buf, buf.count) }
                    bufferevent_free(w)
                } else {
                    // Some rounds free the reader before data arrives,
                    // others while its callback runs.
                    if round % 2 == 1 { usleep(1000) }
                    bufferevent_free(r)
                }
            }
            // The finalizers run from the loop: queued before the first
            // pass's once, or (when the loop's own callback dropped the last
            // reference) during that pass, so before the second's.
            loopPass(base)
            loopPass(base)
            XCTAssertEqual(TestLocks.live.load(ordering: .relaxed), before, "round \(round): not finalized")
            withExtendedLifetime(sp) {}
        }
        guard loop.stop() else { return }
        event_base_free(base)
    }

    func testListenerFreedFromAnotherThreadWhileConnectionsArrive() {
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
        let loop = LoopThread(base)
        let arg = Unmanaged.passUnretained(accepts).toOpaque()
        var connected = 0
        for _ in 0..<10 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            let lev = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    evconnlistener_new_bind(base, onAccept, arg, ListenerFlag.threadSafe | ListenerFlag.closeOnFree,
                                            -1, $0, Int32(MemoryLayout<sockaddr_in>.size))
                }
            }!
            var bound = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(evconnlistener_get_fd(lev), $0, &len) }
            }
            onThreads(2) { t in
                if t == 0 {
                    for _ in 0..<10 {
                        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                        let r = withUnsafePointer(to: &bound) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) }
                        }
                        if r == 0 { accepts.mon.update { connected += 1 } }
                        close(fd)
                    }
                } else {
                    usleep(500)
                    evconnlistener_free(lev)
                }
            }
        }
        // Nothing is accepted once evconnlistener_free has returned.
        let accepted = accepts.mon.locked { accepts.count }
        loopPass(base)
        XCTAssertEqual(accepts.mon.locked { accepts.count }, accepted)
        XCTAssertLessThanOrEqual(accepted, accepts.mon.locked { connected })
        guard loop.stop() else { return }
        event_base_free(base)
    }
}
