import CEventSys

// The socket bufferevent: ev_read / ev_write are persistent events on the
// fd with the bufferevent as argument. Reading fills the input buffer (one
// evbuffer_read per wake-up, limited by the read high watermark and the
// single-read / rate limits) and calls the read callback at the low
// watermark; writing drains the output buffer and calls the write callback
// at the output's low watermark. ev_write is only added while there is
// output to send (or while a connect is in progress). The input's end and
// the output's front are frozen so only the bufferevent moves data there.

/// The state of a socket bufferevent's fd after bufferevent_socket_connect.
enum ConnectResult {
    static let inProgress: Int32 = 0
    static let connected: Int32 = 1
    static let refused: Int32 = 2
}

private let socketReadCallback: EventCallback = { fd, what, arg in
    guard let arg else { return }
    BufferEvent.with(arg) { unsafeDowncast($0, to: SocketBufferEvent.self).handleRead(fd, what) }
}

private let socketWriteCallback: EventCallback = { fd, what, arg in
    guard let arg else { return }
    BufferEvent.with(arg) { unsafeDowncast($0, to: SocketBufferEvent.self).handleWrite(fd, what) }
}

/// Retry later: the call would block or was interrupted.
@inline(__always)
func isRetriable(_ e: Int32) -> Bool { e == EINTR || e == EAGAIN || e == EWOULDBLOCK }

final class SocketBufferEvent: BufferEvent {
    /// The evdns lookup of connectHostname still to call back, if any.
    var dnsRequest: OpaquePointer? = nil
    /// libevent's conn_address (the peer connectHostname resolved, or what
    /// bufferevent_socket_set_conn_address_* recorded): made when first needed.
    var connAddress: UnsafeMutablePointer<sockaddr_in6>? = nil

    /// The record, zeroed when new; nil when memory ran out.
    func connAddressStorage() -> UnsafeMutablePointer<sockaddr_in6>? {
        if let a = connAddress { return a }
        guard let raw = Memory.calloc(1, MemoryLayout<sockaddr_in6>.size) else { return nil }
        connAddress = raw.bindMemory(to: sockaddr_in6.self, capacity: 1)
        return connAddress
    }

    override var lookupRequest: OpaquePointer? {
        get { dnsRequest }
        set { dnsRequest = newValue }
    }

    override func recordAddress(_ sa: UnsafeRawPointer, _ len: Int) { setConnAddress(sa, len) }

    /// bufferevent_socket_set_conn_address_: only an address that fits.
    func setConnAddress(_ sa: UnsafeRawPointer, _ len: Int) {
        if len < 0 || len > MemoryLayout<sockaddr_in6>.size { return }
        guard let a = connAddressStorage() else { return }
        UnsafeMutableRawPointer(a).copyMemory(from: sa, byteCount: len)
    }
    /// bufferevent_socket_new. `base` may be nil (bufferevent_new): the
    /// events then belong to event_init's base, if there is one.
    static func create(base: OpaquePointer?, fd: Int32, options: Int32) -> SocketBufferEvent? {
        let mark = Memory.failureMark()
        guard let b = SocketBufferEvent(base: base, options: options) else { return nil }
        if Memory.failed(since: mark) {
            b.discard()
            return nil
        }
        b.output.flags |= BufferFlag.drainsToFd
        b.assignEvents(fd)
        b.output.core.pointee.notifiesParent = true
        b.input.freezeEnd = true
        b.output.freezeStart = true
        return b
    }


    private func assignEvents(_ fd: Int32) {
        let bp = bev.pointee.ev_base ?? Globals.currentBase
        let base = bp.map { EventBase.from($0) }
        let arg = UnsafeMutableRawPointer(bev)
        _ = EventBase.assign(evRead, base: base, fd: fd, events: EV.read | EV.persist | EV.finalize,
                             callback: socketReadCallback, arg: arg)
        _ = EventBase.assign(evWrite, base: base, fd: fd, events: EV.write | EV.persist | EV.finalize,
                             callback: socketWriteCallback, arg: arg)
    }

