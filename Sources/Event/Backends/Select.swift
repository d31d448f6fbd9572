import CEventSys

/// select(2) over bit sets sized to the largest fd, so fds above FD_SETSIZE
/// work (the kernel reads as many bits as nfds says). The two input sets
/// share one allocation, so growing them either works or changes nothing;
/// so do the two output sets, which only dispatch grows.
final class SelectBackend: Backend {
    private var readIn: UnsafeMutablePointer<UInt>
    private var writeIn: UnsafeMutablePointer<UInt>
    private var readOut: UnsafeMutablePointer<UInt>
    private var writeOut: UnsafeMutablePointer<UInt>
    private var words: Int
    private var maxFd: Int32 = -1
    private static let bitsPerWord = UInt.bitWidth

    override var kind: BackendKind { .select }

    override init(base: EventBase) {
        // Never smaller than an fd_set: select() may touch all of it.
        words = MemoryLayout<fd_set>.size / MemoryLayout<UInt>.size
        // Never nil: a failure is seen by BackendKind.make (Memory.failed).
        let p = Memory.allocate(UInt.self, count: 2 * words)
        p.initialize(repeating: 0, count: 2 * words)
        readIn = p
        writeIn = p + words
        let q = Memory.allocate(UInt.self, count: 2 * words)
        q.initialize(repeating: 0, count: 2 * words)
        readOut = q
        writeOut = q + words
        outWords = words
        super.init(base: base)
    }

    deinit { Memory.deallocate(readIn); Memory.deallocate(readOut) }

    /// The output sets are only touched by dispatch, which may sleep in
    /// select() on them while another thread adds an fd: they grow there.
    private var outWords: Int

    /// Room for `fd` in the input sets; false (nothing changed) when memory ran out.
    private func ensure(_ fd: Int32) -> Bool {
        let need = Int(fd) / SelectBackend.bitsPerWord + 1
        if need <= words { return true }
        var n = words
        while n < need { n *= 2 }
        guard let p = Memory.tryAllocate(UInt.self, count: 2 * n) else { return false }
        p.initialize(repeating: 0, count: 2 * n)
        p.update(from: readIn, count: words)
        (p + n).update(from: writeIn, count: words)
        Memory.deallocate(readIn)
        readIn = p
        writeIn = p + n
        words = n
        return true
    }

    @inline(__always)
    private static func setBit(_ s: UnsafeMutablePointer<UInt>, _ fd: Int32, _ on: Bool) {
        let w = Int(fd) / bitsPerWord, b = UInt(1) << UInt(Int(fd) % bitsPerWord)
        if on { s[w] |= b } else { s[w] &= ~b }
    }

    @inline(__always)
    private static func bit(_ s: UnsafeMutablePointer<UInt>, _ fd: Int) -> Bool {
        return s[fd / bitsPerWord] & (UInt(1) << UInt(fd % bitsPerWord)) != 0
    }

    override func add(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        if change & (EV.read | EV.write) == 0 { return 0 }
        if !ensure(fd) { return -1 }
        if fd > maxFd { maxFd = fd }
        if change & EV.read != 0 { SelectBackend.setBit(readIn, fd, true) }
        if change & EV.write != 0 { SelectBackend.setBit(writeIn, fd, true) }
        return 0
    }

    override func del(fd: Int32, old: Int16, change: Int16, slot: UnsafeMutablePointer<FdSlot>) -> Int32 {
        if change & (EV.read | EV.write) == 0 { return 0 }
        if Int(fd) / SelectBackend.bitsPerWord >= words { return 0 }
        if change & EV.read != 0 { SelectBackend.setBit(readIn, fd, false) }
        if change & EV.write != 0 { SelectBackend.setBit(writeIn, fd, false) }
        return 0
    }

    @_optimize(speed)
    override func dispatch(timeout: Micros?) -> Int32 {
        let nfds = Int(maxFd) + 1
        let used = nfds / SelectBackend.bitsPerWord + 1
        if outWords < words {
            guard let q = Memory.tryAllocate(UInt.self, count: 2 * words) else {
                Log.warnx("select: out of memory growing the fd sets")
                return -1
            }
            Memory.deallocate(readOut)
            readOut = q
            writeOut = q + words
            outWords = words
        }
        readOut.update(from: readIn, count: min(used, words))
        writeOut.update(from: writeIn, count: min(used, words))
        var tv = timevalFrom(timeout ?? 0)
        releaseBase()
        let r = readOut.withMemoryRebound(to: fd_set.self, capacity: 1) { rs in
            writeOut.withMemoryRebound(to: fd_set.self, capacity: 1) { ws in
                withUnsafeMutablePointer(to: &tv) { tvp in
                    Sys.once { select(Int32(nfds), rs, ws, nil, timeout == nil ? nil : tvp) }
                }
            }
        }
        reacquireBase()
        if r.failed {
            if r.errno != EINTR {
                Log.warnErrno("select", r.errno)
                return -1
            }
            return 0
        }
        if r.value == 0 { return 0 }
        for fd in 0..<nfds {
            var res: Int16 = 0
            if SelectBackend.bit(readOut, fd) { res |= EV.read }
            if SelectBackend.bit(writeOut, fd) { res |= EV.write }
            if res == 0 { continue }
            report(fd: Int32(fd), what: res)
        }
        return 0
    }
}
