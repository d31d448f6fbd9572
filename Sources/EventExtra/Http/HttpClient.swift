import CEventExtra

/// The client side of a connection: connecting (with libevent's retries
/// and back-off), sending queued requests one after the other, close
/// detection while idle, cancel.
extension HttpConnection {
    func startDetectClose() {
        flags |= HttpConnection.closeDetect
        _ = bufferevent_enable(bufev, Int16(EV_READ))
    }

    func stopDetectClose() {
        flags &= ~HttpConnection.closeDetect
        _ = bufferevent_disable(bufev, Int16(EV_READ))
    }

    func dispatch() {
        guard let req = requests.first else { return }
        stopDetectClose()
        state = .writing
        HttpReply.makeHeader(self, req)
        writeBuffer(.requestWritten)
    }

    func requestWritten() {
        guard let req = requests.first else { return }
        if evbuffer_get_length(output) > 0 { return }
        req.pointee.kind = EVHTTP_RESPONSE
        startRead()
    }

    static let connectTimeout: Int = 45
    static let readTimeout: Int = 50
    static let writeTimeout: Int = 50

    var timeoutSet: Bool { return timeout.tv_sec != 0 || timeout.tv_usec != 0 }

    /// evhttp_connection_connect_.
    func connect() -> Int32 {
        let oldState = state
        if state == .connecting { return 0 }
        reset()
        flags |= HttpConnection.outgoing
        if bindAddress != nil || bindPort != 0 {
            fd = HttpSockets.bind(bindAddress.map { UnsafePointer($0) }, bindPort, reuse: false)
            if fd == -1 { return -1 }
            _ = bufferevent_setfd(bufev, fd)
        } else {
            _ = bufferevent_setfd(bufev, -1)
        }
        bufferevent_setcb(bufev, nil, nil, HttpConnection.connectTrampoline, arg)
        if !timeoutSet {
            var t = timeval(tv_sec: HttpConnection.connectTimeout, tv_usec: 0)
            _ = bufferevent_set_timeouts(bufev, &t, &t)
        } else {
            _ = bufferevent_set_timeouts(bufev, &timeout, &timeout)
        }
        _ = bufferevent_enable(bufev, Int16(EV_WRITE))
        state = .connecting
        var ret: Int32
        if flags & HttpConnection.reuseConnectedAddr != 0 && connectedAddrLen > 0 {
            ret = withUnsafePointer(to: &connectedAddr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bufferevent_socket_connect(bufev, $0, Int32(connectedAddrLen))
                }
            }
        } else {
            ret = bufferevent_socket_connect_hostname(bufev, dnsBase, family, address, Int32(port))
        }
        if ret < 0 {
            state = oldState
            cleanupAfterConnectFailure()
            return 0
        }
        return 0
    }

    func onConnectEvent(_ what: Int16) {
        if fd == -1 { fd = bufferevent_getfd(bufev) }
        if Int32(what) & BEV_EVENT_CONNECTED == 0 {
            if cev_errno() == ECONNREFUSED {
                cleanupAfterConnectFailure()
                return
            }
            onEvent(what)
            return
        }
        if fd == -1 { cleanupAfterConnectFailure(); return }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if Sys.call({ getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) }).failed || err != 0 {
            cleanupAfterConnectFailure()
            return
        }
        connectedAddrLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &connectedAddr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in Sys.call { getpeername(fd, __SOCKADDR_ARG(__sockaddr__: p), &connectedAddrLen) }.value }
        }
        if ok != 0 { connectedAddrLen = 0 }
        retryCount = 0
        state = .idle
        setCallbacks(read: true, write: true)
        if !timeoutSet {
            var r = timeval(tv_sec: HttpConnection.readTimeout, tv_usec: 0)
            var w = timeval(tv_sec: HttpConnection.writeTimeout, tv_usec: 0)
            _ = bufferevent_set_timeouts(bufev, &r, &w)
        } else {
            _ = bufferevent_set_timeouts(bufev, &timeout, &timeout)
        }
        dispatch()
    }

    /// A connection attempt failed: retry with doubling delays while
    /// retries remain, else hand every queued request back to its callback.
    func cleanupAfterConnectFailure() {
        reset()
        if retryMax < 0 || retryCount < retryMax {
            if retryEvent == nil, let ev = HMem.calloc(1, MemoryLayout<event>.size) {
                retryEvent = ev.bindMemory(to: event.self, capacity: 1)
            }
            if let ev = retryEvent {
                var tv = initialRetry
                var i: Int32 = 0
                while i < retryCount {
                    // libevent's doubling, saturated: the program's values may be anything
                    tv.tv_usec = HttpConnection.doubled(tv.tv_usec)
                    if tv.tv_usec > 1000000 { tv.tv_usec -= 1000000; tv.tv_sec = tv.tv_sec == Int.max ? Int.max : tv.tv_sec + 1 }
                    tv.tv_sec = HttpConnection.doubled(tv.tv_sec)
                    if tv.tv_sec > 3600 { tv.tv_sec = 3600; tv.tv_usec = 0 }
                    i += 1
                }
                _ = event_assign(ev, base, -1, 0, HttpConnection.retryTrampoline, arg)
                _ = event_add(ev, &tv)
            }
            retryCount += 1
            return
        }
        let pending = requests
        requests.removeAll()
        for r in pending {
            r.pointee.evcon = nil
            HttpRequest.runCb(r)
            HttpRequest.freeAuto(r)
        }
    }

    static func doubled(_ v: Int) -> Int {
        let (d, o) = v.multipliedReportingOverflow(by: 2)
        return o ? (v < 0 ? Int.min : Int.max) : d
    }

    func makeRequest(_ req: HReq, _ type: evhttp_cmd_type, _ uri: UnsafePointer<CChar>) -> Int32 {
        req.pointee.kind = EVHTTP_REQUEST
        req.pointee.type = type
        HMem.free(req.pointee.uri)
        guard let u = HttpBytes.dup(uri) else {
            req.pointee.uri = nil
            HttpRequest.freeAuto(req)
            return -1
        }
        req.pointee.uri = u
        if req.pointee.major == 0 && req.pointee.minor == 0 {
            req.pointee.major = 1
            req.pointee.minor = 1
        }
        if req.pointee.evcon != nil {
            HLog.warnx("evhttp_make_request: request already on a connection")
            return -1
        }
        guard requests.reserveOneMore() else {
            HLog.warnx("evhttp_make_request: out of memory")
            return -1
        }
        req.pointee.evcon = handle
        requests.append(req)
        if !isConnected {
            let r = connect()
            if r != 0 { removeRequest(req) }
            return r
        }
        if requests.first == req { dispatch() }
        return 0
    }

    func cancel(_ req: HReq) {
        if requests.first == req {
            fail(EVREQ_HTTP_REQUEST_CANCEL)
            return
        }
        removeRequest(req)
        HttpRequest.freeAuto(req)
    }

}
