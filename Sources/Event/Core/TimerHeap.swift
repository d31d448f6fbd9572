import CEventSys

/// Binary min-heap of timed events. Each slot caches the deadline next to the
/// event pointer so sifting never touches the events themselves (libevent's
/// heap compares through the pointer and misses cache at large sizes). The
/// sift rules are libevent's, so events with equal deadlines come out in the
/// same order, and the slot index is written back into ev_timeout_pos.
struct TimerHeap {
    struct Slot {
        var deadline: Micros
        var event: EventPtr
    }

    private(set) var slots: UnsafeMutablePointer<Slot>? = nil
    private(set) var count: Int = 0
    private var capacity: Int = 0

    @inline(__always) var isEmpty: Bool { count == 0 }

    @inline(__always) var top: Slot? { count > 0 ? slots![0] : nil }

    @inline(__always) subscript(i: Int) -> Slot { slots![i] }

    /// Make room for `n` entries; false on allocation failure.
    mutating func reserve(_ n: Int) -> Bool {
        if n <= capacity { return true }
        var newCap = capacity == 0 ? 8 : capacity * 2
        if newCap < n { newCap = n }
        guard let p: UnsafeMutablePointer<Slot> = Memory.grow(slots, from: capacity, to: newCap) else { return false }
        slots = p
        capacity = newCap
        return true
    }

    mutating func push(_ ev: EventPtr, deadline: Micros) -> Bool {
        if !reserve(count + 1) { return false }
        return pushReserved(ev, deadline: deadline)
    }

    /// Push after the caller made room (event_add reserves first so that a
    /// failure leaves the event untouched); still safe if it could not.
    @inline(__always)
    mutating func pushReserved(_ ev: EventPtr, deadline: Micros) -> Bool {
        if count == capacity && !reserve(count + 1) { return false }
        let hole = count
        count &+= 1
        siftUp(from: hole, Slot(deadline: deadline, event: ev))
        return true
    }

    @discardableResult
    mutating func popTop() -> EventPtr? {
        guard count > 0 else { return nil }
        let s = slots!
        let e = s[0].event
        count -= 1
        siftDown(from: 0, s[count])
        e.heapIndex = -1
        return e
    }

    /// Remove `ev` from wherever it sits; false if it is not in the heap.
    @discardableResult
    @_optimize(speed)
    mutating func erase(_ ev: EventPtr) -> Bool {
        let idx = Int(ev.heapIndex)
        guard idx >= 0, idx < count else { return false }
        let s = slots!
        count -= 1
        let last = s[count]
        if idx != count {
            let parent = (idx - 1) / 2
            if idx > 0 && s[parent].deadline > last.deadline {
                siftUpUnconditional(from: idx, last)
            } else {
                siftDown(from: idx, last)
            }
        }
        ev.heapIndex = -1
        return true
    }

    @inline(__always)
    private func place(_ slot: Slot, at i: Int) {
        slots![i] = slot
        slot.event.heapIndex = Int32(i)
    }

    @_optimize(speed)
    private func siftUp(from start: Int, _ e: Slot) {
        let s = slots!
        var hole = start
        while hole > 0 {
            let parent = (hole - 1) / 2
            if !(s[parent].deadline > e.deadline) { break }
            place(s[parent], at: hole)
            hole = parent
        }
        place(e, at: hole)
    }

    /// Move the hole up at least once: the caller knows the parent is larger.
    @_optimize(speed)
    private func siftUpUnconditional(from start: Int, _ e: Slot) {
        let s = slots!
        var hole = start
        repeat {
            let parent = (hole - 1) / 2
            place(s[parent], at: hole)
            hole = parent
        } while hole > 0 && s[(hole - 1) / 2].deadline > e.deadline
        place(e, at: hole)
    }

    @_optimize(speed)
    private func siftDown(from start: Int, _ e: Slot) {
        let s = slots!
        var hole = start
        var child = 2 * (hole + 1)
        while child <= count {
            // Pick the smaller child; the right one only when strictly smaller.
            if child == count || s[child].deadline > s[child - 1].deadline { child -= 1 }
            if !(e.deadline > s[child].deadline) { break }
            place(s[child], at: hole)
            hole = child
            child = 2 * (hole + 1)
        }
        place(e, at: hole)
    }

    mutating func release() {
        Memory.free(slots)
        slots = nil
        count = 0
        capacity = 0
    }
}
