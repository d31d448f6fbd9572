import XCTest
import CEventSys
@testable import Event

/// Bufferevents of a kind from another library (struct bufferevent_ops,
/// OpsBufferEvent): the core calls the table for enable / disable / fd /
/// underlying / unlink / destruct, and runs callbacks, watermarks and
/// finalization itself, through libevent's internal names.
nonisolated(unsafe) private var log: [String] = []
nonisolated(unsafe) private var fakeFd: Int32 = -1
nonisolated(unsafe) private var fakeUnder: BevPtr? = nil

private let kindOps: UnsafeMutablePointer<bufferevent_ops> = {
    let p = UnsafeMutablePointer<bufferevent_ops>.allocate(capacity: 1)
    p.initialize(to: bufferevent_ops())
    p.pointee.enable = { _, ev in log.append("enable \(ev)"); return 0 }
    p.pointee.disable = { _, ev in log.append("disable \(ev)"); return 0 }
    p.pointee.unlink = { _ in log.append("unlink") }
    p.pointee.destruct = { _ in log.append("destruct") }
    p.pointee.get_fd = { _ in fakeFd }
    p.pointee.set_fd = { _, fd in log.append("set_fd \(fd)"); fakeFd = fd; return 0 }
    p.pointee.get_underlying = { _ in fakeUnder }
    return p
}()

final class KindOpsTests: XCTestCase {
    var base: OpaquePointer!

    override func setUp() {
        base = event_base_new()
        log = []
        fakeFd = -1
        fakeUnder = nil
    }

    override func tearDown() { event_base_free(base) }

    private func make(_ ctx: UnsafeMutableRawPointer? = nil, options: Int32 = 0) -> (BevPtr, Int) {
        var offset = 0
        let bev = bufferevent_init_common_(base, kindOps, options, ctx, &offset)!
        return (bev, offset)
    }

    func testContextSlotAndTable() {
        let ctx = UnsafeMutableRawPointer(bitPattern: 0x1234)!
        let (bev, offset) = make(ctx)
        XCTAssertEqual(bev.pointee.be_ops, UnsafePointer(kindOps))
        XCTAssertEqual((UnsafeMutableRawPointer(bev) + offset).load(as: UnsafeMutableRawPointer?.self), ctx)
        XCTAssertGreaterThanOrEqual(offset, MemoryLayout<bufferevent>.size)
        XCTAssertEqual(bufferevent_get_enabled(bev), EV.write)
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
        XCTAssertEqual(log, ["unlink", "destruct"])
    }

    func testEnableDisableAndSuspensionReachTheKind() {
        let (bev, _) = make()
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        XCTAssertEqual(bufferevent_disable(bev, EV.read), 0)
        bufferevent_suspend_read_(bev, 0x10)
        // Enabling while suspended only records the wish.
        XCTAssertEqual(bufferevent_enable(bev, EV.read), 0)
        bufferevent_unsuspend_read_(bev, 0x10)
        XCTAssertEqual(log, ["enable 2", "disable 2", "disable 2", "enable 2"])
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
    }

    func testFdAndConnectGoThroughTheTable() {
        let (bev, _) = make()
        XCTAssertEqual(bufferevent_getfd(bev), -1)
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        XCTAssertEqual(bufferevent_setfd(bev, fds[0]), 0)
        XCTAssertEqual(bufferevent_getfd(bev), fds[0])
        // bufferevent_socket_connect accepts a kind with an fd (no address:
        // the fd is taken as connecting).
        XCTAssertEqual(bufferevent_socket_connect(bev, nil, 0), 0)
        XCTAssertEqual(log.filter { $0.hasPrefix("set_fd") }, ["set_fd \(fds[0])", "set_fd \(fds[0])"])
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
        close(fds[0])
        close(fds[1])
    }

    func testReadCallbackDeferredAndImmediate() {
        let (bev, _) = make()
        var calls = 0
        let box = Unmanaged.passRetained(Counter { calls += 1 })
        bufferevent_setcb(bev, { _, arg in Unmanaged<Counter>.fromOpaque(arg!).takeUnretainedValue().hit() }, nil, nil, box.toOpaque())
        bufferevent_run_readcb_(bev, 0)
        XCTAssertEqual(calls, 1)
        bufferevent_run_readcb_(bev, BevOpt.deferCallbacks)
        XCTAssertEqual(calls, 1)
        _ = event_base_loop(base, 2)
        XCTAssertEqual(calls, 2)
        // Watermark rule of bufferevent_trigger_nolock_: below the low mark, nothing.
        bufferevent_setwatermark(bev, EV.read, 4, 0)
        BufferEvent.from(bev).trigger(EV.read, 0)
        XCTAssertEqual(calls, 2)
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
        box.release()
    }

    func testCloseOnFreeFreesTheUnderlyingAndTheReferenceIsDropped() {
        var pair: [BevPtr?] = [nil, nil]
        XCTAssertEqual(bufferevent_pair_new(base, 0, &pair), 0)
        fakeUnder = pair[0]
        bufferevent_incref(pair[0])  // the kind's reference
        let (bev, _) = make(nil, options: BevOpt.closeOnFree)
        XCTAssertEqual(bufferevent_get_underlying(bev), pair[0])
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
        XCTAssertEqual(log, ["unlink", "destruct"])
        // pair[0] was freed by the close-on-free rule and released by the core.
        bufferevent_free(pair[1])
        _ = event_base_loop(base, 2)
    }

    func testRateLimitChargesThroughTheInternalNames() {
        let (bev, _) = make()
        XCTAssertEqual(bufferevent_get_read_max_(bev), 16384)
        let cfg = ev_token_bucket_cfg_new(1000, 1000, 1000, 1000, nil)
        XCTAssertEqual(bufferevent_set_rate_limit(bev, cfg), 0)
        XCTAssertEqual(bufferevent_get_read_max_(bev), 1000)
        XCTAssertEqual(bufferevent_decrement_read_buckets_(bev, 1000), 0)
        XCTAssertEqual(bufferevent_get_read_max_(bev), 0)
        XCTAssertTrue(log.contains("disable 2"))  // suspended for bandwidth
        bufferevent_free(bev)
        _ = event_base_loop(base, 2)
        ev_token_bucket_cfg_free(cfg)
    }
}

private final class Counter {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
    func hit() { body() }
}
