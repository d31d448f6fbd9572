import CEventExtra

/// struct evhttp: a server (or a virtual host of one). Holds its bound
/// sockets, per-path callbacks, the generic callback, virtual hosts,
/// aliases, limits, and the connections it accepted.
final class HttpServer {
    typealias Cb = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void
    typealias BevCb = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> HBev?

    final class Bound {
        var listener: OpaquePointer?
        init(_ l: OpaquePointer?) { listener = l }
        var handle: OpaquePointer { return OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
        static func from(_ p: OpaquePointer) -> Bound {
            return Unmanaged<Bound>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
        }
    }

    struct PathCb {
        var what: HCStr
        var cb: Cb?
        var arg: UnsafeMutableRawPointer?
    }

    var base: OpaquePointer?
    var sockets: [Bound] = []
    var connections: [HttpConnection] = []
    var callbacks: [PathCb] = []
    var gencb: Cb? = nil
    var gencbArg: UnsafeMutableRawPointer? = nil
    var bevcb: BevCb? = nil
    var bevcbArg: UnsafeMutableRawPointer? = nil
    /// Finished requests kept for reuse (linked through their `next`).
    var requestPool: HReq? = nil
    var pooled = 0
    var vhosts: [HttpServer] = []
    var vhostPattern: HCStr? = nil
    var aliases: [HCStr] = []
    var timeout = timeval(tv_sec: 0, tv_usec: 0)
    var maxHeadersSize: Int = Int.max
    var maxBodySize: UInt64 = UInt64.max
    var defaultContentType: UnsafePointer<CChar>? = HttpBytes.cstr("text/html; charset=ISO-8859-1")
    var allowedMethods: UInt16 = UInt16(EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_POST.rawValue | EVHTTP_REQ_HEAD.rawValue
                                        | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue)
    var flags: Int32 = 0
    /// Date header text of the second `dateSecond` (HttpReply.addDate).
    var dateSecond: time_t = -1
    /// Where replies' heads are built (HttpReply.makeHeader).
    var scratch: UnsafeMutableRawPointer? = nil
    var scratchCap = 0
    var dateText: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)

    init(base: OpaquePointer?) { self.base = base }

