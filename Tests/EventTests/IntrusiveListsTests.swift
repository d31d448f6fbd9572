import XCTest
import CEventSys
@testable import Event

final class IntrusiveListsTests: XCTestCase {
    private var pool = EventPool()

    override func tearDown() { pool = EventPool() }

    // MARK: walking helpers (forward by `next`, backward by `prev`)

    private func forward(_ q: CallbackQueue) -> [CallbackPtr] {
        var out: [CallbackPtr] = []
        var c = q.first
        while let cb = c { out.append(cb); c = CallbackQueue.next(cb) }
        return out
    }

    private func forward(_ chain: EventChain) -> [EventPtr] {
        var out: [EventPtr] = []
        var e = chain.first
        while let ev = e { out.append(ev); e = EventChain.next(ev) }
        return out
    }

    private func forward(_ q: TimeoutQueue) -> [EventPtr] {
        var out: [EventPtr] = []
        var e = q.first
        while let ev = e { out.append(ev); e = TimeoutQueue.next(ev) }
        return out
    }

    private func backward(_ q: TimeoutQueue) -> [EventPtr] {
        var out: [EventPtr] = []
        var e = q.last
        while let ev = e { out.append(ev); e = TimeoutQueue.prev(ev) }
        return out
    }

    /// CallbackQueue keeps the previous element in tqe_prev; check both directions.
    private func checkQueue(_ q: CallbackQueue, _ expected: [EventPtr], file: StaticString = #filePath, line: UInt = #line) {
        let cbs = expected.map(\.callback)
        XCTAssertEqual(forward(q), cbs, file: file, line: line)
        XCTAssertEqual(q.first, cbs.first, file: file, line: line)
        XCTAssertEqual(q.last, cbs.last, file: file, line: line)
        XCTAssertEqual(q.isEmpty, cbs.isEmpty, file: file, line: line)
        for (i, cb) in cbs.enumerated() {
            let prev = cb.pointee.evcb_active_next.tqe_prev.map { UnsafeMutableRawPointer($0) }
            XCTAssertEqual(prev, i == 0 ? nil : UnsafeMutableRawPointer(cbs[i - 1]), "prev link of \(i)", file: file, line: line)
        }
    }

    // MARK: CallbackQueue

    func testCallbackQueueAppendIsFifo() {
        var q = CallbackQueue()
        XCTAssertTrue(q.isEmpty)
        let evs = pool.make(4)
        for ev in evs { q.append(ev.callback) }
        checkQueue(q, evs)
    }

    func testCallbackQueueRemoveHeadMiddleTail() {
        var q = CallbackQueue()
        let evs = pool.make(5)
        for ev in evs { q.append(ev.callback) }
        q.remove(evs[2].callback)                // middle
        checkQueue(q, [evs[0], evs[1], evs[3], evs[4]])
        XCTAssertNil(evs[2].callback.pointee.evcb_active_next.tqe_next)
        XCTAssertNil(evs[2].callback.pointee.evcb_active_next.tqe_prev)
        q.remove(evs[0].callback)                // head
        checkQueue(q, [evs[1], evs[3], evs[4]])
        q.remove(evs[4].callback)                // tail
        checkQueue(q, [evs[1], evs[3]])
        q.append(evs[0].callback)                // append after a tail removal
        checkQueue(q, [evs[1], evs[3], evs[0]])
        q.remove(evs[1].callback)
        q.remove(evs[3].callback)
        q.remove(evs[0].callback)
        checkQueue(q, [])
    }

    func testCallbackQueueRemoveFirst() {
        var q = CallbackQueue()
        let evs = pool.make(3)
        for ev in evs { q.append(ev.callback) }
        q.removeFirst(evs[0].callback)
        checkQueue(q, [evs[1], evs[2]])
        XCTAssertNil(evs[0].callback.pointee.evcb_active_next.tqe_next)
        q.removeFirst(evs[1].callback)
        checkQueue(q, [evs[2]])
        q.removeFirst(evs[2].callback)
        checkQueue(q, [])
        // Usable again after being emptied from the front.
        q.append(evs[1].callback)
        q.append(evs[0].callback)
        checkQueue(q, [evs[1], evs[0]])
    }

