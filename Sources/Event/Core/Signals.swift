import CEventSys

/// Signal delivery. The handler only writes the signal number into a pipe;
/// an internal read event on the other end turns the bytes into signal-event
/// activations inside the loop. Only one base receives signals at a time:
/// the one that added a signal most recently or started its loop most
/// recently (libevent's rule).
struct SignalState {
    var readFd: Int32 = -1
    var writeFd: Int32 = -1
    /// Internal persistent read event on readFd, added with the first signal.
    var pipeEvent: EventPtr? = nil
    var handlerInstalled = false
    var signalsAdded = 0
    /// Handlers that were in place before we took each signal over.
    var previous: UnsafeMutablePointer<sigaction>? = nil
    var saved: UnsafeMutablePointer<Bool>? = nil

    mutating func open() -> Bool {
        guard let (r, w) = Sys.internalPipe() else {
            Log.warnErrno("evsig_init_: socketpair")
            return false
        }
        readFd = r
        writeFd = w
        return true
    }
}

enum Signals {
    nonisolated(unsafe) static var owner: UnsafeMutableRawPointer? = nil
    nonisolated(unsafe) static var ownerSignalsAdded = 0
    nonisolated(unsafe) static var writeFd: Int32 = -1

    /// The three globals above are shared by every base: with lock
    /// callbacks set, they change under a process-wide mutex (a leaf lock,
    /// taken inside the base lock; Core/BaseLock.swift).
    static func withGlobals<R>(_ body: () -> R) -> R {
        if !Threads.lockingEnabled { return body() }
        cev_signal_globals_lock()
        let r = body()
        cev_signal_globals_unlock()
        return r
    }

    static func claim(for base: EventBase) {
        withGlobals {
            owner = Unmanaged.passUnretained(base).toOpaque()
            ownerSignalsAdded = base.signalState.signalsAdded
            writeFd = base.signalState.writeFd
        }
    }

    static let handler: @convention(c) (Int32) -> Void = { sig in
        let saved = cev_errno()
        var byte = UInt8(truncatingIfNeeded: sig)
        if Signals.writeFd >= 0 { _ = write(Signals.writeFd, &byte, 1) }
        cev_set_errno(saved)
    }

    /// Drain the pipe, then activate each signal's events with its count.
    static let pipeReadable: EventCallback = { fd, _, arg in
        let base = EventBase.from(OpaquePointer(arg!))
        var caught = [Int16](repeating: 0, count: SignalMap.nsig)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buf in
            while true {
                let n = Sys.call { read(fd, buf.baseAddress, 1024) }
                if n.failed || n.value == 0 { break }
                for i in 0..<Int(n.value) where Int(buf[i]) < SignalMap.nsig {
                    caught[Int(buf[i])] &+= 1
                }
            }
        }
        base.locked {
            for sig in 0..<SignalMap.nsig where caught[sig] != 0 {
                base.signalActive(Int32(sig), count: caught[sig])
            }
        }
    }
}

extension EventBase {
    func signalActive(_ sig: Int32, count: Int16) {
        guard let chain = signals.slot(sig) else { return }
        var e = chain.pointee.first
        while let ev = e {
            e = EventChain.next(ev)
            activate(ev, res: EV.signal, ncalls: count)
        }
    }

    func signalAdd(_ ev: EventPtr) -> Int32 { Signals.withGlobals { signalAddLocked(ev) } }

    private func signalAddLocked(_ ev: EventPtr) -> Int32 {
        let sig = ev.fd
        guard let chain = signals.slot(sig) else { return -1 }
        if chain.pointee.first == nil {
            if installHandler(sig) == -1 { return -1 }
        }
        chain.pointee.push(ev)
        return 1
    }

    func signalDel(_ ev: EventPtr) -> Int32 { Signals.withGlobals { signalDelLocked(ev) } }

    private func signalDelLocked(_ ev: EventPtr) -> Int32 {
        let sig = ev.fd
        guard let chain = signals.slot(sig) else { return -1 }
        chain.pointee.remove(ev)
        if chain.pointee.first == nil {
            Signals.ownerSignalsAdded -= 1
            signalState.signalsAdded -= 1
            return restoreHandler(sig)
        }
        return 1
    }