    /// Output grew while writing is wanted: start ev_write.
    @_optimize(speed)
    override func bufferChanged(added: Int, deleted: Int) {
        if enabled & EV.write != 0 && !BufferEvent.pending(evWrite, EV.write) && writeSuspended == 0 {
            _ = BufferEvent.addOwnedWrite(evWrite, bev.pointee.timeout_write)
        }
    }

    // MARK: kind operations

    override func kindEnable(_ events: Int16) -> Int32 {
        if events & EV.read != 0 && BufferEvent.addWithTimeout(evRead, bev.pointee.timeout_read) == -1 { return -1 }
        if events & EV.write != 0 && BufferEvent.addWithTimeout(evWrite, bev.pointee.timeout_write) == -1 { return -1 }
        return 0
    }

    override func kindDisable(_ events: Int16) -> Int32 {
        if events & EV.read != 0 && BufferEvent.del(evRead) == -1 { return -1 }
        // A connect in progress keeps watching for writability.
        if events & EV.write != 0 && !connecting && BufferEvent.del(evWrite) == -1 { return -1 }
        return 0
    }

    override func adjustTimeouts() -> Int32 { adjustExistingTimeouts() }

    override func kindFlush(_ iotype: Int16, _ mode: Int32) -> Int32 { 0 }

    override func destruct() {
        let fd = evRead.fd
        if options & BevOpt.closeOnFree != 0 && fd >= 0 { Sys.close(fd) }
        if let a = connAddress {
            connAddress = nil
            Memory.free(a)
        }
        // As libevent: a lookup holds a reference, so by now it is over.
        if let req = dnsRequest {
            dnsRequest = nil
            evutil_getaddrinfo_cancel_async_(req)
        }
    }

    override func getFd() -> Int32? { evRead.fd }

    /// be_socket_setfd: new events on the new fd, re-enabled as before.
    override func setFd(_ fd: Int32) -> Int32 {
        _ = BufferEvent.del(evRead)
        _ = BufferEvent.del(evWrite)
        input.freezeEnd = false
        output.freezeStart = false
        assignEvents(fd)
        if fd >= 0 { _ = enable(enabled) }
        return 0
    }

    // MARK: I/O

    @_optimize(speed)
    func handleRead(_ fd: Int32, _ event: Int16) {
        lockBev()
        incref()
        readReady(fd, event)
        decref()
        unlockBev()
    }

    @_optimize(speed) @inline(__always)
    private func readReady(_ fd: Int32, _ event: Int16) {
        var what = BevEvent.reading
        // EV_TIMEOUT alone: the timeout fired without data (a read that
        // arrived together with it wins).
        if event == EV.timeout {
            fail(what | BevEvent.timeout, read: true, errno: Sys.errno)
            return
        }
        var howmuch = -1
        let high = bev.pointee.wm_read.high
        if high != 0 {
            howmuch = high &- input.totalLen
            if howmuch <= 0 {
                // The watermark was lowered below what is buffered.
                suspendRead(Suspend.watermark)
                return
            }
        }
        let readmax = readMax()
        if howmuch < 0 || howmuch > readmax { howmuch = readmax }
        if readSuspended != 0 { return }
        input.freezeEnd = false
        let res = input.read(fd, Int32(truncatingIfNeeded: min(howmuch, Int(Int32.max))))
        let err = Sys.errno
        input.freezeEnd = true
        if res == -1 {
            if isRetriable(err) { return }
            if err == ECONNREFUSED {
                connectionRefused = true
                return
            }
            what |= BevEvent.error
        } else if res == 0 {
            what |= BevEvent.eof
        }
        if res <= 0 {
            fail(what, read: true, errno: err)
            return
        }
        charge(Int(res), write: false)
        trigger(EV.read, 0)
    }

    /// Stop the direction and report `what`.
    private func fail(_ what: Int16, read: Bool, errno err: Int32) {
        _ = disable(read ? EV.read : EV.write)
        Sys.errno = err
        runEventCallback(what, 0)
    }

    @_optimize(speed)
    func handleWrite(_ fd: Int32, _ event: Int16) {
        lockBev()
        incref()
        writeReady(fd, event)
        decref()
        unlockBev()
    }

