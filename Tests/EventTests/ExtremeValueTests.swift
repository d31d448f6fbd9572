import XCTest
import CEventSys
@testable import Event

/// The helpers that keep values from C (timevals, size_t lengths,
/// watermarks) from trapping: libevent's wrapping timeval arithmetic, the
/// saturating deadline key, unsigned watermark comparison, size_t lengths.
final class ExtremeValueTests: XCTestCase {
    private func tv(_ s: Int, _ u: Int) -> timeval { timeval(tv_sec: s, tv_usec: u) }
    /// The largest tv_sec whose whole seconds fit in microseconds.
    private let limit = Int(Micros.max / 1_000_000)

    private func assertTv(_ t: timeval, _ s: Int, _ u: Int, _ msg: String = "", line: UInt = #line) {
        XCTAssertEqual(t.tv_sec, s, "tv_sec " + msg, line: line)
        XCTAssertEqual(t.tv_usec, u, "tv_usec " + msg, line: line)
    }

    func testTvAddNormalisesOnceLikeEvutilTimeradd() {
        assertTv(tvAdd(tv(1, 600_000), tv(2, 500_000)), 4, 100_000)
        assertTv(tvAdd(tv(1, 0), tv(0, 2_500_000)), 2, 1_500_000, "only one carry")
        assertTv(tvAdd(tv(5, 10), tv(0, -20)), 5, -10, "no borrow on add")
        assertTv(tvSub(tv(5, 100), tv(2, 200)), 2, 999_900)
        assertTv(tvSub(tv(0, 0), tv(0, 2_000_000)), -1, -1_000_000, "only one borrow")
    }

    func testTvAddWrapsInsteadOfTrapping() {
        assertTv(tvAdd(tv(100, 0), tv(Int.max, 0)), Int.min + 99, 0, "deadline past LONG_MAX wraps negative")
        assertTv(tvAdd(tv(Int.max, 999_999), tv(0, 1)), Int.min, 0, "the carry wraps too")
        assertTv(tvAdd(tv(7, 5), tv(0, Int.max)), 7, Int.min + 4, "tv_usec wraps without a carry")
        assertTv(tvAdd(tv(-1, 0), tv(Int.min, 0)), Int.max, 0)
        assertTv(tvSub(tv(Int.min, 0), tv(1, 0)), Int.max, 0)
        assertTv(tvSub(tv(0, Int.min), tv(0, 1)), 0, Int.max, "tv_usec wraps positive: no borrow")
    }

    func testMicrosOfNormalisedTimevals() {
        XCTAssertEqual(micros(tv(0, 0)), 0)
        XCTAssertEqual(micros(tv(3, 250_000)), 3_250_000)
        XCTAssertEqual(micros(tv(-2, 500_000)), -1_500_000)
        XCTAssertEqual(micros(tv(limit, 775_807)), Micros.max, "the largest exact value")
        XCTAssertEqual(micros(tv(-limit - 1, 224_192)), Micros.min)
    }

    func testMicrosSaturatesHugeSeconds() {
        XCTAssertEqual(micros(tv(Int.max, 0)), Micros.max)
        XCTAssertEqual(micros(tv(Int.max, Int.min)), Micros.max)
        XCTAssertEqual(micros(tv(limit + 1, 0)), Micros.max)
        XCTAssertEqual(micros(tv(limit, 775_808)), Micros.max, "the sum overflows")
        XCTAssertEqual(micros(tv(limit, -1)), Micros(limit) * 1_000_000, "clamped, then exact")
        XCTAssertEqual(micros(tv(limit, 2_000_000)), Micros.max, "clamped to the next second: too far")
        XCTAssertEqual(micros(tv(Int.min, 0)), Micros.min)
        XCTAssertEqual(micros(tv(Int.min, Int.max)), Micros.min)
        XCTAssertEqual(micros(tv(-limit - 2, 0)), Micros.min)
        XCTAssertEqual(micros(tv(-limit, 0)), -Micros(limit) * 1_000_000)
    }