    private func installHandler(_ sig: Int32) -> Int32 {
        let me = Unmanaged.passUnretained(self).toOpaque()
        if Signals.owner != nil && Signals.owner != me && Signals.ownerSignalsAdded > 0 {
            Log.warnx("Added a signal to event base \(hexPointer(me)) with signals already added to event_base \(hexPointer(Signals.owner)).  Only one can have signals at a time with the \(backend.name) backend.  The base with the most recently added signal or the most recent event_base_loop() call gets preference; do not rely on this behavior in future Libevent versions.")
        }
        // Everything that needs memory first, so that failing changes nothing.
        if signalState.previous == nil {
            guard let p = Memory.tryAllocate(sigaction.self, count: SignalMap.nsig) else { return -1 }
            guard let s = Memory.tryAllocate(Bool.self, count: SignalMap.nsig) else {
                Memory.deallocate(p)
                return -1
            }
            s.initialize(repeating: false, count: SignalMap.nsig)
            signalState.previous = p
            signalState.saved = s
        }
        if signalState.pipeEvent == nil {
            guard let ev = Memory.tryAllocate(event.self, count: 1) else { return -1 }
            ev.initialize(to: event())
            _ = EventBase.assign(ev, base: self, fd: signalState.readFd, events: EV.read | EV.persist,
                                 callback: Signals.pipeReadable, arg: UnsafeMutableRawPointer(cPointer))
            ev.flags |= EVList.internal
            ev.priority = 0
            signalState.pipeEvent = ev
        }
        signalState.signalsAdded += 1
        Signals.owner = me
        Signals.ownerSignalsAdded = signalState.signalsAdded
        Signals.writeFd = signalState.writeFd
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = Signals.handler
        sa.sa_flags = Int32(SA_RESTART)
        sigfillset(&sa.sa_mask)
        let old = signalState.previous! + Int(sig)
        if sigaction(sig, &sa, old) == -1 {
            Log.warnErrno("sigaction")
            signalState.signalsAdded -= 1
            Signals.ownerSignalsAdded -= 1
            return -1
        }
        signalState.saved![Int(sig)] = true
        if !signalState.handlerInstalled {
            if add(signalState.pipeEvent!, timeout: nil) != 0 {
                _ = restoreHandler(sig)
                signalState.signalsAdded -= 1
                Signals.ownerSignalsAdded -= 1
                return -1
            }
            signalState.handlerInstalled = true
        }
        return 0
    }

    private func restoreHandler(_ sig: Int32) -> Int32 {
        guard let saved = signalState.saved, saved[Int(sig)] else { return 0 }
        saved[Int(sig)] = false
        if sigaction(sig, signalState.previous! + Int(sig), nil) == -1 {
            Log.warnErrno("sigaction")
            return -1
        }
        return 0
    }

    /// Give back every signal and the pipe (base free, reinit).
    func closeSignals(keepHandlers: Bool = false) {
        if let ev = signalState.pipeEvent {
            if signalState.handlerInstalled { _ = del(ev, mode: .autoBlock) }
            Memory.deallocate(ev)
            signalState.pipeEvent = nil
        }
        signalState.handlerInstalled = false
        if !keepHandlers {
            for sig in 0..<SignalMap.nsig { _ = restoreHandler(Int32(sig)) }
            Memory.deallocate(signalState.previous)
            Memory.deallocate(signalState.saved)
            signalState.previous = nil
            signalState.saved = nil
        }
        Signals.withGlobals {
            if Signals.owner == Unmanaged.passUnretained(self).toOpaque() {
                Signals.owner = nil
                Signals.ownerSignalsAdded = 0
                Signals.writeFd = -1
            }
        }
        if signalState.readFd >= 0 { Sys.close(signalState.readFd) }
        if signalState.writeFd >= 0 { Sys.close(signalState.writeFd) }
        signalState.readFd = -1
        signalState.writeFd = -1
    }
}
