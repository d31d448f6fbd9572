import CEventExtra

/// struct evhttp_request (http_struct.h): a C block from the program's
/// allocator, fields as libevent lays them out, since programs read them.
typealias HReq = UnsafeMutablePointer<evhttp_request>
typealias HReqCb = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void

// Values of req->flags (http_struct.h).
let reqOwnConnection: Int32 = 0x0001
let reqProxy: Int32 = 0x0002
let reqUserOwned: Int32 = 0x0004
let reqDeferFree: Int32 = 0x0008
let reqNeedsFree: Int32 = 0x0010

/// libevent's internal "method not recognised" type.
let reqUnknownType: UInt32 = 1 << 15

enum HttpRequest {
    @inline(__always) static func from(_ p: OpaquePointer) -> HReq { return HReq(p) }
    @inline(__always) static func handle(_ r: HReq) -> OpaquePointer { return OpaquePointer(r) }

    static func new(_ cb: HReqCb?, _ arg: UnsafeMutableRawPointer?) -> HReq? {
        guard let raw = HMem.calloc(1, MemoryLayout<evhttp_request>.size) else {
            HLog.warnx("evhttp_request_new: calloc")
            return nil
        }
        let r = raw.bindMemory(to: evhttp_request.self, capacity: 1)
        r.pointee.kind = EVHTTP_RESPONSE
        r.pointee.input_headers = HttpHeaders.newList()
        r.pointee.output_headers = HttpHeaders.newList()
        r.pointee.input_buffer = evbuffer_new()
        r.pointee.output_buffer = evbuffer_new()
        if r.pointee.input_headers == nil || r.pointee.output_headers == nil
            || r.pointee.input_buffer == nil || r.pointee.output_buffer == nil {
            free(r)
            return nil
        }
        r.pointee.cb = unsafeBitCast(cb, to: (@convention(c) (UnsafeMutablePointer<evhttp_request>?, UnsafeMutableRawPointer?) -> Void)?.self)
        r.pointee.cb_arg = arg
        return r
    }

    /// evhttp_request_free: deferred while a chunk callback runs.
    static func free(_ r: HReq) {
        if r.pointee.flags & reqDeferFree != 0 {
            r.pointee.flags |= reqNeedsFree
            return
        }
        HMem.free(r.pointee.remote_host)
        HMem.free(r.pointee.uri)
        if let u = r.pointee.uri_elems { HttpUri.release(u) }
        HMem.free(r.pointee.response_code_line)
        HMem.free(r.pointee.host_cache)
        HttpHeaders.freeList(r.pointee.input_headers)
        HttpHeaders.freeList(r.pointee.output_headers)
        if let b = r.pointee.input_buffer { evbuffer_free(b) }
        if let b = r.pointee.output_buffer { evbuffer_free(b) }
        HMem.free(r)
    }

    /// Makes a finished server request like new for the connection's next
    /// message: its header lists and buffers are kept (emptied) instead of
    /// freed and allocated again. nil when it must be freed instead (a chunk
    /// callback is running).
    static func recycle(_ r: HReq) -> HReq? {
        if r.pointee.flags & reqDeferFree != 0 { return nil }
        guard let ih = r.pointee.input_headers, let oh = r.pointee.output_headers,
              let ib = r.pointee.input_buffer, let ob = r.pointee.output_buffer else { return nil }
        HMem.free(r.pointee.remote_host)
        HMem.free(r.pointee.uri)
        if let u = r.pointee.uri_elems { HttpUri.release(u) }
        HMem.free(r.pointee.response_code_line)
        HMem.free(r.pointee.host_cache)
        HttpHeaders.clear(ih)
        HttpHeaders.clear(oh)
        _ = evbuffer_drain(ib, evbuffer_get_length(ib))
        _ = evbuffer_drain(ob, evbuffer_get_length(ob))
        let cb = r.pointee.cb, arg = r.pointee.cb_arg
        memset(r, 0, MemoryLayout<evhttp_request>.size)
        r.pointee.kind = EVHTTP_RESPONSE
        r.pointee.input_headers = ih
        r.pointee.output_headers = oh
        r.pointee.input_buffer = ib
        r.pointee.output_buffer = ob
        r.pointee.cb = cb
        r.pointee.cb_arg = arg
        return r
    }

    /// Frees unless the program took ownership with evhttp_request_own.
    static func freeAuto(_ r: HReq) {
        if r.pointee.flags & reqUserOwned == 0 { free(r) }
    }

    static func runCb(_ r: HReq) {
        if let cb = r.pointee.cb { cb(r, r.pointee.cb_arg) }
    }

