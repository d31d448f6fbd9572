import CEventSys

/// Per-fd record: the events waiting on the fd and how many want each
/// direction, so the backend is told only about transitions (0 -> 1, 1 -> 0).
struct FdSlot {
    var events = EventChain()
    var nread: UInt16 = 0
    var nwrite: UInt16 = 0
    var nclose: UInt16 = 0
    /// Backend scratch: the poll backend keeps the fd's pollfd index here.
    var backendIndex: Int32 = -1

    @inline(__always) var mask: Int16 {
        var m: Int16 = 0
        if nread > 0 { m |= EV.read }
        if nwrite > 0 { m |= EV.write }
        if nclose > 0 { m |= EV.closed }
        return m
    }
}

/// The fd table: a flat array indexed by fd, grown on demand.
struct IOMap {
    static let maxSlots = Int(Int32.max) / 8

    private(set) var slots: UnsafeMutablePointer<FdSlot>? = nil
    private(set) var count: Int = 0

    @inline(__always)
    func slot(_ fd: Int32) -> UnsafeMutablePointer<FdSlot>? {
        let i = Int(fd)
        guard i >= 0, i < count else { return nil }
        return slots! + i
    }

    mutating func slotCreating(_ fd: Int32) -> UnsafeMutablePointer<FdSlot>? {
        let i = Int(fd)
        if i >= count {
            var n = count == 0 ? 32 : count
            while n <= i { n <<= 1 }
            // libevent's limit (a table of INT_MAX bytes of pointers): fds
            // from 2^27 on are refused before anything is allocated.
            if n > IOMap.maxSlots { return nil }
            guard let p: UnsafeMutablePointer<FdSlot> = Memory.grow(slots, from: count, to: n) else { return nil }
            (p + count).initialize(repeating: FdSlot(), count: n - count)
            slots = p
            count = n
        }
        return slots! + i
    }

    mutating func release() {
        Memory.free(slots)
        slots = nil
        count = 0
    }
}

/// Events per signal number.
struct SignalMap {
    static let nsig = 65
    private(set) var slots: UnsafeMutablePointer<EventChain>

    init() {
        slots = Memory.allocate(EventChain.self, count: SignalMap.nsig)
        slots.initialize(repeating: EventChain(), count: SignalMap.nsig)
    }

    @inline(__always)
    func slot(_ sig: Int32) -> UnsafeMutablePointer<EventChain>? {
        guard sig >= 0, Int(sig) < SignalMap.nsig else { return nil }
        return slots + Int(sig)
    }

    func release() { Memory.deallocate(slots) }
}