    @_optimize(speed) @inline(__always)
    private func writeReady(_ fd: Int32, _ event: Int16) {
        var what = BevEvent.writing
        var connected = false
        if event == EV.timeout {
            fail(what | BevEvent.timeout, read: false, errno: Sys.errno)
            return
        }
        if connecting {
            var c = SocketBufferEvent.finishedConnecting(fd)
            // A refusal seen earlier (by the read side) wins.
            if connectionRefused {
                connectionRefused = false
                c = -1
            }
            if c == 0 { return }
            connecting = false
            if c < 0 {
                let err = Sys.errno
                _ = BufferEvent.del(evWrite)
                _ = BufferEvent.del(evRead)
                Sys.errno = err
                runEventCallback(BevEvent.error, 0)
                return
            }
            connected = true
            runEventCallback(BevEvent.connected, 0)
            if enabled & EV.write == 0 || writeSuspended != 0 {
                _ = BufferEvent.del(evWrite)
                return
            }
        }
        let atmost = writeMax()
        if writeSuspended != 0 { return }
        var res: Int32 = 0
        if output.totalLen > 0 {
            output.freezeStart = false
            res = output.write(fd, atmost)
            let err = Sys.errno
            output.freezeStart = true
            if res == -1 {
                if isRetriable(err) {
                    if output.totalLen == 0 { _ = BufferEvent.del(evWrite) }
                    return
                }
                what |= BevEvent.error
            } else if res == 0 {
                // Nothing written although the socket was writable.
                what |= BevEvent.eof
            }
            if res <= 0 {
                fail(what, read: false, errno: err)
                return
            }
            charge(Int(res), write: true)
        }
        if output.totalLen == 0 { _ = BufferEvent.delOwnedWrite(evWrite) }
        // The write callback when the output has drained to the low
        // watermark (not for a bare "connected" wake-up).
        if res != 0 || !connected { trigger(EV.write, 0) }
    }

    /// evutil_socket_finished_connecting_: 1 connected, 0 still trying,
    /// -1 failed (errno set to the reason).
    static func finishedConnecting(_ fd: Int32) -> Int32 {
        var e: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if Sys.call({ getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) }).failed { return -1 }
        if e != 0 {
            if e == EINTR || e == EINPROGRESS { return 0 }
            Sys.errno = e
            return -1
        }
        return 1
    }
}

// Connecting (and resolving first) works on any bufferevent whose kind has
// an fd (socket and TLS-over-socket kinds): libevent does not check the
// kind either. The lookup in flight is the kind's (lookupRequest).
extension BufferEvent {
    // MARK: connect

    /// bufferevent_socket_connect. With no address, the fd the bufferevent
    /// already has is taken as connecting (the program called connect).
    func connect(_ sa: UnsafePointer<sockaddr>?, _ len: Int32) -> Int32 {
        lockBev()
        incref()
        defer {
            decref()
            unlockBev()
        }
        var fd = getFd() ?? -1
        var ownFd = false
        var r: Int32 = 0
        if fd < 0 {
            guard let sa else { return -1 }
            let s = Sockets.open(Int32(sa.pointee.sa_family), Int32(SOCK_STREAM.rawValue) | Sockets.sockNonBlock, 0)
            if s.failed { return -1 }
            fd = s.value
            ownFd = true
        }
        var err: Int32 = 0
        if let sa {
            r = SocketBufferEvent.startConnect(fd, sa, len)
            err = Sys.errno
            if r < 0 {
                if ownFd { Sys.close(fd) }
                Sys.errno = err
                return -1
            }
        }
        _ = setFd(fd)
        if r == ConnectResult.inProgress {
            // Watch for writability (the socket kind's own enable; a TLS
            // kind's handshake event).
            if BufferEvent.addWithTimeout(evWrite, bev.pointee.timeout_write) == 0 {
                connecting = true
                return 0
            }
            return -1
        } else if r == ConnectResult.connected {
            connecting = true
            trigger(EV.write, BevOpt.deferCallbacks)
        } else {
            // Refused on the spot: say so from the loop.
            Sys.errno = err
            runEventCallback(BevEvent.error, BevOpt.deferCallbacks)
            _ = disable(EV.write | EV.read)
        }
        return 0
    }

