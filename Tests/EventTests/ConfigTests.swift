import XCTest
import CEventSys
@testable import Event

/// event_config: which backend a base gets, and the dispatch limits it passes on.
final class ConfigTests: XCTestCase {
    private func config(avoid names: [String] = [], require features: Int32 = 0, flags: Int32 = BaseFlag.ignoreEnv) -> EventConfig {
        let cfg = EventConfig()
        for n in names { XCTAssertEqual(cfg.avoid(n), 0) }
        cfg.requiredFeatures = features
        cfg.flags = flags
        return cfg
    }

    /// The backend a config yields, or nil when no base could be made.
    private func kind(_ cfg: EventConfig) -> BackendKind? {
        let (base, _) = LogCapture.during { EventBase.create(config: cfg) }
        defer { base?.destroy(runFinalizers: true) }
        return base?.backend.kind
    }

    func testDefaultPrefersEpoll() {
        XCTAssertEqual(kind(config()), .epoll)
        let base = EventBase.create(config: nil)
        XCTAssertNotNil(base)
        base?.destroy(runFinalizers: true)
    }

    func testAvoidedMethodsAreSkippedInOrder() {
        XCTAssertEqual(kind(config(avoid: ["epoll"])), .poll)
        XCTAssertEqual(kind(config(avoid: ["epoll", "poll"])), .select)
        XCTAssertEqual(kind(config(avoid: ["poll"])), .epoll)
        XCTAssertEqual(kind(config(avoid: ["kqueue", "devpoll"])), .epoll, "unknown names change nothing")
        XCTAssertEqual(kind(config(avoid: ["EPOLL"])), .epoll, "names match exactly")
    }

    func testAvoidingEverythingGivesNil() {
        let (base, logs) = LogCapture.during { EventBase.create(config: config(avoid: ["epoll", "poll", "select"])) }
        XCTAssertNil(base)
        XCTAssertTrue(logs.contains { $0.contains("no event mechanism available") }, "\(logs)")
    }

    func testAvoidKeepsItsOwnCopy() {
        let cfg = EventConfig()
        var name: [CChar] = Array("epoll".utf8CString)
        XCTAssertEqual(cfg.avoid(&name), 0)
        name[0] = CChar(UInt8(ascii: "x"))
        XCTAssertTrue(cfg.avoids(.epoll))
        XCTAssertFalse(cfg.avoids(.poll))
    }

    func testRequiredFeaturesPickTheFirstBackendThatHasThem() {
        XCTAssertEqual(kind(config(require: Feature.et)), .epoll)
        XCTAssertEqual(kind(config(require: Feature.o1 | Feature.earlyClose)), .epoll)
        XCTAssertEqual(kind(config(require: Feature.fds)), .poll, "epoll cannot watch regular files")
        XCTAssertEqual(kind(config(require: Feature.fds | Feature.earlyClose)), .poll)
        XCTAssertEqual(kind(config(avoid: ["poll"], require: Feature.fds)), .select)
        XCTAssertEqual(kind(config(avoid: ["epoll"], require: Feature.earlyClose)), .poll)
    }

    func testImpossibleFeaturesGiveNil() {
        XCTAssertNil(kind(config(require: Feature.et | Feature.fds)))
        XCTAssertNil(kind(config(avoid: ["epoll"], require: Feature.et)))
        XCTAssertNil(kind(config(avoid: ["epoll", "poll"], require: Feature.earlyClose)))
        XCTAssertNil(kind(config(require: 0x100)), "a feature nobody has")
    }

    func testEnvironmentDisablesBackendsUnlessIgnored() {
        setenv("EVENT_NOEPOLL", "1", 1)
        defer { unsetenv("EVENT_NOEPOLL") }
        XCTAssertEqual(kind(config(flags: 0)), .poll)
        XCTAssertEqual(kind(config(flags: BaseFlag.ignoreEnv)), .epoll)
        setenv("EVENT_NOPOLL", "1", 1)
        defer { unsetenv("EVENT_NOPOLL") }
        XCTAssertEqual(kind(config(flags: 0)), .select)
    }

    func testPreciseTimerFlagChoosesTheFineClock() {
        let coarse = EventBase.create(config: config())!
        XCTAssertEqual(coarse.clockId, CLOCK_MONOTONIC_COARSE)
        coarse.destroy(runFinalizers: true)
        let precise = EventBase.create(config: config(flags: BaseFlag.ignoreEnv | BaseFlag.preciseTimer))!
        XCTAssertEqual(precise.clockId, CLOCK_MONOTONIC)
        precise.destroy(runFinalizers: true)
    }

    func testMaxDispatchIntervalSettings() {
        let cfg = EventConfig()
        cfg.setMaxDispatchInterval(tv(ms: 10), callbacks: 5, minPriority: 1)
        XCTAssertEqual(cfg.maxDispatchInterval.tv_sec, 0)
        XCTAssertEqual(cfg.maxDispatchInterval.tv_usec, 10_000)
        XCTAssertEqual(cfg.maxDispatchCallbacks, 5)
        XCTAssertEqual(cfg.limitCallbacksAfterPriority, 1)
        cfg.setMaxDispatchInterval(nil, callbacks: -1, minPriority: -3)
        XCTAssertEqual(cfg.maxDispatchInterval.tv_sec, -1)
        XCTAssertEqual(cfg.maxDispatchCallbacks, Int.max)
        XCTAssertEqual(cfg.limitCallbacksAfterPriority, 0)
        cfg.setMaxDispatchInterval(timeval(tv_sec: -1, tv_usec: 0), callbacks: 3, minPriority: 0)
        XCTAssertEqual(cfg.maxDispatchInterval.tv_sec, -1, "a negative interval means none")

        let base = EventBase.create(config: cfg)!
        defer { base.destroy(runFinalizers: true) }
        XCTAssertEqual(base.maxDispatchTime.tv_sec, -1)
        XCTAssertEqual(base.maxDispatchCallbacks, 3)
        XCTAssertEqual(base.limitCallbacksAfterPriority, 0)
        let unlimited = EventBase.create(config: config())!
        XCTAssertEqual(unlimited.limitCallbacksAfterPriority, Int.max, "no limits: nothing is limited")
        unlimited.destroy(runFinalizers: true)
    }

    /// With at most 2 callbacks per pass, the loop polls again after two and
    /// sees an fd that the first callback made readable; unlimited, it finishes
    /// the queue first.
    func testMaxDispatchCallbacksInterleavesPolling() {
        for (limit, expected) in [(Int32(2), [1, 2, 0, 3]), (Int32(-1), [1, 2, 3, 0])] {
            let cfg = config()
            cfg.setMaxDispatchInterval(nil, callbacks: limit, minPriority: 0)
            let base = EventBase.create(config: cfg)!
            XCTAssertEqual(base.setPriorities(2), 0)
            let pool = EventPool(), rec = Recorder(), sp = SocketPair()
            let reader = base.setUp(pool.make(), fd: sp.a, events: EV.read, recorder: rec, id: 0)
            reader.priority = 0
            XCTAssertEqual(base.add(reader, timeout: nil), 0)
            for id in 1...3 {
                let ev = base.setUp(pool.make(), fd: -1, events: 0, recorder: rec, id: id) { _, _ in
                    if id == 1 { SocketPair.poke(sp.b) }
                }
                ev.priority = 1
                base.activate(ev, res: EV.timeout, ncalls: 1)
            }
            XCTAssertEqual(base.loop(flags: 0), 1)
            XCTAssertEqual(rec.ids, expected, "limit \(limit)")
            base.destroy(runFinalizers: true)
        }
    }
}
