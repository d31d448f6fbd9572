import XCTest
import CEventSys
@testable import Event

/// Deterministic 64-bit generator (SplitMix64) for the property tests.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

final class TimerHeapTests: XCTestCase {
    private var pool = EventPool()
    private var heap = TimerHeap()

    override func tearDown() {
        heap.release()
        pool = EventPool()
    }

    /// The heap property holds and every event knows its slot.
    private func checkInvariants(file: StaticString = #filePath, line: UInt = #line) {
        for i in 0..<heap.count {
            XCTAssertEqual(Int(heap[i].event.heapIndex), i, "heap index not written back", file: file, line: line)
            if i > 0 {
                XCTAssertLessThanOrEqual(heap[(i - 1) / 2].deadline, heap[i].deadline, "heap order", file: file, line: line)
            }
        }
    }

    private func push(_ deadlines: [Micros]) -> [EventPtr] {
        deadlines.map { d in
            let ev = pool.make()
            XCTAssertTrue(heap.push(ev, deadline: d))
            return ev
        }
    }

    private func popAll() -> [Micros] {
        var out: [Micros] = []
        while let top = heap.top {
            let ev = heap.popTop()
            XCTAssertEqual(ev, top.event)
            XCTAssertEqual(ev?.heapIndex, -1)
            out.append(top.deadline)
            checkInvariants()
        }
        return out
    }

    func testEmptyHeap() {
        XCTAssertTrue(heap.isEmpty)
        XCTAssertNil(heap.top)
        XCTAssertNil(heap.popTop())
        let ev = pool.make()
        ev.heapIndex = -1
        XCTAssertFalse(heap.erase(ev))
    }

    func testPopsInDeadlineOrder() {
        let deadlines: [Micros] = [50, 10, 40, 30, 20, 70, 60, 5, 100, 1]
        _ = push(deadlines)
        XCTAssertEqual(heap.count, deadlines.count)
        checkInvariants()
        XCTAssertEqual(heap.top?.deadline, 1)
        XCTAssertEqual(popAll(), deadlines.sorted())
        XCTAssertTrue(heap.isEmpty)
    }

    func testEqualDeadlinesPopInLibeventOrder() {
        // Equal keys never move on push, so the array is 0...7. Each pop moves
        // the last slot to the root, where it stays (a child must be strictly
        // smaller to displace it): 0, then 7, 6, ... 1. Real libevent does the same.
        let evs = push(Array(repeating: 1000, count: 8))
        var order: [Int] = []
        while let ev = heap.popTop() { order.append(evs.firstIndex(of: ev)!) }
        XCTAssertEqual(order, [0, 7, 6, 5, 4, 3, 2, 1])
    }

    func testEqualDeadlinesAfterSmallerOnes() {
        // Ties also keep libevent's sift rule under a smaller root: the right
        // child wins a tie when sifting down.
        let evs = push([1, 5, 5, 5, 5])
        heap.popTop()
        XCTAssertEqual(heap.top?.event, evs[4])
        var order: [Int] = []
        while let ev = heap.popTop() { order.append(evs.firstIndex(of: ev)!) }
        XCTAssertEqual(order, [4, 3, 2, 1])
        // A larger last element sinks through equal children to the right.
        let more = push([1, 5, 5, 9])
        var order2: [Int] = []
        while let ev = heap.popTop() { order2.append(more.firstIndex(of: ev)!) }
        XCTAssertEqual(order2, [0, 2, 1, 3])
    }

    func testEraseFromEveryPosition() {
        var rng = SplitMix(state: 42)
        for n in [1, 2, 3, 7, 8, 15, 16, 33] {
            for pos in 0..<n {
                let deadlines = (0..<n).map { _ in Micros(rng.below(20)) }
                _ = push(deadlines)
                let victim = heap[pos]
                XCTAssertTrue(heap.erase(victim.event))
                XCTAssertEqual(victim.event.heapIndex, -1)
                XCTAssertEqual(heap.count, n - 1)
                checkInvariants()
                var expected = deadlines.sorted()
                expected.remove(at: expected.firstIndex(of: victim.deadline)!)
                XCTAssertEqual(popAll(), expected, "n=\(n) pos=\(pos)")
                XCTAssertFalse(heap.erase(victim.event), "erasing twice must fail")
            }
        }
    }