    /// evutil_socket_connect_ on an existing fd: 0 in progress, 1 connected,
    /// 2 refused, -1 failed.
    static func startConnect(_ fd: Int32, _ sa: UnsafePointer<sockaddr>, _ len: Int32) -> Int32 {
        // Not retried on EINTR: the connection then goes on in the background.
        let r = Sys.once { CEventSys.connect(fd, __CONST_SOCKADDR_ARG(__sockaddr__: sa), socklen_t(truncatingIfNeeded: len)) }
        if !r.failed { return ConnectResult.connected }
        let e = r.errno
        Sys.errno = e
        if e == EINTR || e == EINPROGRESS { return ConnectResult.inProgress }
        if e == ECONNREFUSED { return ConnectResult.refused }
        return -1
    }


    /// bufferevent_socket_connect_hostname: reading and writing wait for the
    /// lookup; without an evdns base it is a blocking evutil_getaddrinfo.
    func connectHostname(_ dnsBase: OpaquePointer?, _ family: Int32, _ host: UnsafePointer<CChar>?, _ port: Int32) -> Int32 {
        if family != AF_INET && family != AF_INET6 && family != AF_UNSPEC { return -1 }
        if port < 1 || port > 65535 { return -1 }
        lockBev()
        defer { unlockBev() }
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        dnsError = 0
        suspendWrite(Suspend.lookup)
        suspendRead(Suspend.lookup)
        incref()
        // evutil_getaddrinfo_async_: evdns's lookup when a dns base is given
        // and libevent_extra registered it (the callback then comes from
        // the loop), else a blocking lookup whose callback runs in there.
        var portText: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        let req = withUnsafeMutableBytes(of: &portText) { buf -> OpaquePointer? in
            var v = Int(port), digits = 0
            repeat { digits += 1; v /= 10 } while v > 0
            v = Int(port)
            for i in stride(from: digits - 1, through: 0, by: -1) {
                buf[i] = UInt8(48 + v % 10)
                v /= 10
            }
            return evutil_getaddrinfo_async_(dnsBase, host, buf.baseAddress!.assumingMemoryBound(to: CChar.self),
                                             &hints, socketLookupCallback,
                                             Unmanaged.passUnretained(self).toOpaque())
        }
        // Set only when the callback is still to come (it clears it).
        if req != nil { lookupRequest = req }
        return 0
    }

    /// bufferevent_connect_getaddrinfo_cb, under the bufferevent's lock.
    fileprivate func lookupDone(_ result: Int32, _ ai: UnsafeMutablePointer<addrinfo>?) {
        lookupRequest = nil
        unsuspendWrite(Suspend.lookup)
        unsuspendRead(Suspend.lookup)
        if result == AddrInfo.eaiCancel {
            dnsError = result
            decref()
            return
        }
        if result != 0 {
            dnsError = result
            runEventCallback(BevEvent.error, 0)
            decref()
            if let ai { evutil_freeaddrinfo(ai) }
            return
        }
        guard let ai, let addr = ai.pointee.ai_addr else {
            decref()
            return
        }
        recordAddress(addr, Int(ai.pointee.ai_addrlen))
        let r = connect(UnsafePointer(addr), Int32(ai.pointee.ai_addrlen))
        if r < 0 { runEventCallback(BevEvent.error, 0) }
        decref()
        evutil_freeaddrinfo(ai)
    }
}

/// evutil_getaddrinfo_async_'s callback for connectHostname; the lookup's
/// reference keeps the bufferevent alive until lookupDone drops it.
private let socketLookupCallback: @convention(c) (Int32, UnsafeMutablePointer<addrinfo>?, UnsafeMutableRawPointer?) -> Void = {
    result, ai, arg in
    guard let arg else { return }
    let bev = Unmanaged<BufferEvent>.fromOpaque(arg).takeUnretainedValue()
    bev.lockBev()
    bev.lookupDone(result, ai)
    bev.unlockBev()
}
