import CEventExtra

/// One nameserver: its UDP socket and read event, whether we think it is up,
/// and the timer that probes it back after it failed. Touched only with the
/// dns base's lock held (DnsBase.swift).
final class Nameserver {
    unowned(unsafe) let base: DnsBase
    var fd: Int32 = -1
    var addr: DnsAddr
    var failedTimes = 0
    var timedOut = 0
    var up = true
    var choked = false
    var writeWaiting = false
    var requestsInflight = 0
    var event: EvPtr? = nil
    var probeTimer: EvPtr? = nil
    var probe: DnsHandle? = nil
    var eventAdded = false

    init(base: DnsBase, addr: DnsAddr) {
        self.base = base
        self.addr = addr
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
    static func from(_ p: UnsafeMutableRawPointer?) -> Nameserver { Unmanaged<Nameserver>.fromOpaque(p!).takeUnretainedValue() }

    static let readyCallback: event_callback_fn = { _, what, arg in
        let ns = Nameserver.from(arg)
        let base = ns.base
        base.lock.lock()
        if what & Int16(EV_WRITE) != 0 {
            ns.choked = false
            if !base.transmitAll() { ns.setWriteWaiting(false) }
        }
        if what & Int16(EV_READ) != 0 { ns.read() }
        base.lock.unlock()
    }

    static let probeCallback: event_callback_fn = { _, _, arg in
        let ns = Nameserver.from(arg)
        ns.base.lock.lock()
        ns.sendProbe()
        ns.base.lock.unlock()
    }

    /// Watch the socket for reading (and writing while choked).
    func setWriteWaiting(_ waiting: Bool) {
        if writeWaiting == waiting { return }
        writeWaiting = waiting
        event_del(event)
        event_assign(event, base.eventBase, fd, Int16(EV_READ | EV_PERSIST) | (waiting ? Int16(EV_WRITE) : 0), Nameserver.readyCallback, opaque)
        if event_add(event, nil) < 0 {
            var t = DnsText("Error from libevent when adding event for ")
            t.append(addr.text)
            DnsLog.emit(DnsLog.warn, t.b)
        }
        eventAdded = true
    }

    /// One receive buffer per nameserver, reused.
    var packet = [UInt8](repeating: 0, count: 1500)

    @_optimize(speed)
    func read() {
        while true {
            var from = DnsAddr()
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let (r, err) = packet.withUnsafeMutableBytes { pb in
                withUnsafeMutableBytes(of: &from.ss) { sb in
                    DnsSock.retry { recvfrom(fd, pb.baseAddress, 1500, 0, __SOCKADDR_ARG(__sockaddr__: sb.baseAddress!.assumingMemoryBound(to: sockaddr.self)), &fromLen) }
                }
            }
            if r < 0 {
                if DnsSock.isRetriable(err) { return }
                failed(cBytes(strerror(err)))
                return
            }
            from.len = fromLen
            if !from.equals(addr, includePort: false) {
                var t = DnsText("Address mismatch on received DNS packet.  Apparent source was ")
                t.append(from.text)
                DnsLog.emit(DnsLog.warn, t.b)
                return
            }
            timedOut = 0
            packet.withUnsafeBytes { base.handleReply(UnsafeRawBufferPointer(rebasing: $0[0..<r])) }
        }
    }

    /// Mark this nameserver down (libevent's nameserver_failed).
    func failed(_ why: [UInt8]) {
        if !up { return }
        var t = DnsText("Nameserver ")
        t.append(addr.text); t.append(" has failed: "); t.append(why)
        DnsLog.emit(DnsLog.msg, t.b)
        base.goodNameservers -= 1
        if base.goodNameservers == 0 { DnsLog.emit(DnsLog.msg, DnsText("All nameservers have failed").b) }
        up = false
        failedTimes = 1
        var tv = base.probeInitialTimeout
        if event_add(probeTimer, &tv) < 0 {
            var t = DnsText("Error from libevent when adding timer event for ")
            t.append(addr.text)
            DnsLog.emit(DnsLog.warn, t.b)
        }
        if base.goodNameservers == 0 { return }
        // Queries not yet sent to it go to another one.
        for req in base.inflightList where req.txCount == 0 && req.ns === self {
            base.swapNameserver(req, base.pickNameserver())
        }
    }

    func markUp() {
        if up { return }
        var t = DnsText("Nameserver ")
        t.append(addr.text); t.append(" is back up")
        DnsLog.emit(DnsLog.msg, t.b)
        event_del(probeTimer)
        if let p = probe {
            probe = nil
            base.cancel(p)
        }
        up = true
        failedTimes = 0
        timedOut = 0
        base.goodNameservers += 1
    }

    /// A probe timed out or failed: wait three times longer, at most an hour.
    func probeFailed() {
        event_del(probeTimer)
        if up { return }
        var tv = base.probeInitialTimeout
        var i = failedTimes
        while i > 0 && tv.tv_sec < 3600 {
            tv.tv_sec *= 3
            tv.tv_usec *= 3
            if tv.tv_usec > 1_000_000 {
                tv.tv_sec += tv.tv_usec / 1_000_000
                tv.tv_usec %= 1_000_000
            }
            i -= 1
        }
        if tv.tv_sec > 3600 { tv.tv_sec = 3600; tv.tv_usec = 0 }
        failedTimes += 1
        if event_add(probeTimer, &tv) < 0 {
            var t = DnsText("Error from libevent when adding timer event for ")
            t.append(addr.text)
            DnsLog.emit(DnsLog.warn, t.b)
        }
    }

    static let probeDone: DnsCallback = { result, _, _, _, _, arg in
        let ns = Nameserver.from(arg)
        ns.base.lock.lock()
        ns.probe = nil
        if result == DNS_ERR_CANCEL {
            // Cancelled because the server came back some other way.
        } else if result == DNS_ERR_NONE || result == DNS_ERR_NOTEXIST {
            ns.markUp()
        } else {
            ns.probeFailed()
        }
        ns.base.lock.unlock()
    }

    /// Ask this (failed) nameserver for google.com's address, as libevent does.
    func sendProbe() {
        let handle = DnsHandle(base: base)
        guard let req = base.makeRequest(handle: handle, type: DnsPacket.typeA, name: sbytes("google.com"),
                                         callback: Nameserver.probeDone, user: opaque) else { return }
        probe = handle
        req.setTransId(base.pickTransId())
        req.ns = self
        base.submit(req)
    }

    /// Close the socket and drop the events (the nameserver goes away).
    func close() {
        if let e = event { event_del(e); event_free(e); event = nil }
        if let t = probeTimer { event_del(t); event_free(t); probeTimer = nil }
        if fd >= 0 { evutil_closesocket(fd); fd = -1 }
    }
}
