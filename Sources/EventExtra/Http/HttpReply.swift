import CEventExtra

/// Writing messages: the request or status line, the headers libevent adds
/// (Date, Content-Length, Content-Type, Connection), the body; and the
/// server's reply functions (evhttp_send_reply & co, error pages).
enum Reply {
    static func addDate(_ h: KVQ) {
        if Headers.find(h, "Date") != nil { return }
        var date = [CChar](repeating: 0, count: 50)
        let n = date.withUnsafeMutableBufferPointer { evutil_date_rfc1123($0.baseAddress, 50, nil) }
        if n < 50 { date.withUnsafeBufferPointer { Headers.add(h, "Date", $0.baseAddress!) } }
    }

    static func addContentLength(_ h: KVQ, _ len: Int) {
        if Headers.find(h, "Transfer-Encoding") != nil || Headers.find(h, "Content-Length") != nil { return }
        var a = [UInt8]()
        Bytes.appendUnsigned(a: &a, UInt64(len))
        a.append(0)
        a.withUnsafeBytes { Headers.add(h, "Content-Length", $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }

    static func appendVersion(_ a: inout [UInt8], _ req: Req) {
        Bytes.append(&a, "HTTP/")
        Bytes.appendDecimal(&a, Int64(req.pointee.major))
        a.append(46)
        Bytes.appendDecimal(&a, Int64(req.pointee.minor))
    }

    static func makeHeaderRequest(_ c: HttpConnection, _ req: Req, _ a: inout [UInt8]) {
        guard let out = req.pointee.output_headers else { return }
        Headers.remove(out, "Proxy-Connection")
        if let m = Request.methodName(req.pointee.type) { Bytes.append(&a, m) } else { Bytes.append(&a, "NULL") }
        a.append(32)
        if let u = req.pointee.uri { Bytes.append(&a, u) } else { Bytes.append(&a, "(null)") }
        a.append(32)
        appendVersion(&a, req)
        Bytes.append(&a, "\r\n")
        if (req.pointee.type == EVHTTP_REQ_POST || req.pointee.type == EVHTTP_REQ_PUT)
            && Headers.find(out, "Content-Length") == nil {
            var n = [UInt8]()
            Bytes.appendUnsigned(a: &n, UInt64(evbuffer_get_length(req.pointee.output_buffer)))
            n.append(0)
            n.withUnsafeBytes { Headers.add(out, "Content-Length", $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        }
    }

    static func makeHeaderResponse(_ c: HttpConnection, _ req: Req, _ a: inout [UInt8]) {
        guard let out = req.pointee.output_headers else { return }
        let keepAlive = Request.isKeepAlive(req.pointee.input_headers)
        appendVersion(&a, req)
        a.append(32)
        Bytes.appendDecimal(&a, Int64(req.pointee.response_code))
        a.append(32)
        if let l = req.pointee.response_code_line { Bytes.append(&a, l) } else { Bytes.append(&a, "(null)") }
        Bytes.append(&a, "\r\n")
        if req.pointee.major == 1 {
            if req.pointee.minor >= 1 { addDate(out) }
            if req.pointee.minor == 0 && keepAlive { Headers.add(out, "Connection", Bytes.cstr("keep-alive")) }
            if (req.pointee.minor >= 1 || keepAlive) && Request.needsBody(req) {
                addContentLength(out, evbuffer_get_length(req.pointee.output_buffer))
            }
        }
        if Request.needsBody(req), Headers.find(out, "Content-Type") == nil,
           let server = c.server, let ct = server.defaultContentType {
            Headers.add(out, "Content-Type", ct)
        }
        if Request.isConnectionClose(req.pointee.flags, req.pointee.input_headers) {
            Headers.remove(out, "Connection")
            if req.pointee.flags & reqProxy == 0 { Headers.add(out, "Connection", Bytes.cstr("close")) }
            Headers.remove(out, "Proxy-Connection")
        }
    }

    /// evhttp_make_header: first line and headers into the connection's
    /// output, then the body (held back while a 100-continue is awaited).
    static func makeHeader(_ c: HttpConnection, _ req: Req) {
        var a = [UInt8]()
        a.reserveCapacity(256)
        if req.pointee.kind == EVHTTP_REQUEST {
            makeHeaderRequest(c, req, &a)
        } else {
            makeHeaderResponse(c, req, &a)
        }
        if let out = req.pointee.output_headers {
            var h = out.pointee.tqh_first
            while let e = h {
                if let k = e.pointee.key { Bytes.append(&a, k) } else { Bytes.append(&a, "(null)") }
                Bytes.append(&a, ": ")
                if let v = e.pointee.value { Bytes.append(&a, v) } else { Bytes.append(&a, "(null)") }
                Bytes.append(&a, "\r\n")
                h = e.pointee.next.tqe_next
            }
        }
        Bytes.append(&a, "\r\n")
        let output = c.output
        bufAdd(output, a)
        if HttpConnection.expect(req, input: false) != .cont && evbuffer_get_length(req.pointee.output_buffer) > 0 {
            evbuffer_add_buffer(output, req.pointee.output_buffer)
        }
    }

    static func send(_ req: Req, _ body: OpaquePointer?) {
        guard let c = Request.connection(req) else {
            Request.free(req)
            return
        }
        req.pointee.userdone = 1
        if let body { evbuffer_add_buffer(req.pointee.output_buffer, body) }
        makeHeader(c, req)
        c.writeBuffer(.sendDone)
    }

    static func sendReply(_ req: Req, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ body: OpaquePointer?) {
        Request.setResponseCode(req, code, reason)
        send(req, body)
    }

    /// evhttp_send_page_: an error or 404 page; the connection closes after.
    static func sendPage(_ req: Req, _ body: OpaquePointer?) {
        if req.pointee.major == 0 || req.pointee.minor == 0 {
            req.pointee.major = 1
            req.pointee.minor = 1
        }
        if req.pointee.kind != EVHTTP_RESPONSE { Request.setResponseCode(req, 200, Bytes.cstr("OK")) }
        if let out = req.pointee.output_headers {
            Headers.clear(out)
            Headers.add(out, "Content-Type", Bytes.cstr("text/html"))
            Headers.add(out, "Connection", Bytes.cstr("close"))
        }
        send(req, body)
    }

    static func sendError(_ req: Req, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        guard let buf = evbuffer_new() else {
            if let c = Request.connection(req) { c.free() }
            return
        }
        let r: UnsafePointer<CChar> = reason ?? Bytes.cstr(Phrases.phrase(code))
        // The phrase may be freed by setResponseCode when it is the old
        // line itself: build the page first.
        var a = [UInt8]()
        Bytes.append(&a, "<HTML><HEAD>\n<TITLE>")
        Bytes.appendDecimal(&a, Int64(code))
        a.append(32)
        Bytes.append(&a, r)
        Bytes.append(&a, "</TITLE>\n</HEAD><BODY>\n<H1>")
        Bytes.append(&a, r)
        Bytes.append(&a, "</H1>\n</BODY></HTML>\n")
        bufAdd(buf, a)
        Request.setResponseCode(req, code, r)
        sendPage(req, buf)
        evbuffer_free(buf)
    }

    static func sendNotFound(_ req: Req) {
        guard let uri = req.pointee.uri, let escaped = Encoding.htmlEscape(uri) else {
            if let c = Request.connection(req) { c.free() }
            return
        }
        guard let buf = evbuffer_new() else {
            HMem.free(escaped)
            if let c = Request.connection(req) { c.free() }
            return
        }
        Request.setResponseCode(req, 404, Bytes.cstr("Not Found"))
        var a = [UInt8]()
        Bytes.append(&a, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL ")
        Bytes.append(&a, escaped)
        Bytes.append(&a, " was not found on this server.</p></body></html>\n")
        HMem.free(escaped)
        bufAdd(buf, a)
        sendPage(req, buf)
        evbuffer_free(buf)
    }

    static func replyStart(_ req: Req, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        Request.setResponseCode(req, code, reason)
        guard let c = Request.connection(req) else { return }
        if let out = req.pointee.output_headers, Headers.find(out, "Content-Length") == nil,
           !Request.versionBefore(req, 1, 1), Request.needsBody(req) {
            Headers.add(out, "Transfer-Encoding", Bytes.cstr("chunked"))
            req.pointee.chunked = 1
        } else {
            req.pointee.chunked = 0
        }
        makeHeader(c, req)
        c.writeBuffer(.nothing)
    }

    static func replyChunk(_ req: Req, _ data: OpaquePointer?, _ then: HttpConnection.AfterWrite) {
        guard let c = Request.connection(req) else { return }
        let len = evbuffer_get_length(data)
        if len == 0 || !Request.needsBody(req) { return }
        let output = c.output
        if req.pointee.chunked != 0 {
            var a = [UInt8]()
            Bytes.appendHex(&a, UInt64(UInt32(truncatingIfNeeded: len)))
            Bytes.append(&a, "\r\n")
            bufAdd(output, a)
        }
        evbuffer_add_buffer(output, data)
        if req.pointee.chunked != 0 { _ = evbuffer_add(output, Bytes.cstr("\r\n"), 2) }
        c.writeBuffer(then)
    }

    static func replyEnd(_ req: Req) {
        guard let c = Request.connection(req) else {
            Request.free(req)
            return
        }
        req.pointee.userdone = 1
        let output = c.output
        if req.pointee.chunked != 0 {
            _ = evbuffer_add(output, Bytes.cstr("0\r\n\r\n"), 5)
            c.writeBuffer(.sendDone)
            req.pointee.chunked = 0
        } else if evbuffer_get_length(output) == 0 {
            c.sendDone()
        } else {
            c.afterWrite = .sendDone
        }
    }
}