    func testSingleElementQueueRemove() {
        var q = CallbackQueue()
        let ev = pool.make()
        q.append(ev.callback)
        checkQueue(q, [ev])
        q.remove(ev.callback)
        checkQueue(q, [])
    }

    // MARK: EventChain

    func testEventChainPushesNewestFirst() {
        var chain = EventChain()
        let evs = pool.make(4)
        for ev in evs { chain.push(ev) }
        XCTAssertEqual(forward(chain), evs.reversed())
    }

    func testEventChainRemoveAnywhere() {
        var chain = EventChain()
        let evs = pool.make(5)
        for ev in evs { chain.push(ev) }          // order: 4 3 2 1 0
        chain.remove(evs[2])                      // middle
        XCTAssertEqual(forward(chain), [evs[4], evs[3], evs[1], evs[0]])
        XCTAssertNil(EventChain.next(evs[2]))
        chain.remove(evs[4])                      // head
        XCTAssertEqual(forward(chain), [evs[3], evs[1], evs[0]])
        chain.remove(evs[0])                      // tail
        XCTAssertEqual(forward(chain), [evs[3], evs[1]])
        chain.push(evs[2])                        // re-added goes first
        XCTAssertEqual(forward(chain), [evs[2], evs[3], evs[1]])
        // Removing the new head must fix the next element's back link, so a
        // later removal of that element updates `first`.
        chain.remove(evs[2])
        chain.remove(evs[3])
        XCTAssertEqual(chain.first, evs[1])
        chain.remove(evs[1])
        XCTAssertNil(chain.first)
    }

    // MARK: TimeoutQueue

    func testTimeoutQueueInsertFrontMiddleBack() {
        var q = TimeoutQueue()
        let evs = pool.make(4)
        q.insert(evs[1], after: nil)              // into empty
        q.insert(evs[3], after: evs[1])           // at the back
        q.insert(evs[0], after: nil)              // at the front
        q.insert(evs[2], after: evs[1])           // in the middle
        XCTAssertEqual(forward(q), evs)
        XCTAssertEqual(backward(q), evs.reversed())
        XCTAssertEqual(q.first, evs[0])
        XCTAssertEqual(q.last, evs[3])
    }

    func testTimeoutQueueRemove() {
        var q = TimeoutQueue()
        let evs = pool.make(5)
        var after: EventPtr? = nil
        for ev in evs { q.insert(ev, after: after); after = ev }
        q.remove(evs[2])
        XCTAssertEqual(forward(q), [evs[0], evs[1], evs[3], evs[4]])
        XCTAssertEqual(backward(q), [evs[4], evs[3], evs[1], evs[0]])
        XCTAssertNil(TimeoutQueue.next(evs[2]))
        XCTAssertNil(TimeoutQueue.prev(evs[2]))
        q.remove(evs[0])
        q.remove(evs[4])
        XCTAssertEqual(forward(q), [evs[1], evs[3]])
        XCTAssertEqual(backward(q), [evs[3], evs[1]])
        q.remove(evs[1])
        q.remove(evs[3])
        XCTAssertNil(q.first)
        XCTAssertNil(q.last)
    }

    func testCommonTimeoutInsertInOrderKeepsDeadlines() {
        // CommonTimeout.insertInOrder walks back from the tail with `prev`:
        // appends are the usual case, but an earlier deadline goes before.
        let base = EventBase()
        var ct = CommonTimeout(duration: timeval(), base: base)
        let evs = pool.make(5)
        let secs = [10, 20, 30, 15, 5]
        for (ev, s) in zip(evs, secs) {
            ev.pointee.ev_timeout = timeval(tv_sec: s, tv_usec: 0)
            ct.insertInOrder(ev)
        }
        XCTAssertEqual(forward(ct.queue).map { $0.pointee.ev_timeout.tv_sec }, [5, 10, 15, 20, 30])
        XCTAssertEqual(backward(ct.queue).map { $0.pointee.ev_timeout.tv_sec }, [30, 20, 15, 10, 5])
        // Equal deadlines keep insertion order (the newcomer goes after).
        let tie = pool.make()
        tie.pointee.ev_timeout = timeval(tv_sec: 15, tv_usec: 0)
        ct.insertInOrder(tie)
        XCTAssertEqual(forward(ct.queue)[3], tie)
        XCTAssertEqual(forward(ct.queue)[2], evs[3])
        base.destroy(runFinalizers: true)
    }
}
