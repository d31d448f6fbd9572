import XCTest
import CEventSys
@testable import Event

/// Signal events: the handler writes to a pipe, the loop turns bytes into calls.
final class SignalsTests: XCTestCase {
    private var base: EventBase!
    private var pool = EventPool()
    private var rec = Recorder()
    private var saved = sigaction()

    /// Stands for whatever handler the program had before (never called:
    /// the library's handler replaces it while events are added).
    private static let previousHandler: @convention(c) (Int32) -> Void = { _ in }

    private static func handlerAddress(_ sig: Int32) -> UnsafeRawPointer? {
        var sa = sigaction()
        XCTAssertEqual(sigaction(sig, nil, &sa), 0)
        return unsafeBitCast(sa.__sigaction_handler.sa_handler, to: UnsafeRawPointer?.self)
    }

    private static let previousAddress = unsafeBitCast(previousHandler, to: UnsafeRawPointer?.self)
    private static let libraryAddress = unsafeBitCast(Signals.handler, to: UnsafeRawPointer?.self)

    override func setUp() {
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = SignalsTests.previousHandler
        XCTAssertEqual(sigaction(SIGUSR1, &sa, &saved), 0)
        base = makeBase()
    }

    override func tearDown() {
        base?.destroy(runFinalizers: true)
        base = nil
        pool = EventPool()
        rec = Recorder()
        XCTAssertEqual(sigaction(SIGUSR1, &saved, nil), 0)
    }

    private func signalEvent(_ events: Int16 = EV.signal | EV.persist, id: Int = 1,
                             action: ((Int32, Int16) -> Void)? = nil) -> EventPtr {
        base.setUp(pool.make(), fd: SIGUSR1, events: events, recorder: rec, id: id, action: action)
    }

    func testRaiseDeliversToThePersistentEvent() {
        let ev = signalEvent()
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.libraryAddress)
        XCTAssertEqual(base.pending(ev, what: EV.signal, tvOut: nil), Int32(EV.signal))
        XCTAssertEqual(base.eventCount, 1, "the internal pipe event is not counted")

        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: SIGUSR1, what: EV.signal)])

        // Two deliveries before the loop runs: the callback runs twice.
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.calls.count, 3)
        XCTAssertEqual(base.pending(ev, what: EV.signal, tvOut: nil), Int32(EV.signal), "persistent: still added")
    }

    func testDelRestoresThePreviousHandler() {
        let ev = signalEvent()
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertNotEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
        XCTAssertEqual(base.del(ev, mode: .autoBlock), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
        XCTAssertEqual(base.eventCount, 0)
        // Adding again takes the signal over again.
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.libraryAddress)
    }

    func testHandlerStaysUntilTheLastEventOnTheSignalGoes() {
        let a = signalEvent(id: 1), b = signalEvent(id: 2)
        XCTAssertEqual(base.add(a, timeout: nil), 0)
        XCTAssertEqual(base.add(b, timeout: nil), 0)
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(base.loop(flags: EventBase.LoopFlag.once), 0)
        XCTAssertEqual(rec.ids, [2, 1], "both run, newest first")
        XCTAssertEqual(base.del(a, mode: .autoBlock), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.libraryAddress)
        XCTAssertEqual(base.del(b, mode: .autoBlock), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
    }

    func testNonPersistentSignalEventFiresOnceAndRestores() {
        let ev = signalEvent(EV.signal)
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(base.loop(flags: 0), 1, "no events left after it ran")
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: SIGUSR1, what: EV.signal)])
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
    }

    func testDelInsideTheCallbackStopsRemainingCalls() {
        var ev: EventPtr! = nil
        ev = signalEvent { [unowned self] _, _ in _ = self.base.del(ev, mode: .autoBlock) }
        XCTAssertEqual(base.add(ev, timeout: nil), 0)
        for _ in 0..<3 { XCTAssertEqual(raise(SIGUSR1), 0) }
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.calls.count, 1, "event_del cancels the pending repetitions")
    }

    func testSignalWithTimeoutGetsTimeout() {
        let ev = signalEvent(EV.signal)
        XCTAssertEqual(base.add(ev, timeout: tv(ms: 5)), 0)
        XCTAssertEqual(base.loop(flags: 0), 1)
        XCTAssertEqual(rec.calls, [Call(id: 1, fd: SIGUSR1, what: EV.timeout)])
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
    }

    func testDestroyRestoresHandlers() {
        XCTAssertEqual(base.add(signalEvent(), timeout: nil), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.libraryAddress)
        base.destroy(runFinalizers: true)
        base = nil
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
        XCTAssertNil(Signals.owner)
    }

    func testTheBaseThatAddedOrLoopedLastGetsTheSignal() {
        let other = makeBase()!
        defer { other.destroy(runFinalizers: true) }
        let otherRec = Recorder()
        let mine = signalEvent(id: 1)
        let theirs = other.setUp(pool.make(), fd: SIGUSR1, events: EV.signal | EV.persist, recorder: otherRec, id: 2)
        XCTAssertEqual(base.add(mine, timeout: nil), 0)
        let (r, logs) = LogCapture.during { other.add(theirs, timeout: nil) }
        XCTAssertEqual(r, 0)
        XCTAssertTrue(logs.first?.contains("Only one can have signals at a time") == true, "\(logs)")

        let onePass = EventBase.LoopFlag.once | EventBase.LoopFlag.nonBlock
        // The later adder receives it.
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(other.loop(flags: onePass), 0)
        XCTAssertEqual(otherRec.ids, [2])
        // Starting a loop takes the signal over, for deliveries from then on.
        XCTAssertEqual(base.loop(flags: onePass), 0)
        XCTAssertEqual(rec.ids, [])
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(other.loop(flags: onePass), 0)     // claims it back, but the byte went to `base`
        XCTAssertEqual(otherRec.ids, [2])
        XCTAssertEqual(base.loop(flags: onePass), 0)
        XCTAssertEqual(rec.ids, [1])
        // Each base saved the handler it replaced: undo in reverse order.
        XCTAssertEqual(other.del(theirs, mode: .autoBlock), 0)
        XCTAssertEqual(base.del(mine, mode: .autoBlock), 0)
        XCTAssertEqual(SignalsTests.handlerAddress(SIGUSR1), SignalsTests.previousAddress)
    }

    func testOutOfRangeSignalIsRefused() {
        let ev = base.setUp(pool.make(), fd: Int32(SignalMap.nsig), events: EV.signal, recorder: rec, id: 1)
        XCTAssertEqual(base.add(ev, timeout: nil), -1)
        XCTAssertEqual(base.eventCount, 0)
    }
}