    static func connection(_ r: HReq) -> HttpConnection? {
        guard let p = r.pointee.evcon else { return nil }
        return HttpConnection.from(p)
    }

    static func versionBefore(_ r: HReq, _ major: Int8, _ minor: Int8) -> Bool {
        return r.pointee.major < major || (r.pointee.major == major && r.pointee.minor < minor)
    }

    /// A response to this request carries a body (RFC 2616 4.3).
    static func needsBody(_ r: HReq) -> Bool {
        let c = r.pointee.response_code
        return c != 204 && c != 304 && (c < 100 || c >= 200) && r.pointee.type != EVHTTP_REQ_HEAD
    }

    static func isConnectionClose(_ flags: Int32, _ h: HKVQ?) -> Bool {
        guard let h else { return false }
        if flags & reqProxy != 0 {
            guard let v = HttpHeaders.find(h, "Proxy-Connection") else { return true }
            return !HttpBytes.caseEq(v, "keep-alive")
        }
        guard let v = HttpHeaders.find(h, "Connection") else { return false }
        return HttpBytes.caseEq(v, "close")
    }

    static func isKeepAlive(_ h: HKVQ?) -> Bool {
        guard let h, let v = HttpHeaders.find(h, "Connection") else { return false }
        return evutil_ascii_strncasecmp(v, HttpBytes.cstr("keep-alive"), 10) == 0
    }

    static func wantsClose(_ r: HReq) -> Bool {
        return isConnectionClose(r.pointee.flags, r.pointee.input_headers)
            || isConnectionClose(r.pointee.flags, r.pointee.output_headers)
    }

    /// evhttp_response_code_: the code and its reason (a copy).
    static func setResponseCode(_ r: HReq, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        r.pointee.kind = EVHTTP_RESPONSE
        r.pointee.response_code = code
        // copy first: `reason` may be the current line itself
        let line = reason.map { HttpBytes.dup($0) } ?? HttpBytes.dup(HttpPhrases.phrase(code))
        HMem.free(r.pointee.response_code_line)
        r.pointee.response_code_line = line
    }

    /// evhttp_request_get_host: the URI's host, else the Host header
    /// without its port (cached in host_cache).
    static func host(_ r: HReq) -> UnsafePointer<CChar>? {
        if let c = r.pointee.host_cache { return UnsafePointer(c) }
        var host: UnsafePointer<CChar>? = nil
        if let u = r.pointee.uri_elems, let h = HttpUri.from(u).host { host = UnsafePointer(h) }
        if host == nil, let ih = r.pointee.input_headers, let h = HttpHeaders.find(ih, "Host") {
            host = h
            let n = strlen(h)
            if n > 0 {
                var p = n - 1
                while p > 0 && HttpBytes.isDigit(UInt8(bitPattern: h[p])) { p -= 1 }
                if p > 0 && h[p] == 58 {
                    guard let c = HttpBytes.dup(UnsafeRawPointer(h), p) else { return nil }
                    r.pointee.host_cache = c
                    host = UnsafePointer(c)
                }
            }
        }
        return host
    }

    static func methodName(_ t: evhttp_cmd_type) -> StaticString? {
        switch t {
        case EVHTTP_REQ_GET: return "GET"
        case EVHTTP_REQ_POST: return "POST"
        case EVHTTP_REQ_HEAD: return "HEAD"
        case EVHTTP_REQ_PUT: return "PUT"
        case EVHTTP_REQ_DELETE: return "DELETE"
        case EVHTTP_REQ_OPTIONS: return "OPTIONS"
        case EVHTTP_REQ_TRACE: return "TRACE"
        case EVHTTP_REQ_CONNECT: return "CONNECT"
        case EVHTTP_REQ_PATCH: return "PATCH"
        default: return nil
        }
    }
}

/// Reason phrases libevent uses when the program gives none.
enum HttpPhrases {
    static func phrase(_ code: Int32) -> StaticString {
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 205: return "Reset Content"
        case 206: return "Partial Content"
        case 300: return "Multiple Choices"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 305: return "Use Proxy"
        case 306: return "Temporary Redirect" // libevent's table has no 306: index 6 is 307's text
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Time-out"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Request Entity Too Large"
        case 414: return "Request-URI Too Large"
        case 415: return "Unsupported Media Type"
        case 416: return "Requested range not satisfiable"
        case 417: return "Expectation Failed"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Time-out"
        case 505: return "HTTP Version not supported"
        default: break
        }
        switch code / 100 {
        case 1: return "Informational"
        case 2: return "Success"
        case 3: return "Redirection"
        case 4: return "Client Error"
        case 5: return "Server Error"
        default: return "Unknown Status Class"
        }
    }
}
