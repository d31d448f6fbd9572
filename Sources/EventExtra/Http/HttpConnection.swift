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

    /// Output queued: run `then` once it has all gone out. Reading stays
    /// on (for close detection) but nothing is parsed meanwhile.
    func writeBuffer(_ then: AfterWrite) {
        afterWrite = then
        setCallbacks(read: false, write: true)
        _ = bufferevent_enable(bufev, Int16(EV_WRITE))
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

    // MARK: reading

    func onRead() {
        cancelReadMore()
        guard let req = requests.first else {
            if state == .idle { reset() }
            return
        }
        switch state {
        case .readingFirstLine: readFirstLine(req)
        case .readingHeaders: readHeaders(req)
        case .readingBody: readBody(req)
        case .readingTrailer: readTrailer(req)
        case .idle: reset()
        case .writing:
            // Reading is off while a request is answered (done()); bytes
            // read before that wait in the input buffer until startRead.
            break
        default: break
        }
    }

    func knownHost(_ h: UnsafePointer<CChar>) -> Bool {
        guard let server else { return true }
        return server.findVhost(h).found
    }

    func readFirstLine(_ req: HReq) {
        let r = HttpParser.firstLine(req, input, maxHeaders: maxHeadersSize, isKnownHost: knownHost)
        switch r {
        case .corrupted, .tooLong:
            fail(EVREQ_HTTP_INVALID_HEADER)
        case .more:
            return
        case .done:
            state = .readingHeaders
            readHeaders(req)
        }
    }

    func readHeaders(_ req: HReq) {
        switch HttpParser.headers(req, input, maxHeaders: maxHeadersSize) {
        case .corrupted, .tooLong:
            fail(EVREQ_HTTP_INVALID_HEADER)
            return
        case .more:
            return
        case .done:
            break
        }
        if let hcb = req.pointee.header_cb {
            if hcb(req, req.pointee.cb_arg) < 0 {
                fail(EVREQ_HTTP_EOF)
                return
            }
        }
        if req.pointee.kind == EVHTTP_REQUEST {
            getBody(req)
        } else {
            if req.pointee.response_code == 100 {
                evbuffer_add_buffer(output, req.pointee.output_buffer)
                startWrite()
                return
            }
            if !HttpRequest.needsBody(req) {
                done()
            } else {
                getBody(req)
            }
        }
    }

    static func methodMayHaveBody(_ t: evhttp_cmd_type) -> Bool {
        switch t {
        case EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_PATCH,
             EVHTTP_REQ_GET, EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_CONNECT:
            return true
        default:
            return false
        }
    }

    enum Expect { case no, cont, other }

    static func expect(_ req: HReq, input: Bool) -> Expect {
        if req.pointee.kind != EVHTTP_REQUEST || HttpRequest.versionBefore(req, 1, 1) { return .no }
        guard let h = input ? req.pointee.input_headers : req.pointee.output_headers,
              let e = HttpHeaders.find(h, "Expect") else { return .no }
        return HttpBytes.caseEq(e, "100-continue") ? .cont : .other
    }

    func getBody(_ req: HReq) {
        if req.pointee.kind == EVHTTP_REQUEST && !HttpConnection.methodMayHaveBody(req.pointee.type) {
            done()
            return
        }
        state = .readingBody
        switch HttpParser.framing(req) {
        case .invalid:
            fail(EVREQ_HTTP_INVALID_HEADER)
            return
        case .chunked:
            req.pointee.chunked = 1
            req.pointee.ntoread = -1
        case .length(let n):
            req.pointee.ntoread = n
            if req.pointee.kind == EVHTTP_REQUEST && n < 1 { done(); return }
        case .untilClose:
            req.pointee.ntoread = -1
            if req.pointee.kind == EVHTTP_REQUEST { done(); return }
        }
        switch HttpConnection.expect(req, input: true) {
        case .cont:
            if req.pointee.ntoread > 0 && UInt64(req.pointee.ntoread) > maxBodySize {
                lingeringFail(req)
                return
            }
            if evbuffer_get_length(input) == 0 { sendContinue(req) }
        case .other:
            sendError(req, 417, nil)
            return
        case .no:
            break
        }
        readBody(req)
    }

    func sendContinue(_ req: HReq) {
        _ = bufferevent_enable(bufev, Int16(EV_WRITE))
        var a = [UInt8]()
        HttpBytes.append(&a, "HTTP/")
        HttpBytes.appendDecimal(&a, Int64(req.pointee.major))
        a.append(46)
        HttpBytes.appendDecimal(&a, Int64(req.pointee.minor))
        HttpBytes.append(&a, " 100 Continue\r\n\r\n")
        bufAdd(output, a)
        afterWrite = .continueDone
        setCallbacks(read: true, write: true)
    }

    enum ChunkResult { case all, more, corrupted, tooLong, canceled }

    func readChunked(_ req: HReq) -> ChunkResult {
        let buf = input
        while true {
            let buflen = evbuffer_get_length(buf)
            if buflen == 0 { return .more }
            if chunkNeedsCRLF {
                var two: (UInt8, UInt8) = (0, 0)
                let got = withUnsafeMutableBytes(of: &two) { evbuffer_copyout(buf, $0.baseAddress, 2) }
                if two.0 == 10 {
                    _ = evbuffer_drain(buf, 1)
                } else if two.0 == 13 {
                    if got < 2 { return .more }
                    if two.1 != 10 { return .corrupted }
                    _ = evbuffer_drain(buf, 2)
                } else {
                    return .corrupted
                }
                chunkNeedsCRLF = false
                continue
            }
            if req.pointee.ntoread < 0 {
                guard let (line, nul) = HttpParser.readLine(buf) else {
                    // a size line is short: refuse an endless one
                    return buflen > 4096 ? .corrupted : .more
                }
                if nul { return .corrupted }
                guard let n = HttpParser.chunkSize(line) else { return .corrupted }
                let (sum, o) = req.pointee.body_size.addingReportingOverflow(Int(truncatingIfNeeded: n))
                if o || n > Int64(Int.max) { return .tooLong }
                if UInt64(sum) > maxBodySize { return .tooLong }
                req.pointee.body_size = sum
                req.pointee.ntoread = n
                if n == 0 { return .all }
                continue
            }
            if buflen < Int(req.pointee.ntoread) { return .more }
            evbuffer_remove_buffer(buf, req.pointee.input_buffer, Int(req.pointee.ntoread))
            req.pointee.ntoread = -1
            chunkNeedsCRLF = true
            if let ccb = req.pointee.chunk_cb {
                req.pointee.flags |= reqDeferFree
                ccb(req, req.pointee.cb_arg)
                let ib = req.pointee.input_buffer
                _ = evbuffer_drain(ib, evbuffer_get_length(ib))
                req.pointee.flags &= ~reqDeferFree
                if req.pointee.flags & reqNeedsFree != 0 { return .canceled }
            }
        }
    }

    /// Trailer fields are read and dropped, as libevent 2.1.12 does.
    func readTrailer(_ req: HReq) {
        var scratch = evkeyvalq()
        let r = withUnsafeMutablePointer(to: &scratch) { q -> HttpParseResult in
            HttpHeaders.initList(q)
            let r = HttpParser.headers(req, input, maxHeaders: maxHeadersSize, into: q)
            HttpHeaders.clear(q)
            return r
        }
        switch r {
        case .corrupted:
            fail(EVREQ_HTTP_INVALID_HEADER)
        case .tooLong:
            fail(EVREQ_HTTP_DATA_TOO_LONG)
        case .done:
            _ = bufferevent_disable(bufev, Int16(EV_READ))
            done()
        case .more:
            break
        }
    }

    func lingeringFail(_ req: HReq) {
        fail(EVREQ_HTTP_DATA_TOO_LONG)
    }

    func readBody(_ req: HReq) {
        let buf = input
        if req.pointee.chunked != 0 {
            switch readChunked(req) {
            case .all:
                state = .readingTrailer
                readTrailer(req)
                return
            case .corrupted:
                fail(EVREQ_HTTP_INVALID_HEADER)
                return
            case .tooLong:
                fail(EVREQ_HTTP_DATA_TOO_LONG)
                return
            case .canceled:
                removeRequest(req)
                HttpRequest.freeAuto(req)
                return
            case .more:
                break
            }
        } else if req.pointee.ntoread < 0 {
            let n = evbuffer_get_length(buf)
            let (sum, o) = req.pointee.body_size.addingReportingOverflow(n)
            if o { fail(EVREQ_HTTP_INVALID_HEADER); return }
            req.pointee.body_size = sum
            evbuffer_add_buffer(req.pointee.input_buffer, buf)
        } else if req.pointee.chunk_cb != nil || UInt64(evbuffer_get_length(buf)) >= UInt64(req.pointee.ntoread) {
            var n = evbuffer_get_length(buf)
            if Int64(n) > req.pointee.ntoread { n = Int(req.pointee.ntoread) }
            req.pointee.ntoread -= Int64(n)
            req.pointee.body_size += n
            evbuffer_remove_buffer(buf, req.pointee.input_buffer, n)
        }
        if UInt64(req.pointee.body_size) > maxBodySize
            || (req.pointee.chunked == 0 && req.pointee.ntoread >= 0 && UInt64(req.pointee.ntoread) > maxBodySize) {
            lingeringFail(req)
            return
        }
        if let ccb = req.pointee.chunk_cb, evbuffer_get_length(req.pointee.input_buffer) > 0 {
            req.pointee.flags |= reqDeferFree
            ccb(req, req.pointee.cb_arg)
            req.pointee.flags &= ~reqDeferFree
            let ib = req.pointee.input_buffer
            _ = evbuffer_drain(ib, evbuffer_get_length(ib))
            if req.pointee.flags & reqNeedsFree != 0 {
                removeRequest(req)
                HttpRequest.freeAuto(req)
                return
            }
        }
        if req.pointee.ntoread == 0 {
            _ = bufferevent_disable(bufev, Int16(EV_READ))
            done()
        }
    }

    func removeRequest(_ req: HReq) {
        if let i = requests.firstIndex(of: req) { requests.remove(at: i) }
    }

    /// evhttp_connection_done: a whole message was read.
    func done() {
        guard let req = requests.first else { return }
        let isOutgoing = flags & HttpConnection.outgoing != 0
        var freeAfter = false
        if isOutgoing {
            let needClose = HttpRequest.wantsClose(req)
            requests.removeFirst()
            req.pointee.evcon = nil
            state = .idle
            if needClose { reset() }
            if !requests.isEmpty {
                if !isConnected { _ = connect() } else { dispatch() }
            } else if !needClose {
                startDetectClose()
            } else if flags & HttpConnection.autoFree != 0 {
                freeAfter = true
            }
        } else {
            // As libevent 2.1.12: no reading while the program answers, so
            // a client's half-close does not cancel a reply still to come;
            // pipelined requests wait in the socket until startRead.
            _ = bufferevent_disable(bufev, Int16(EV_READ))
            state = .writing
        }
        HttpRequest.runCb(req)
        if isOutgoing {
            HttpRequest.freeAuto(req)
            if freeAfter && requests.isEmpty && !freed { free() }
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
        guard let req = requests.first else { return }
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
            // Unread body bytes would make the close a reset that can
            // destroy the answer: drain them before closing.
            if error == EVREQ_HTTP_DATA_TOO_LONG { lingerOnClose = true }
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

    /// A new request object waits for the next message on this connection.
    func associateNewRequest(reusing old: HReq? = nil) -> Bool {
        guard let server else { return false }
        guard let req = old ?? HttpRequest.new(HttpServer.handleRequestTrampoline, server.arg) else { return false }
        guard let host = address, let rh = HttpBytes.dup(UnsafePointer(host)) else {
            HttpRequest.free(req)
            return false
        }
        req.pointee.remote_host = rh
        req.pointee.remote_port = port
        req.pointee.evcon = handle
        req.pointee.flags |= reqOwnConnection
        req.pointee.userdone = 1
        guard requests.reserveOneMore() else {
            HttpRequest.free(req)
            return false
        }
        requests.append(req)
        req.pointee.kind = EVHTTP_REQUEST
        startRead()
        return true
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

    // MARK: client side

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
