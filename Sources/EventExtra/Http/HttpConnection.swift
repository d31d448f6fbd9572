import CEventExtra

typealias HBev = UnsafeMutablePointer<bufferevent>

/// struct evhttp_connection: one TCP connection carrying requests, either
/// accepted by a server (incoming) or made by the program (outgoing). The
/// state machine follows libevent's: read the first line, the headers, the
/// body, then hand the request to its callback; a reply (server) or the
/// next request (client) follows.
///
/// Lifetime: the handle the program holds (or the server's list) owns one
/// reference, released by free(). Every entry from the bufferevent takes
/// its own reference for the duration of the call, since callbacks may
/// free the connection under us; `freed` stops work after that.
final class HttpConnection {
    enum State { case disconnected, connecting, idle, readingFirstLine, readingHeaders, readingBody, readingTrailer, writing, lingering }

    /// What to do once the output buffer drains.
    enum AfterWrite {
        case nothing, sendDone, requestWritten, continueDone
        case user(@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void, UnsafeMutableRawPointer?)
    }

    // Flags: the public ones of http.h plus libevent's internal ones.
    static let incoming: Int32 = 0x0001
    static let outgoing: Int32 = 0x0002
    static let closeDetect: Int32 = 0x0004
    static let reuseConnectedAddr: Int32 = 0x0008
    static let readOnWriteError: Int32 = 0x0010
    static let lingeringClose: Int32 = 0x0020
    static let autoFree: Int32 = 0x100000
    static let readingError: Int32 = 0x200000

