import XCTest
import CEventSys
@testable import Event

/// Token buckets: configuration checks and refill arithmetic.
final class BufferEventRateLimitTests: XCTestCase {
    func testConfigurationChecks() {
        XCTAssertNil(TokenBuckets.makeConfig(0, 10, 10, 10, nil))
        XCTAssertNil(TokenBuckets.makeConfig(11, 10, 10, 10, nil))
        XCTAssertNil(TokenBuckets.makeConfig(10, 10, 10, -1, nil))
        let c = TokenBuckets.makeConfig(10, 20, 30, 40, timeval(tv_sec: 0, tv_usec: 250_000))!
        XCTAssertEqual(c.pointee.msecPerTick, 250)
        XCTAssertEqual(c.pointee.readMaximum, 20)
        Memory.free(UnsafeMutableRawPointer(c))
        let d = TokenBuckets.makeConfig(1, 1, 1, 1, nil)!
        XCTAssertEqual(d.pointee.msecPerTick, 1000)
        Memory.free(UnsafeMutableRawPointer(d))
    }

    func testTicks() {
        let cfg = TokenBucketCfg(readRate: 1, readMaximum: 1, writeRate: 1, writeMaximum: 1,
                                 tickTimeout: timeval(tv_sec: 0, tv_usec: 100_000), msecPerTick: 100)
        XCTAssertEqual(TokenBuckets.tick(timeval(tv_sec: 10, tv_usec: 250_000), cfg), 102)
        var zero = cfg
        zero.msecPerTick = 0
        // libevent would divide by zero; we count milliseconds.
        XCTAssertEqual(TokenBuckets.tick(timeval(tv_sec: 1, tv_usec: 0), zero), 1000)
    }

    func testRefillCapsAtBurstWithoutOverflow() {
        let cfg = TokenBucketCfg(readRate: 100, readMaximum: 250, writeRate: Int.max / 2, writeMaximum: Int.max,
                                 tickTimeout: timeval(tv_sec: 1, tv_usec: 0), msecPerTick: 1000)
        var b = TokenBucket()
        b.start(cfg, tick: 5, reinitialize: false)
        XCTAssertEqual(b.readLimit, 100)
        b.readLimit = -50
        XCTAssertTrue(b.update(cfg, tick: 6))
        XCTAssertEqual(b.readLimit, 50)
        XCTAssertTrue(b.update(cfg, tick: 9))
        XCTAssertEqual(b.readLimit, 250)
        XCTAssertEqual(b.writeLimit, Int.max)
        XCTAssertFalse(b.update(cfg, tick: 9))
        // Time going backwards adds nothing.
        XCTAssertFalse(b.update(cfg, tick: 3))
        var smaller = cfg
        smaller.readMaximum = 120
        b.start(smaller, tick: 20, reinitialize: true)
        XCTAssertEqual(b.readLimit, 120)
        XCTAssertEqual(b.lastUpdated, 9)
    }
}
