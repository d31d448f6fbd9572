import XCTest
import CEventSys
@testable import Event

/// bufferevent through its exported entry points, over socketpairs and
/// pairs, plus the bad input libevent itself would crash on.
final class BufferEventTests: XCTestCase {
    var base: OpaquePointer!

    override func setUp() {
        base = event_base_new()
    }

    override func tearDown() {
        event_base_free(base)
    }

    private func socketPair() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    private func loopNonBlock(_ n: Int = 2) {
        for _ in 0..<n { _ = event_base_loop(base, 2) }
    }

    func testStructLayoutMatchesLibevent() {
        XCTAssertEqual(MemoryLayout<bufferevent>.size, 392)
        XCTAssertEqual(MemoryLayout<cev_bufferevent>.offset(of: \cev_bufferevent.bev), 0)
    }

    func testDefaultsOfASocketBufferevent() {
        let (a, b) = socketPair()
        defer { close(b) }
        let bev = bufferevent_socket_new(base, a, BevOpt.closeOnFree)!
        XCTAssertEqual(bufferevent_get_enabled(bev), EV.write)
        XCTAssertEqual(bufferevent_getfd(bev), a)
        XCTAssertEqual(bufferevent_get_base(bev), base)
        XCTAssertEqual(bufferevent_get_max_single_read(bev), 16384)
        XCTAssertEqual(bev.pointee.input, bufferevent_get_input(bev))
        XCTAssertEqual(bev.pointee.output, bufferevent_get_output(bev))
        XCTAssertNil(bufferevent_get_underlying(bev))
        XCTAssertNil(bufferevent_pair_get_partner(bev))
        // The input's end is frozen: only the bufferevent adds there.
        XCTAssertEqual(evbuffer_add(bufferevent_get_input(bev), "x", 1), -1)
        bufferevent_free(bev)
        loopNonBlock(1)
        // CLOSE_ON_FREE closed our end once finalized: the peer sees EOF.
        var c: UInt8 = 0
        XCTAssertEqual(read(b, &c, 1), 0)
    }

    /// The bufferevent hears of output changes through the buffer's
    /// notifiesParent bit, not a callback entry; evbuffer_setcb (which in
    /// libevent removes every entry, the bufferevent's too) clears it.
    func testOutputNotificationWithoutCallbackEntry() {
        let (a, b) = socketPair()
        defer { close(b) }
        let bev = bufferevent_socket_new(base, a, BevOpt.closeOnFree)!
        let out = bufferevent_get_output(bev)!
        let core = CorePtr(out)
        XCTAssertNil(core.pointee.callbacks)
        XCTAssertTrue(core.pointee.notifiesParent)
        XCTAssertTrue(core.watched)
        XCTAssertEqual(bufferevent_write(bev, "ab", 2), 0)
        XCTAssertNotEqual(event_pending(cev_bev_ev_write(bev), EV.write, nil), 0)
        loopNonBlock(2)
        XCTAssertEqual(evbuffer_get_length(out), 0)
        XCTAssertEqual(event_pending(cev_bev_ev_write(bev), EV.write, nil), 0)
        _ = evbuffer_setcb(out, nil, nil)
        XCTAssertFalse(core.pointee.notifiesParent)
        XCTAssertFalse(core.watched)
        XCTAssertEqual(bufferevent_write(bev, "cd", 2), 0)
        XCTAssertEqual(event_pending(cev_bev_ev_write(bev), EV.write, nil), 0)
        bufferevent_free(bev)
        loopNonBlock(1)
    }

    /// The owner hears of growth only, so drains of a buffer watched by
    /// the owner alone stay on the fast path; a callback entry or deferred
    /// reporting puts them back on the slow one.
    func testDrainsSkipTheOwnerButNotEntriesOrDeferral() {
        let (a, b) = socketPair()
        defer { close(b) }
        let bev = bufferevent_socket_new(base, a, BevOpt.closeOnFree)!
        let out = bufferevent_get_output(bev)!
        let core = CorePtr(out)
        XCTAssertTrue(core.watched)
        XCTAssertEqual(core.pointee.slow & BufferCore.Slow.entries, 0, "owner only: drains are fast")
        XCTAssertEqual(BufferCore.Slow.drain & BufferCore.Slow.callbacks, 0)
        let cb: BufferCallback = { _, _, _ in }
        let entry = evbuffer_add_cb(out, cb, nil)
        XCTAssertNotEqual(core.pointee.slow & BufferCore.Slow.entries, 0, "an entry must see drains")
        XCTAssertEqual(evbuffer_remove_cb_entry(out, entry), 0)
        XCTAssertEqual(core.pointee.slow & BufferCore.Slow.entries, 0)
        XCTAssertEqual(evbuffer_defer_callbacks(out, base), 0)
        XCTAssertNotEqual(core.pointee.slow & BufferCore.Slow.entries, 0, "deferred reporting must see drains")
        // Deferred: growth starts the write event from the loop, and the
        // drain after the write stops it.
        XCTAssertEqual(bufferevent_write(bev, "ab", 2), 0)
        XCTAssertEqual(event_pending(cev_bev_ev_write(bev), EV.write, nil), 0)
        loopNonBlock(3)
        XCTAssertEqual(evbuffer_get_length(out), 0)
        XCTAssertEqual(event_pending(cev_bev_ev_write(bev), EV.write, nil), 0)
        bufferevent_free(bev)
        loopNonBlock(1)
    }

    private final class Log {
        var lines: [String] = []
    }