    var bufev: HBev?
    var fd: Int32 = -1
    var state: State = .disconnected
    var flags: Int32 = 0
    var address: HCStr? = nil
    var port: UInt16 = 0
    var bindAddress: HCStr? = nil
    var bindPort: UInt16 = 0
    var maxHeadersSize: Int = Int.max
    var maxBodySize: UInt64 = UInt64.max
    var timeout = timeval(tv_sec: 0, tv_usec: 0)
    var retryCount: Int32 = 0
    var retryMax: Int32 = 0
    var initialRetry = timeval(tv_sec: 2, tv_usec: 0)
    var retryEvent: UnsafeMutablePointer<event>? = nil
    var readMoreEvent: UnsafeMutablePointer<event>? = nil
    var closeCb: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void)? = nil
    var closeCbArg: UnsafeMutableRawPointer? = nil
    var requests: [HReq] = []
    var afterWrite: AfterWrite = .nothing
    var server: HttpServer? = nil
    var base: OpaquePointer? = nil
    var dnsBase: OpaquePointer? = nil
    var family: Int32 = AF_UNSPEC
    var freed = false
    /// The address last connected to (EVHTTP_CON_REUSE_CONNECTED_ADDR).
    var connectedAddr = sockaddr_storage()
    var connectedAddrLen: socklen_t = 0
    /// A server connection waits for a message whose request object is not
    /// made yet (associateNewRequest).
    var awaitingRequest = false
    /// After a chunk's data, its CRLF is still to come.
    var chunkNeedsCRLF = false
    /// Close only after the peer stopped sending (answered a body we refused).
    var lingerOnClose = false
    /// Where message heads are built (HttpReply.makeHeader), kept for reuse.
    var scratch: UnsafeMutableRawPointer? = nil
    var scratchCap = 0

    // Lingering (a refused body): drain at most this much, this long.
    static let lingerBytes = 1 << 20
    static var lingerTime: timeval { return timeval(tv_sec: 2, tv_usec: 0) }

    init() {}

    static func from(_ p: OpaquePointer) -> HttpConnection {
        return Unmanaged<HttpConnection>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
    var handle: OpaquePointer { return OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    var arg: UnsafeMutableRawPointer { return Unmanaged.passUnretained(self).toOpaque() }

    // MARK: creation

    /// evhttp_connection_base_bufferevent_new: returns a connection owning
    /// one reference (the handle), or nil.
    static func create(base: OpaquePointer?, dns: OpaquePointer?, bev: HBev?,
                       address: UnsafePointer<CChar>?, port: UInt16) -> HttpConnection? {
        guard let c = Memory.build({ HttpConnection() }) else { return nil }
        c.port = port
        guard let address, let a = HttpBytes.dup(address) else { return nil }
        c.address = a
        var b = bev
        if b == nil {
            b = bufferevent_socket_new(base, -1, 0)
            if b == nil { HMem.free(a); c.address = nil; return nil }
        }
        c.bufev = b
        c.base = base
        if let base, bufferevent_get_base(b) != base { _ = bufferevent_base_set(base, b) }
        if c.base == nil { c.base = bufferevent_get_base(b) }
        c.dnsBase = dns
        c.setCallbacks(read: true, write: true)
        guard let ev = HMem.calloc(1, MemoryLayout<event>.size) else { c.teardown(); return nil }
        c.readMoreEvent = ev.bindMemory(to: event.self, capacity: 1)
        _ = Unmanaged.passRetained(c)  // the handle's reference
        return c
    }

    func ensureReadMoreAssigned() {
        guard let ev = readMoreEvent, event_initialized(ev) == 0 else { return }
        _ = event_assign(ev, base ?? bufferevent_get_base(bufev), -1, 0, HttpConnection.readMoreTrampoline, arg)
        _ = event_priority_set(ev, Int32(bufferevent_get_priority(bufev)))
    }

    // MARK: bufferevent plumbing

    func setCallbacks(read: Bool, write: Bool) {
        bufferevent_setcb(bufev, read ? HttpConnection.readTrampoline : nil,
                          write ? HttpConnection.writeTrampoline : nil,
                          HttpConnection.eventTrampoline, arg)
    }

    static func enter(_ p: UnsafeMutableRawPointer?, _ body: (HttpConnection) -> Void) {
        guard let p else { return }
        let u = Unmanaged<HttpConnection>.fromOpaque(p)
        _ = u.retain()
        let c = u.takeUnretainedValue()
        if !c.freed { body(c) }
        u.release()
    }

    static let readTrampoline: @convention(c) (HBev?, UnsafeMutableRawPointer?) -> Void = { _, p in
        enter(p) { $0.onRead() }
    }
    static let writeTrampoline: @convention(c) (HBev?, UnsafeMutableRawPointer?) -> Void = { _, p in
        enter(p) { $0.onWrite() }
    }
    static let eventTrampoline: @convention(c) (HBev?, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, p in
        enter(p) { $0.onEvent(what) }
    }
    static let connectTrampoline: @convention(c) (HBev?, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, p in
        enter(p) { $0.onConnectEvent(what) }
    }
    static let readMoreTrampoline: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, _, p in
        enter(p) { $0.onRead() }
    }
    static let retryTrampoline: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, _, p in
        enter(p) { c in
            c.state = .disconnected
            _ = c.connect()
        }
    }
    static let lingerTrampoline: @convention(c) (HBev?, UnsafeMutableRawPointer?) -> Void = { _, p in
        enter(p) { c in
            let input = bufferevent_get_input(c.bufev)
            _ = evbuffer_drain(input, evbuffer_get_length(input))
        }
    }

    var input: OpaquePointer? { return bufferevent_get_input(bufev) }
    var output: OpaquePointer? { return bufferevent_get_output(bufev) }

    var isConnected: Bool {
        switch state {
        case .disconnected, .connecting: return false
        default: return true
        }
    }

    func cancelReadMore() {
        if let ev = readMoreEvent, event_initialized(ev) != 0 { _ = event_del(ev) }
    }

    /// evhttp_start_read_: wait for a message's first line; buffered bytes
    /// are handled from the loop, not from here (no recursion).
    func startRead() {
        _ = bufferevent_disable(bufev, Int16(EV_WRITE))
        _ = bufferevent_enable(bufev, Int16(EV_READ))
        state = .readingFirstLine
        chunkNeedsCRLF = false
        setCallbacks(read: true, write: true)
        if evbuffer_get_length(input) > 0 {
            ensureReadMoreAssigned()
            if let ev = readMoreEvent { event_active(ev, EV_TIMEOUT, 1) }
        }
    }

    func startWrite() {
        _ = bufferevent_disable(bufev, Int16(EV_WRITE))
        _ = bufferevent_enable(bufev, Int16(EV_READ))
        state = .writing
        writeBuffer(.requestWritten)
    }

    /// Output queued: run `then` once it has all gone out; nothing is parsed
    /// meanwhile. With `detectClose` (a chunked reply under way) reading is
    /// on as in libevent, so a peer closing under it fails the connection
    /// (close callback) instead of going unseen until the next write.
    func writeBuffer(_ then: AfterWrite, detectClose: Bool = false) {
        afterWrite = then
        setCallbacks(read: false, write: true)
        _ = bufferevent_enable(bufev, Int16(detectClose ? EV_READ | EV_WRITE : EV_WRITE))
    }

    func onWrite() {
        switch afterWrite {
        case .nothing: break
        case .sendDone: sendDone()
        case .requestWritten: requestWritten()
        case .continueDone: _ = bufferevent_disable(bufev, Int16(EV_WRITE))
        case .user(let cb, let a): cb(handle, a)
        }
    }

    // MARK: failures

    func onEvent(_ what: Int16) {
        let w = Int32(what)
        if fd == -1 { fd = bufferevent_getfd(bufev) }
        if state == .lingering {
            free()
            return
        }
        switch state {
        case .connecting:
            if w & BEV_EVENT_TIMEOUT != 0 {
                cleanupAfterConnectFailure()
                return
            }
        case .readingBody:
            if let req = requests.first, req.pointee.chunked == 0, req.pointee.ntoread < 0,
               w == BEV_EVENT_READING | BEV_EVENT_EOF {
                done()
                return
            }
        default:
            break
        }
        if flags & HttpConnection.closeDetect != 0 {
            flags &= ~HttpConnection.closeDetect
            reset()
            if requests.isEmpty && flags & HttpConnection.outgoing != 0 && flags & HttpConnection.autoFree != 0 {
                free()
            }
            return
        }
        if requests.isEmpty && awaitingRequest {
            // The request libevent would hold here is one the program never
            // saw: a timeout or a close frees the connection, as
            // incomingFail does; anything else fails it (made now).
            if w & (BEV_EVENT_TIMEOUT | BEV_EVENT_EOF | BEV_EVENT_ERROR) != 0 {
                free()
                return
            }
            if currentRequest() == nil { return }
        }
        if requests.isEmpty {
            // Nothing in flight: a server connection goes away; a client
            // connection (the program holds it) just disconnects.
            if flags & HttpConnection.incoming != 0 { free() } else { reset() }
            return
        }
        if w & BEV_EVENT_TIMEOUT != 0 {
            fail(EVREQ_HTTP_TIMEOUT)
        } else if w & (BEV_EVENT_EOF | BEV_EVENT_ERROR) != 0 {
            if w & BEV_EVENT_WRITING != 0 && flags & HttpConnection.readOnWriteError != 0, let req = requests.first {
                readOnWriteError(req)
                return
            }
            fail(EVREQ_HTTP_EOF)
        } else if w == BEV_EVENT_CONNECTED {
        } else {
            fail(EVREQ_HTTP_BUFFER_ERROR)
        }
    }

    func readOnWriteError(_ req: HReq) {
        if flags & HttpConnection.readingError != 0 {
            flags &= ~HttpConnection.readingError
            fail(EVREQ_HTTP_EOF)
            return
        }
        req.pointee.kind = EVHTTP_RESPONSE
        let out = output
        _ = evbuffer_unfreeze(out, 1)
        _ = evbuffer_drain(out, evbuffer_get_length(out))
        _ = evbuffer_freeze(out, 1)
        startRead()
        flags |= HttpConnection.readingError
    }

    /// evhttp_connection_fail_.
    func fail(_ error: evhttp_request_error) {
        let savedErrno = cev_errno()
        guard let req = currentRequest() else { return }
        _ = bufferevent_disable(bufev, Int16(EV_READ | EV_WRITE))
        if flags & HttpConnection.incoming != 0 {
            incomingFail(req, error)
            return
        }
        let errorCb = req.pointee.error_cb
        let errorArg = req.pointee.cb_arg
        var cb: (@convention(c) (UnsafeMutablePointer<evhttp_request>?, UnsafeMutableRawPointer?) -> Void)? = nil
        var cbArg: UnsafeMutableRawPointer? = nil
        if error != EVREQ_HTTP_REQUEST_CANCEL {
            cb = req.pointee.cb
            cbArg = req.pointee.cb_arg
        }
        removeRequest(req)
        HttpRequest.freeAuto(req)
        reset()
        if !requests.isEmpty { _ = connect() }
        cev_set_errno(savedErrno)
        if let errorCb { errorCb(error, errorArg) }
        if let cb { cb(nil, cbArg) }
    }

    /// A server's connection failed: network trouble drops it; a bad
    /// request is answered (the request callback sends the error page).
    func incomingFail(_ req: HReq, _ error: evhttp_request_error) {
        req.pointee.response_code = error == EVREQ_HTTP_DATA_TOO_LONG ? 413 : 400
        switch error {
        case EVREQ_HTTP_TIMEOUT, EVREQ_HTTP_EOF:
            if req.pointee.userdone == 0 {
                removeRequest(req)
                req.pointee.evcon = nil
            }
            free()
        default:
            HMem.free(req.pointee.uri)
            req.pointee.uri = nil
            if let u = req.pointee.uri_elems { HttpUri.release(u); req.pointee.uri_elems = nil }
            // The client may still be sending (a refused body, the rest of
            // a bad request): closing with unread bytes sends a reset that
            // can destroy the error page, so drain them before closing.
            lingerOnClose = true
            HttpRequest.runCb(req)
        }
    }

    // MARK: teardown

    /// evhttp_connection_reset_: back to disconnected, socket closed,
    /// buffers emptied.
    func reset() {
        _ = bufferevent_disable(bufev, Int16(EV_READ | EV_WRITE))
        if fd == -1 { fd = bufferevent_getfd(bufev) }
        if fd != -1 {
            if isConnected, let closeCb { closeCb(handle, closeCbArg) }
            let old = fd
            fd = -1
            _ = bufferevent_setfd(bufev, -1)
            _ = Sys.call { shutdown(old, Int32(SHUT_WR)) }
            _ = evutil_closesocket(old)
        } else {
            _ = bufferevent_setfd(bufev, -1)
        }
        let out = output, inp = input
        _ = evbuffer_drain(out, evbuffer_get_length(out))
        _ = evbuffer_drain(inp, evbuffer_get_length(inp))
        flags &= ~HttpConnection.readingError
        state = .disconnected
    }

    /// Releases the bufferevent and the events; the object itself lives
    /// until its last reference goes.
    func teardown() {
        cancelReadMore()
        if let ev = retryEvent {
            if event_initialized(ev) != 0 { _ = event_del(ev) }
            HMem.free(ev)
            retryEvent = nil
        }
        if let ev = readMoreEvent { HMem.free(ev); readMoreEvent = nil }
        if let b = bufev {
            if fd == -1 { fd = bufferevent_getfd(b) }
            var closeOurselves = false
            if fd != -1 {
                _ = bufferevent_disable(b, Int16(EV_READ | EV_WRITE))
                _ = Sys.call { shutdown(fd, Int32(SHUT_WR)) }
                closeOurselves = bufferevent_setfd(b, -1) == 0
            }
            bufferevent_free(b)
            if closeOurselves { _ = evutil_closesocket(fd) }
            fd = -1
            bufev = nil
        }
        HMem.free(address); address = nil
        HMem.free(bindAddress); bindAddress = nil
        HMem.free(scratch); scratch = nil; scratchCap = 0
    }

    /// evhttp_connection_free.
    func free() {
        if freed { return }
        if fd == -1, let b = bufev { fd = bufferevent_getfd(b) }
        if fd != -1, isConnected, let closeCb { closeCb(handle, closeCbArg) }
        freed = true
        while let req = requests.first {
            requests.removeFirst()
            HttpRequest.freeAuto(req)
        }
        if let server { server.removeConnection(self) }
        server = nil
        teardown()
        Unmanaged.passUnretained(self).release()
    }

    // MARK: server side

    /// The connection waits for its next message. libevent makes the request
    /// object now; ours is made when the first bytes arrive
    /// (pendingRequest), so an idle keep-alive connection holds no request,
    /// its buffers or header lists. A finished one (`old`) goes to the
    /// server's pool for the next message on any connection.
    func associateNewRequest(reusing old: HReq? = nil) -> Bool {
        guard let server else {
            if let old { HttpRequest.free(old) }
            return false
        }
        if let old { server.poolRequest(old) }
        awaitingRequest = true
        startRead()
        return true
    }

    /// The request the bytes now arriving belong to, made as
    /// associateNewRequest would have made it; nil when memory ran out (the
    /// caller frees the connection, as libevent's does when it cannot make it).
    func pendingRequest() -> HReq? {
        awaitingRequest = false
        guard let server else { return nil }
        guard let req = server.pooledRequest() ?? HttpRequest.new(HttpServer.handleRequestTrampoline, server.arg) else {
            return nil
        }
        guard let host = address, let rh = HttpBytes.dup(UnsafePointer(host)) else {
            HttpRequest.free(req)
            return nil
        }
        req.pointee.remote_host = rh
        req.pointee.remote_port = port
        req.pointee.evcon = handle
        req.pointee.flags |= reqOwnConnection
        req.pointee.userdone = 1
        guard requests.reserveOneMore() else {
            HttpRequest.free(req)
            return nil
        }
        requests.append(req)
        req.pointee.kind = EVHTTP_REQUEST
        return req
    }

    /// The request in flight, the one still to be made included (see
    /// associateNewRequest); nil if none. Frees the connection when making
    /// it ran out of memory (`freed` tells).
    func currentRequest() -> HReq? {
        if let r = requests.first { return r }
        if !awaitingRequest { return nil }
        if let r = pendingRequest() { return r }
        free()
        return nil
    }

    /// The reply went out: next request, or close.
    func sendDone() {
        guard let req = requests.first else { return }
        requests.removeFirst()
        if let cb = req.pointee.on_complete_cb { cb(req, req.pointee.on_complete_cb_arg) }
        let needClose = (HttpRequest.versionBefore(req, 1, 1) && !HttpRequest.isKeepAlive(req.pointee.input_headers))
            || HttpRequest.wantsClose(req)
        if needClose {
            HttpRequest.free(req)
            if lingerOnClose { linger() } else { free() }
            return
        }
        let spare = HttpRequest.recycle(req)
        if spare == nil { HttpRequest.free(req) }
        if !associateNewRequest(reusing: spare) { free() }
    }

    /// Closes our side, then reads and drops what the peer still sends
    /// until it closes too or the time runs out.
    func linger() {
        guard let b = bufev, fd != -1 || bufferevent_getfd(b) != -1 else { free(); return }
        if fd == -1 { fd = bufferevent_getfd(b) }
        state = .lingering
        _ = Sys.call { shutdown(fd, Int32(SHUT_WR)) }
        let inp = input
        _ = evbuffer_drain(inp, evbuffer_get_length(inp))
        bufferevent_setcb(b, HttpConnection.lingerTrampoline, nil, HttpConnection.eventTrampoline, arg)
        var t = HttpConnection.lingerTime
        _ = bufferevent_set_timeouts(b, &t, nil)
        _ = bufferevent_disable(b, Int16(EV_WRITE))
        _ = bufferevent_enable(b, Int16(EV_READ))
    }

    func setTimeout(_ tv: UnsafePointer<timeval>?) {
        if let tv {
            timeout = tv.pointee
            _ = bufferevent_set_timeouts(bufev, &timeout, &timeout)
        } else {
            timeout = timeval(tv_sec: 0, tv_usec: 0)
            var r = timeval(tv_sec: HttpConnection.readTimeout, tv_usec: 0)
            var w = timeval(tv_sec: HttpConnection.writeTimeout, tv_usec: 0)
            _ = bufferevent_set_timeouts(bufev, &r, &w)
        }
    }

    func sendError(_ req: HReq, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        HttpReply.sendError(req, code, reason)
    }
}