    /// tv_usec outside 0..<1_000_000 orders like libevent's (sec, usec)
    /// comparison against any normalised time.
    func testMicrosClampsUsecToTheLexicographicOrder() {
        XCTAssertEqual(micros(tv(5, -1)), 5_000_000, "negative usec: the start of that second")
        XCTAssertEqual(micros(tv(5, Int.min)), 5_000_000)
        XCTAssertEqual(micros(tv(5, 1_000_000)), 6_000_000)
        XCTAssertEqual(micros(tv(5, 2_000_000)), 6_000_000, "due once the next second starts")
        XCTAssertEqual(micros(tv(5, Int.max)), 6_000_000)
        // Every deadline against every normalised `now`: micros agrees with
        // the lexicographic comparison.
        let deadlines = [tv(5, -1), tv(5, -999_999), tv(5, 1_000_000), tv(5, 1_500_000), tv(4, 3_000_000),
                         tv(5, Int.max), tv(5, Int.min), tv(5, 0), tv(5, 999_999)]
        let nows = [tv(4, 999_999), tv(5, 0), tv(5, 1), tv(5, 500_000), tv(5, 999_999), tv(6, 0), tv(6, 1)]
        for d in deadlines {
            for n in nows {
                let due = !tvLess(n, d)
                XCTAssertEqual(micros(d) <= micros(n), due, "deadline \(d.tv_sec).\(d.tv_usec) now \(n.tv_sec).\(n.tv_usec)")
            }
        }
    }

    func testWatermarksCompareUnsigned() {
        XCTAssertTrue(reaches(10, 5))
        XCTAssertTrue(reaches(5, 5))
        XCTAssertFalse(reaches(4, 5))
        XCTAssertFalse(reaches(Int.max, -1), "SIZE_MAX is never reached")
        XCTAssertFalse(reaches(0, Int.min), "nor SSIZE_MAX + 1")
        XCTAssertTrue(reaches(-1, 7), "a SIZE_MAX low mark for the write side: everything is at or under it")
        XCTAssertTrue(reaches(0, 0))
    }

    func testSizeArguments() {
        XCTAssertEqual(bufferSize(0), 0)
        XCTAssertEqual(bufferSize(42), 42)
        XCTAssertEqual(bufferSize(-1), Int.max, "SIZE_MAX: more than any buffer holds")
        XCTAssertEqual(bufferSize(Int.min), Int.max)
        XCTAssertEqual(needleLength(5), 5)
        XCTAssertEqual(needleLength(-1), 0, "a needle beyond ssize_t is searched like an empty one")
        XCTAssertEqual(needleLength(Int.min), 0)
    }

    func testTimeoutMillisNeverOverflows() {
        XCTAssertEqual(timeoutMillis(nil), -1)
        XCTAssertEqual(timeoutMillis(0), 0)
        XCTAssertEqual(timeoutMillis(-5), 0)
        XCTAssertEqual(timeoutMillis(1), 1, "rounded up")
        XCTAssertEqual(timeoutMillis(Micros.max), 35 * 60 * 1000)
        XCTAssertEqual(timeoutMillis(Micros.max - 500, cap: Int64(Int32.max)), Int32.max)
    }

    /// The interval is kept as given (libevent adds it to the clock as is,
    /// so a huge one wraps into the past and each round stops after one
    /// callback); a negative tv_sec means no limit.
    func testMaxDispatchIntervalKeepsTheTimeval() {
        let cfg = EventConfig()
        cfg.setMaxDispatchInterval(tv(Int.max, 999_999), callbacks: -1, minPriority: 0)
        assertTv(cfg.maxDispatchInterval, Int.max, 999_999)
        let base = EventBase.create(config: cfg)!
        defer { base.destroy(runFinalizers: true) }
        assertTv(base.maxDispatchTime, Int.max, 999_999)
        XCTAssertEqual(base.limitCallbacksAfterPriority, 0)
        cfg.setMaxDispatchInterval(tv(-5, 0), callbacks: -1, minPriority: 0)
        let unlimited = EventBase.create(config: cfg)!
        defer { unlimited.destroy(runFinalizers: true) }
        XCTAssertEqual(unlimited.limitCallbacksAfterPriority, Int.max, "negative interval, no callback limit")
    }

    /// A common-timeout duration with a negative tv_usec cannot carry the
    /// queue marker: refused (libevent asserts).
    func testCommonTimeoutRefusesNegativeUsec() {
        let base = EventBase.create(config: nil)!
        defer { base.destroy(runFinalizers: true) }
        XCTAssertNil(base.initCommonTimeout(tv(1, -1)))
        let huge = base.initCommonTimeout(tv(Int.max, 2_000_000))
        XCTAssertNotNil(huge, "seconds wrap like libevent's normalisation")
        XCTAssertEqual(huge?.pointee.tv_sec, Int.min + 1)
    }
}
