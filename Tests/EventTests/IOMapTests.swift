import XCTest
import CEventSys
@testable import Event

final class IOMapTests: XCTestCase {
    func testEmptyMapHasNoSlots() {
        let map = IOMap()
        XCTAssertEqual(map.count, 0)
        XCTAssertNil(map.slot(0))
        XCTAssertNil(map.slot(-1))
    }

    func testSlotCreatingStartsAt32FreshSlots() {
        var map = IOMap()
        defer { map.release() }
        let s = map.slotCreating(5)
        XCTAssertEqual(map.count, 32)
        XCTAssertEqual(s, map.slot(5))
        for fd in 0..<32 {
            let slot = map.slot(Int32(fd))!.pointee
            XCTAssertNil(slot.events.first)
            XCTAssertEqual(slot.nread + slot.nwrite + slot.nclose, 0)
            XCTAssertEqual(slot.backendIndex, -1)
            XCTAssertEqual(slot.mask, 0)
        }
        XCTAssertNil(map.slot(32))
    }

    func testGrowthDoublesAndKeepsContents() {
        var map = IOMap()
        defer { map.release() }
        let s = map.slotCreating(3)!
        s.pointee.nread = 2
        s.pointee.backendIndex = 7
        XCTAssertNotNil(map.slotCreating(32))   // fd == count: one doubling
        XCTAssertEqual(map.count, 64)
        XCTAssertNotNil(map.slotCreating(200))  // 64 -> 128 -> 256
        XCTAssertEqual(map.count, 256)
        XCTAssertEqual(map.slot(3)?.pointee.nread, 2)
        XCTAssertEqual(map.slot(3)?.pointee.backendIndex, 7)
        for fd in 64..<256 { XCTAssertEqual(map.slot(Int32(fd))?.pointee.backendIndex, -1) }
        XCTAssertNotNil(map.slotCreating(100))  // within range: no growth
        XCTAssertEqual(map.count, 256)
    }

    func testReleaseForgetsEverything() {
        var map = IOMap()
        _ = map.slotCreating(40)
        map.release()
        XCTAssertEqual(map.count, 0)
        XCTAssertNil(map.slots)
        XCTAssertNil(map.slot(1))
    }

    func testMaskFollowsCounters() {
        var slot = FdSlot()
        XCTAssertEqual(slot.mask, 0)
        slot.nread = 1
        XCTAssertEqual(slot.mask, EV.read)
        slot.nwrite = 3
        XCTAssertEqual(slot.mask, EV.read | EV.write)
        slot.nclose = 1
        slot.nread = 0
        XCTAssertEqual(slot.mask, EV.write | EV.closed)
    }

    func testSignalMapBounds() {
        let map = SignalMap()
        defer { map.release() }
        XCTAssertNotNil(map.slot(0))
        XCTAssertNotNil(map.slot(Int32(SignalMap.nsig - 1)))
        XCTAssertNil(map.slot(Int32(SignalMap.nsig)))
        XCTAssertNil(map.slot(-1))
        for sig in 0..<SignalMap.nsig { XCTAssertNil(map.slot(Int32(sig))!.pointee.first) }
    }

    /// The base keeps per-direction counts in the fd's slot and tells the
    /// backend only on 0 <-> 1 transitions (mapAdd/mapDel return 1 then).
    func testBaseCountsPerDirectionAndReportsTransitions() {
        guard let base = makeBase() else { return }
        defer { base.destroy(runFinalizers: true) }
        let pool = EventPool(), rec = Recorder(), sp = SocketPair()
        let r1 = base.setUp(pool.make(), fd: sp.a, events: EV.read, recorder: rec, id: 1)
        let r2 = base.setUp(pool.make(), fd: sp.a, events: EV.read | EV.write, recorder: rec, id: 2)
        let c3 = base.setUp(pool.make(), fd: sp.a, events: EV.closed, recorder: rec, id: 3)

        XCTAssertEqual(base.mapAdd(r1), 1)     // read: 0 -> 1
        XCTAssertEqual(base.mapAdd(r2), 1)     // write: 0 -> 1
        XCTAssertEqual(base.mapAdd(c3), 1)     // closed: 0 -> 1
        let slot = base.io.slot(sp.a)!
        XCTAssertEqual(slot.pointee.nread, 2)
        XCTAssertEqual(slot.pointee.nwrite, 1)
        XCTAssertEqual(slot.pointee.nclose, 1)
        XCTAssertEqual(slot.pointee.mask, EV.read | EV.write | EV.closed)
        XCTAssertEqual(slot.pointee.events.first, c3, "newest first")

        XCTAssertEqual(base.mapDel(r1), 0)     // read still wanted by r2: no transition
        XCTAssertEqual(slot.pointee.nread, 1)
        XCTAssertEqual(base.mapDel(r2), 1)
        XCTAssertEqual(slot.pointee.mask, EV.closed)
        XCTAssertEqual(base.mapDel(c3), 1)
        XCTAssertEqual(slot.pointee.mask, 0)
        XCTAssertNil(slot.pointee.events.first)
        // An fd the map never saw cannot be deleted.
        let stray = base.setUp(pool.make(), fd: 4000, events: EV.read, recorder: rec, id: 4)
        XCTAssertEqual(base.mapDel(stray), -1)
    }
}