    var handle: OpaquePointer { return OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    var arg: UnsafeMutableRawPointer { return Unmanaged.passUnretained(self).toOpaque() }
    static func from(_ p: OpaquePointer) -> HttpServer {
        return Unmanaged<HttpServer>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    // MARK: sockets

    static let acceptTrampoline: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<sockaddr>?, Int32, UnsafeMutableRawPointer?) -> Void = { _, fd, sa, len, p in
        guard let p else { return }
        let s = Unmanaged<HttpServer>.fromOpaque(p).takeUnretainedValue()
        s.accepted(fd, sa, len)
    }

    func bindListener(_ l: OpaquePointer?) -> Bound? {
        guard sockets.reserveOneMore(), let b = Memory.build({ Bound(l) }) else { return nil }
        sockets.append(b)
        evconnlistener_set_cb(l, HttpServer.acceptTrampoline, arg)
        return b
    }

    func acceptSocket(_ fd: Int32) -> Bound? {
        let flags = UInt32(LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE)
        guard let l = evconnlistener_new(base, nil, nil, flags, 0, fd) else { return nil }
        return bindListener(l)
    }

    func bindSocket(_ address: UnsafePointer<CChar>?, _ port: UInt16) -> Bound? {
        let fd = HttpSockets.bind(address, port, reuse: true)
        if fd == -1 { return nil }
        if Sys.call({ listen(fd, 128) }).failed {
            Log.warnErrno("evhttp_bind_socket_with_handle: listen")
            _ = evutil_closesocket(fd)
            return nil
        }
        return acceptSocket(fd)
    }

    func delSocket(_ b: Bound) {
        if let i = sockets.firstIndex(where: { $0 === b }) { sockets.remove(at: i) }
        evconnlistener_free(b.listener)
    }

    // MARK: connections

    func accepted(_ fd: Int32, _ sa: UnsafeMutablePointer<sockaddr>?, _ len: Int32) {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var serv = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        var ok = false
        if let sa {
            ok = getnameinfo(sa, socklen_t(len), &host, socklen_t(host.count), &serv, socklen_t(serv.count),
                             NI_NUMERICHOST | NI_NUMERICSERV) == 0
        }
        guard ok else { _ = evutil_closesocket(fd); return }
        let bev = bevcb.map { $0(base, bevcbArg) } ?? nil
        let port = UInt16(truncatingIfNeeded: atoi(serv))
        guard let c = host.withUnsafeBufferPointer({
            HttpConnection.create(base: base, dns: nil, bev: bev, address: $0.baseAddress, port: port)
        }) else {
            _ = evutil_closesocket(fd)
            return
        }
        // evhttp_connection_get_addr of a server connection: the peer
        if let sa, len > 0, Int(len) <= MemoryLayout<sockaddr_storage>.size {
            withUnsafeMutableBytes(of: &c.connectedAddr) { _ = memcpy($0.baseAddress!, sa, Int(len)) }
            c.connectedAddrLen = socklen_t(len)
        }
        c.maxHeadersSize = maxHeadersSize
        c.maxBodySize = maxBodySize
        if flags & 0x0001 != 0 { c.flags |= HttpConnection.lingeringClose }
        c.flags |= HttpConnection.incoming
        // evhttp_connection_get_addr on a server's connection: the peer.
        if let sa, len > 0, Int(len) <= MemoryLayout<sockaddr_storage>.size {
            withUnsafeMutableBytes(of: &c.connectedAddr) { $0.baseAddress?.copyMemory(from: sa, byteCount: Int(len)) }
            c.connectedAddrLen = socklen_t(len)
        }
        c.state = .readingFirstLine
        c.fd = fd
        _ = bufferevent_enable(c.bufev, Int16(EV_READ))
        _ = bufferevent_disable(c.bufev, Int16(EV_WRITE))
        _ = bufferevent_setfd(c.bufev, fd)
        if timeout.tv_sec != 0 || timeout.tv_usec != 0 { c.setTimeout(&timeout) }
        guard connections.reserveOneMore() else { c.free(); return }
        c.server = self
        connections.append(c)
        if !c.associateNewRequest() { c.free() }
    }

    // MARK: finished requests kept for the next message

    /// Most finished requests kept (with their buffers and header lists) for
    /// the next message on any connection: enough for connections taking
    /// turns, while idle connections hold none.
    static let poolMax = 128

    func poolRequest(_ r: HReq) {
        if pooled >= HttpServer.poolMax {
            HttpRequest.free(r)
            return
        }
        r.pointee.next.tqe_next = requestPool
        requestPool = r
        pooled += 1
    }

    func pooledRequest() -> HReq? {
        guard let r = requestPool else { return nil }
        requestPool = r.pointee.next.tqe_next
        r.pointee.next.tqe_next = nil
        pooled -= 1
        return r
    }

    func removeConnection(_ c: HttpConnection) {
        if let i = connections.firstIndex(where: { $0 === c }) { connections.remove(at: i) }
    }

    // MARK: dispatch

    static let handleRequestTrampoline: HReqCb = { r, p in
        guard let r, let p else { return }
        let s = Unmanaged<HttpServer>.fromOpaque(p).takeUnretainedValue()
        s.handle(HReq(r))
    }

    /// A whole request arrived (or a bad one, with uri cleared): answer
    /// errors, pick the virtual host, then the path's callback, the
    /// generic one, or a 404 page.
    func handle(_ req: HReq) {
        req.pointee.userdone = 0
        if req.pointee.type.rawValue == 0 || req.pointee.uri == nil {
            HttpReply.sendError(req, req.pointee.response_code, nil)
            return
        }
        if UInt32(allowedMethods) & req.pointee.type.rawValue == 0 {
            HttpReply.sendError(req, 501, nil)
            return
        }
        var http = self
        if let host = HttpRequest.host(req) { http = findVhost(host).server }
        if !http.callbacks.isEmpty, let u = req.pointee.uri_elems, let path = HttpUri.from(u).path {
            var decoded = HttpEncoding.decode(UnsafeRawPointer(path), strlen(path), plusMode: 0)
            decoded.append(0)
            let hit: PathCb? = decoded.withUnsafeBytes { d in
                let dp = d.baseAddress!.assumingMemoryBound(to: CChar.self)
                return http.callbacks.first(where: { strcmp($0.what, dp) == 0 })
            }
            if let hit {
                hit.cb?(HttpRequest.handle(req), hit.arg)
                return
            }
        }
        if let g = http.gencb {
            g(HttpRequest.handle(req), http.gencbArg)
            return
        }
        HttpReply.sendNotFound(req)
    }

    // MARK: virtual hosts

    static func patternMatch(_ pattern: UnsafePointer<CChar>, _ name: UnsafePointer<CChar>) -> Bool {
        var p = pattern, n = name
        while true {
            let c = UInt8(bitPattern: p.pointee)
            p += 1
            switch c {
            case 0:
                return n.pointee == 0
            case 42:
                while n.pointee != 0 {
                    if patternMatch(p, n) { return true }
                    n += 1
                }
                // as libevent's matcher: '*' never matches an empty rest
                return false
            default:
                let m = UInt8(bitPattern: n.pointee)
                if c != m && HttpBytes.lower(c) != HttpBytes.lower(m) { return false }
                if m == 0 { return false }
                n += 1
            }
        }
    }

    func findAlias(_ host: UnsafePointer<CChar>) -> HttpServer? {
        for a in aliases where evutil_ascii_strcasecmp(a, host) == 0 { return self }
        for v in vhosts { if let s = v.findAlias(host) { return s } }
        return nil
    }

    func findVhost(_ host: UnsafePointer<CChar>) -> (found: Bool, server: HttpServer) {
        if let s = findAlias(host) { return (true, s) }
        var http = self
        var found = false
        while true {
            guard let v = http.vhosts.first(where: { $0.vhostPattern.map { HttpServer.patternMatch($0, host) } ?? false }) else { break }
            http = v
            found = true
        }
        return (found, http)
    }

    // MARK: teardown

    func free() {
        for b in sockets { evconnlistener_free(b.listener) }
        sockets.removeAll()
        while let c = connections.first { c.free() }
        for cb in callbacks { HMem.free(cb.what) }
        callbacks.removeAll()
        for v in vhosts { v.free() }
        vhosts.removeAll()
        HMem.free(vhostPattern); vhostPattern = nil
        for a in aliases { HMem.free(a) }
        aliases.removeAll()
        HMem.free(scratch); scratch = nil
        while let r = pooledRequest() { HttpRequest.free(r) }
        Unmanaged.passUnretained(self).release()
    }
}

/// Listening and client sockets, bound as libevent binds them.
enum HttpSockets {
    static func bindAI(_ ai: UnsafeMutablePointer<addrinfo>?, reuse: Bool) -> Int32 {
        let family = ai?.pointee.ai_family ?? AF_INET
        let s = Sys.call { socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        if s.failed { Sys.errno = s.errno; return -1 }
        let fd = s.value
        var on: Int32 = 1
        var r = Sys.call { setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size)) }
        if !r.failed && reuse && evutil_make_listen_socket_reuseable(fd) != 0 { r = Sys.Result(value: -1, errno: Sys.errno) }
        if !r.failed, let ai {
            r = Sys.call { CEventExtra.bind(fd, __CONST_SOCKADDR_ARG(__sockaddr__: ai.pointee.ai_addr), socklen_t(ai.pointee.ai_addrlen)) }
        }
        if r.failed {
            _ = evutil_closesocket(fd)
            Sys.errno = r.errno
            return -1
        }
        return fd
    }

    static func bind(_ address: UnsafePointer<CChar>?, _ port: UInt16, reuse: Bool) -> Int32 {
        if address == nil && port == 0 { return bindAI(nil, reuse: false) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG
        var portText = [UInt8]()
        HttpBytes.appendUnsigned(a: &portText, UInt64(port))
        portText.append(0)
        var res: UnsafeMutablePointer<addrinfo>? = nil
        let rc = portText.withUnsafeBytes {
            evutil_getaddrinfo(address, $0.baseAddress!.assumingMemoryBound(to: CChar.self), &hints, &res)
        }
        if rc != 0 || res == nil { return -1 }
        let fd = bindAI(res, reuse: reuse)
        evutil_freeaddrinfo(res)
        return fd
    }
}
