import XCTest
import CEventSys
@testable import Event

// A rate-limit group shared by bufferevents of bases looping in different
// threads: charged from both loops while other threads read and change
// it; and the group's side of its lock order, where a member whose lock
// another thread holds is only tried: suspending skips it (it suspends
// itself when it next asks for its share) and resuming leaves it to the
// next refill.
final class ThreadedRateGroupTests: ThreadedTestCase {
    private static let groupBandwidth = Suspend.groupBandwidth

    func testGroupChargedFromTwoLoopsWhileOtherThreadsUseIt() {
        final class End {
            let mon: Monitor
            let salt: Int
            var received = 0
            var mismatches = 0
            init(_ mon: Monitor, _ salt: Int) {
                self.mon = mon
                self.salt = salt
            }
            static func byte(_ i: Int, _ salt: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 131 &+ (i >> 9) &+ salt) }
        }
        let bytes = 32 * 1024
        let mon = Monitor()
        var stop = false
        let bases = [newBase(), newBase()]
        let tick = timeval(tv_sec: 0, tv_usec: 10_000)
        var t1 = tick, t2 = tick
        let cfg1 = ev_token_bucket_cfg_new(16384, 16384, 16384, 16384, &t1)!
        let cfg2 = ev_token_bucket_cfg_new(8192, 24576, 8192, 24576, &t2)!
        let grp = bufferevent_rate_limit_group_new(bases[0], cfg1)!
        let pairs = [SocketPair(), SocketPair(), SocketPair()]
        let onRead: bufferevent_data_cb = { bev, arg in
            let e = Unmanaged<End>.fromOpaque(arg!).takeUnretainedValue()
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = bufferevent_read(bev, &buf, buf.count)
                if n <= 0 { break }
                e.mon.update {
                    for k in 0..<n where buf[k] != End.byte(e.received + k, e.salt) { e.mismatches += 1 }
                    e.received += n
                }
            }
        }
        // Ends 2p and 2p+1 are socketpair p, on base 0 and base 1; end k
        // receives what end k^1 sends.
        var ends: [End] = []
        var bevs: [BevPtr] = []
        for k in 0..<4 {
            let p = pairs[k >> 1]
            let bev = bufferevent_socket_new(bases[k & 1], k & 1 == 0 ? p.a : p.b, BevOpt.threadsafe)!
            let e = End(mon, k)
            ends.append(e)
            bevs.append(bev)
            bufferevent_setcb(bev, onRead, nil, nil, Unmanaged.passUnretained(e).toOpaque())
            XCTAssertEqual(bufferevent_add_to_rate_limit_group(bev, grp), 0)
            XCTAssertEqual(bufferevent_enable(bev, EV.read | EV.write), 0)
        }
        let idle = bufferevent_socket_new(bases[1], pairs[2].a, BevOpt.threadsafe)!
        XCTAssertEqual(bufferevent_enable(idle, EV.read), 0)
        let loops = bases.map { LoopThread($0) }
        let failures = Failures()
        onThreads(3) { t in
            switch t {
            case 0:
                // Every end's output, in chunks, then wait for delivery.
                var off = [0, 0, 0, 0]
                var buf = [UInt8](repeating: 0, count: 3000)
                while off.contains(where: { $0 < bytes }) {
                    for k in 0..<4 where off[k] < bytes {
                        let n = min(1 + (off[k] * 7 + k) % buf.count, bytes - off[k])
                        for i in 0..<n { buf[i] = End.byte(off[k] + i, k ^ 1) }
                        if bufferevent_write(bevs[k], &buf, n) != 0 { failures.add("bufferevent_write failed") }
                        off[k] += n
                    }
                }
                if !mon.wait(seconds: 20, until: { ends.allSatisfy { $0.received >= bytes } }) {
                    failures.add("not everything arrived")
                }
                mon.update { stop = true }
            case 1:
                var last: (UInt64, UInt64) = (0, 0)
                var k = 0
                while !mon.locked({ stop }) {
                    _ = bufferevent_rate_limit_group_get_read_limit(grp)
                    _ = bufferevent_rate_limit_group_get_write_limit(grp)
                    var r: UInt64 = 0, w: UInt64 = 0
                    bufferevent_rate_limit_group_get_totals(grp, &r, &w)
                    if r < last.0 || w < last.1 { failures.add("the totals went down") }
                    last = (r, w)
                    _ = bufferevent_get_max_to_read(bevs[k])
                    _ = bufferevent_get_max_to_write(bevs[k])
                    k = (k + 1) % 4
                    usleep(200)
                }
            default:
                var n = 0
                while !mon.locked({ stop }) {
                    var rc: Int32 = 0
                    rc |= bufferevent_rate_limit_group_decrement_read(grp, 500)
                    rc |= bufferevent_rate_limit_group_decrement_write(grp, 500)
                    rc |= bufferevent_rate_limit_group_decrement_read(grp, -500)
                    rc |= bufferevent_rate_limit_group_decrement_write(grp, -500)
                    if n % 4 == 0 { rc |= bufferevent_rate_limit_group_set_cfg(grp, n % 8 == 0 ? cfg2 : cfg1) }
                    if n % 4 == 2 { rc |= bufferevent_rate_limit_group_set_min_share(grp, n % 8 == 2 ? 128 : 64) }
                    rc |= n % 2 == 0 ? bufferevent_add_to_rate_limit_group(idle, grp)
                                     : bufferevent_remove_from_rate_limit_group(idle)
                    if rc != 0 { failures.add("a group call returned \(rc)") }
                    n += 1
                    usleep(1000)
                }
            }
        }
        failures.check()
        for l in loops { loopPass(l.base) }
        mon.locked {
            for e in ends {
                XCTAssertEqual(e.received, bytes)
                XCTAssertEqual(e.mismatches, 0, "bytes out of order or corrupted")
            }
        }
        var r: UInt64 = 0, w: UInt64 = 0
        bufferevent_rate_limit_group_get_totals(grp, &r, &w)
        XCTAssertEqual(r, UInt64(4 * bytes))
        XCTAssertEqual(w, UInt64(4 * bytes))
        for l in loops { guard l.stop() else { return } }
        for bev in bevs + [idle] {
            XCTAssertEqual(bufferevent_remove_from_rate_limit_group(bev), 0)
            bufferevent_free(bev)
        }
        bufferevent_rate_limit_group_free(grp)
        ev_token_bucket_cfg_free(cfg1)
        ev_token_bucket_cfg_free(cfg2)
        for b in bases { event_base_free(b) }
        _ = pairs
    }

    /// One member, idle, on a running loop, whose lock a helper thread
    /// holds while `body` runs; `check` runs on the helper, still holding
    /// it, and reports the member's group suspension of reading.
    private final class Holder {
        let mon = Monitor()
        var holding = false
        var release = false
        var seenSuspended: Bool? = nil
    }

    private func withMemberHeld(_ bev: BevPtr, _ body: () -> Void) -> Bool? {
        let h = Holder()
        let helper = TestThread {
            bufferevent_lock(bev)
            h.mon.update { h.holding = true }
            _ = h.mon.wait { h.release }
            let s = BufferEvent.from(bev).readSuspended & ThreadedRateGroupTests.groupBandwidth != 0
            h.mon.update { h.seenSuspended = s }
            bufferevent_unlock(bev)
        }
        XCTAssertTrue(h.mon.wait { h.holding })
        body()
        h.mon.update { h.release = true }
        helper.join()
        return h.mon.locked { h.seenSuspended }
    }

    private func groupSuspendsReading(_ bev: BevPtr) -> Bool {
        bufferevent_lock(bev)
        defer { bufferevent_unlock(bev) }
        return BufferEvent.from(bev).readSuspended & ThreadedRateGroupTests.groupBandwidth != 0
    }

    /// A long tick's rate of 1000 tokens: a decrement of 10^6 keeps the
    /// group suspended until it is given back.
    private func makeGroup(_ base: OpaquePointer, tickMs: Int) -> (OpaquePointer, OpaquePointer) {
        var t = timeval(tv_sec: 0, tv_usec: tickMs * 1000)
        let cfg = ev_token_bucket_cfg_new(1000, 1000, 1000, 1000, &t)!
        return (bufferevent_rate_limit_group_new(base, cfg)!, cfg)
    }

    func testBusyMemberIsResumedByTheNextRefill() {
        let base = newBase()
        let (grp, cfg) = makeGroup(base, tickMs: 20)
        let pair = SocketPair()
        let bev = bufferevent_socket_new(base, pair.a, BevOpt.threadsafe)!
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        XCTAssertEqual(bufferevent_add_to_rate_limit_group(bev, grp), 0)
        let loop = LoopThread(base)
        let g = RateGroup.from(grp)
        XCTAssertEqual(bufferevent_rate_limit_group_decrement_read(grp, 1_000_000), 0)
        XCTAssertTrue(groupSuspendsReading(bev))
        let seen = withMemberHeld(bev) {
            // Resuming cannot lock the member: it is left for the refill.
            XCTAssertEqual(bufferevent_rate_limit_group_decrement_read(grp, -1_000_000), 0)
            g.locked {
                XCTAssertFalse(g.readSuspended)
                XCTAssertTrue(g.pendingUnsuspendRead)
            }
        }
        XCTAssertEqual(seen, true, "the member was resumed although its lock was held")
        var resumed = false
        for _ in 0..<500 where !resumed {
            usleep(10_000)
            resumed = !groupSuspendsReading(bev) && !g.locked { g.pendingUnsuspendRead }
        }
        XCTAssertTrue(resumed, "the refill did not resume the member")
        guard loop.stop() else { return }
        XCTAssertEqual(bufferevent_remove_from_rate_limit_group(bev), 0)
        bufferevent_free(bev)
        bufferevent_rate_limit_group_free(grp)
        ev_token_bucket_cfg_free(cfg)
        event_base_free(base)
    }

    func testBusyMemberSuspendsItselfWhenItNextAsksForItsShare() {
        let base = newBase()
        let (grp, cfg) = makeGroup(base, tickMs: 20)
        let pair = SocketPair()
        let bev = bufferevent_socket_new(base, pair.a, BevOpt.threadsafe)!
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        XCTAssertEqual(bufferevent_add_to_rate_limit_group(bev, grp), 0)
        let loop = LoopThread(base)
        let seen = withMemberHeld(bev) {
            XCTAssertEqual(bufferevent_rate_limit_group_decrement_read(grp, 1_000_000), 0)
        }
        XCTAssertEqual(seen, false, "the member was suspended although its lock was held")
        XCTAssertFalse(groupSuspendsReading(bev))
        XCTAssertEqual(bufferevent_get_max_to_read(bev), 0)
        XCTAssertTrue(groupSuspendsReading(bev), "the member did not notice the group was suspended")
        XCTAssertEqual(bufferevent_rate_limit_group_decrement_read(grp, -1_000_000), 0)
        XCTAssertFalse(groupSuspendsReading(bev))
        guard loop.stop() else { return }
        XCTAssertEqual(bufferevent_remove_from_rate_limit_group(bev), 0)
        bufferevent_free(bev)
        bufferevent_rate_limit_group_free(grp)
        ev_token_bucket_cfg_free(cfg)
        event_base_free(base)
    }

    func testGroupFreedWithMembersWhoseLockIsBusy() {
        let base = newBase()
        let (grp, cfg) = makeGroup(base, tickMs: 20)
        let pair = SocketPair()
        let bev = bufferevent_socket_new(base, pair.a, BevOpt.threadsafe)!
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        XCTAssertEqual(bufferevent_add_to_rate_limit_group(bev, grp), 0)
        XCTAssertEqual(bufferevent_rate_limit_group_decrement_read(grp, 1_000_000), 0)
        let loop = LoopThread(base)
        // libevent asserts here; we take the member out (once its lock is
        // free) and resume it.
        let freed = Monitor()
        var done = false
        var freer: TestThread? = nil
        _ = withMemberHeld(bev) {
            freer = TestThread {
                bufferevent_rate_limit_group_free(grp)
                freed.update { done = true }
            }
            usleep(20_000)
            XCTAssertFalse(freed.locked { done }, "the group was freed without its member's lock")
        }
        // The member's lock is free again: the free finishes.
        XCTAssertTrue(freed.wait { done })
        freer?.join()
        XCTAssertFalse(groupSuspendsReading(bev))
        bufferevent_lock(bev)
        XCTAssertNil(BufferEvent.from(bev).rate?.group)
        bufferevent_unlock(bev)
        guard loop.stop() else { return }
        bufferevent_free(bev)
        ev_token_bucket_cfg_free(cfg)
        event_base_free(base)
    }
}