    func testEraseSiftsUpWhenLastIsSmallerThanParent() {
        // Pushed in this order the array is exactly [1, 10, 2, 11, 12, 3, 4].
        let evs = push([1, 10, 2, 11, 12, 3, 4])
        XCTAssertEqual((0..<7).map { heap[$0].deadline }, [1, 10, 2, 11, 12, 3, 4])
        // Removing 11 (slot 3) moves 4 into slot 3, below 10: it must rise.
        XCTAssertTrue(heap.erase(evs[3]))
        XCTAssertEqual(heap[1].event, evs[6])
        XCTAssertEqual(evs[6].heapIndex, 1)
        XCTAssertEqual(heap[3].event, evs[1])
        checkInvariants()
        XCTAssertEqual(popAll(), [1, 2, 3, 4, 10, 12])
    }

    func testEraseLastSlotAndRoot() {
        let evs = push([3, 1, 2])
        XCTAssertTrue(heap.erase(heap[heap.count - 1].event))
        checkInvariants()
        XCTAssertTrue(heap.erase(evs[1]))  // the root
        checkInvariants()
        XCTAssertEqual(popAll(), [3])
    }

    func testRandomOperationsMatchSortedReference() {
        var rng = SplitMix(state: 0x5eed)
        var reference: [(deadline: Micros, ev: EventPtr)] = []
        var idle = pool.make(64)
        for step in 0..<10_000 {
            let op = rng.below(4)
            if (op <= 1 || reference.isEmpty), let ev = idle.popLast() {
                let d = Micros(rng.below(1000))
                XCTAssertTrue(heap.push(ev, deadline: d))
                reference.append((d, ev))
            } else if op == 2 || idle.isEmpty {
                let minimum = reference.map(\.deadline).min()
                XCTAssertEqual(heap.top?.deadline, minimum, "step \(step)")
                guard let ev = heap.popTop() else { XCTFail("pop on non-empty heap"); return }
                let i = reference.firstIndex { $0.ev == ev }!
                XCTAssertEqual(reference[i].deadline, minimum, "step \(step)")
                reference.remove(at: i)
                idle.append(ev)
            } else {
                let i = rng.below(reference.count)
                XCTAssertTrue(heap.erase(reference[i].ev))
                idle.append(reference.remove(at: i).ev)
            }
            XCTAssertEqual(heap.count, reference.count)
            if step % 97 == 0 { checkInvariants() }
        }
        checkInvariants()
        XCTAssertEqual(popAll(), reference.map(\.deadline).sorted())
    }

    func testReserveKeepsStorageStableAndGrowthPreservesContents() {
        XCTAssertTrue(heap.reserve(100))
        let storage = heap.slots
        XCTAssertNotNil(storage)
        XCTAssertTrue(heap.reserve(50), "smaller request is a no-op")
        XCTAssertEqual(heap.slots, storage)
        let evs = pool.make(100)
        for (i, ev) in evs.enumerated() { XCTAssertTrue(heap.pushReserved(ev, deadline: Micros(100 - i))) }
        XCTAssertEqual(heap.slots, storage, "pushes within the reservation must not reallocate")
        // Past the reservation the heap grows on its own and keeps every entry.
        let more = pool.make(300)
        for (i, ev) in more.enumerated() { XCTAssertTrue(heap.pushReserved(ev, deadline: Micros(1000 + i))) }
        XCTAssertEqual(heap.count, 400)
        checkInvariants()
        let popped = popAll()
        XCTAssertEqual(popped, popped.sorted())
        XCTAssertEqual(popped.count, 400)
    }

    func testReleaseEmptiesAndHeapIsReusable() {
        _ = push([3, 2, 1])
        heap.release()
        XCTAssertTrue(heap.isEmpty)
        XCTAssertNil(heap.slots)
        _ = push([9, 8])
        XCTAssertEqual(popAll(), [8, 9])
    }
}