    func testReadCallbackAndEOF() {
        let (a, b) = socketPair()
        let log = Log()
        let bev = bufferevent_socket_new(base, a, BevOpt.closeOnFree)!
        let arg = Unmanaged.passUnretained(log).toOpaque()
        bufferevent_setcb(bev, { bev, arg in
            let log = Unmanaged<Log>.fromOpaque(arg!).takeUnretainedValue()
            log.lines.append("read \(evbuffer_get_length(bufferevent_get_input(bev)))")
        }, nil, { _, what, arg in
            let log = Unmanaged<Log>.fromOpaque(arg!).takeUnretainedValue()
            log.lines.append("event \(what)")
        }, arg)
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        XCTAssertEqual(write(b, "hello", 5), 5)
        close(b)
        loopNonBlock(3)
        XCTAssertEqual(log.lines, ["read 5", "event \(BevEvent.eof | BevEvent.reading)"])
        XCTAssertEqual(bufferevent_get_enabled(bev), EV.write)
        bufferevent_free(bev)
        loopNonBlock(1)
    }

    func testPairDeliversWithDeferredCallbacks() {
        var pair: [BevPtr?] = [nil, nil]
        XCTAssertEqual(bufferevent_pair_new(base, 0, &pair), 0)
        let p0 = pair[0]!, p1 = pair[1]!
        XCTAssertEqual(bufferevent_pair_get_partner(p0), p1)
        var got = 0
        withUnsafeMutablePointer(to: &got) { gp in
            bufferevent_setcb(p1, { bev, arg in
                arg!.assumingMemoryBound(to: Int.self).pointee += evbuffer_get_length(bufferevent_get_input(bev))
            }, nil, nil, UnsafeMutableRawPointer(gp))
            _ = bufferevent_enable(p1, EV.read)
            XCTAssertEqual(bufferevent_write(p0, "abc", 3), 0)
            // Moved at once, but the callback is deferred to the loop.
            XCTAssertEqual(evbuffer_get_length(bufferevent_get_input(p1)), 3)
            XCTAssertEqual(gp.pointee, 0)
            loopNonBlock(1)
            XCTAssertEqual(gp.pointee, 3)
        }
        bufferevent_free(p1)
        XCTAssertNil(bufferevent_pair_get_partner(p0))
        XCTAssertEqual(bufferevent_write(p0, "x", 1), 0)
        XCTAssertEqual(evbuffer_get_length(bufferevent_get_output(p0)), 1)
        bufferevent_free(p0)
        loopNonBlock(1)
    }

    func testRefcountKeepsTheBuffereventUntilTheLastDecref() {
        let bev = bufferevent_socket_new(base, -1, 0)!
        let b = BufferEvent.from(bev)
        bufferevent_incref(bev)
        bufferevent_free(bev)
        XCTAssertEqual(b.refcnt, 1)
        XCTAssertFalse(b.finalizing)
        XCTAssertEqual(bufferevent_decref(bev), 1)
        XCTAssertTrue(b.finalizing)
        loopNonBlock(1)
    }

    func testNullArgumentsFailCleanly() {
        bufferevent_free(nil)
        XCTAssertEqual(bufferevent_enable(nil, EV.read), -1)
        XCTAssertEqual(bufferevent_disable(nil, EV.read), -1)
        XCTAssertEqual(bufferevent_write(nil, "x", 1), -1)
        XCTAssertEqual(bufferevent_read(nil, nil, 1), 0)
        XCTAssertEqual(bufferevent_getfd(nil), -1)
        XCTAssertEqual(bufferevent_setfd(nil, 3), -1)
        XCTAssertNil(bufferevent_get_input(nil))
        XCTAssertNil(bufferevent_get_output(nil))
        XCTAssertNil(bufferevent_get_base(nil))
        XCTAssertEqual(bufferevent_socket_connect(nil, nil, 0), -1)
        XCTAssertEqual(bufferevent_flush(nil, EV.write, bufferevent_flush_mode(1)), -1)
        XCTAssertNil(bufferevent_filter_new(nil, nil, nil, 0, nil, nil))
        XCTAssertEqual(bufferevent_pair_new(base, 0, nil), -1)
        XCTAssertEqual(bufferevent_set_timeouts(nil, nil, nil), -1)
        XCTAssertEqual(bufferevent_decrement_read_limit(nil, 1), -1)
        bufferevent_setcb(nil, nil, nil, nil, nil)
        bufferevent_trigger(nil, EV.read, 0)
        bufferevent_lock(nil)
        bufferevent_unlock(nil)
        XCTAssertEqual(bufferevent_base_set(nil, nil), -1)
        let bev = bufferevent_socket_new(base, -1, 0)!
        XCTAssertEqual(bufferevent_base_set(nil, bev), -1)
        // libevent asserts here (no rate limit configured).
        XCTAssertEqual(bufferevent_decrement_read_limit(bev, 5), -1)
        XCTAssertEqual(bufferevent_rate_limit_group_set_cfg(nil, nil), -1)
        bufferevent_rate_limit_group_free(nil)
        bufferevent_free(bev)
        // A second free is reported, not acted on.
        bufferevent_free(bev)
        loopNonBlock(1)
    }

    func testOptionsThatLibeventRefuses() {
        XCTAssertNil(bufferevent_socket_new(base, -1, BevOpt.unlockCallbacks))
        let savedLocks = Threads.lockCallbacks
        Threads.lockCallbacks = nil
        XCTAssertNil(bufferevent_socket_new(base, -1, BevOpt.threadsafe))
        Threads.lockCallbacks = savedLocks
    }
}
