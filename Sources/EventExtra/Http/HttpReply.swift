import CEventExtra

/// Writing messages: the request or status line, the headers libevent adds
/// (Date, Content-Length, Content-Type, Connection), the body; and the
/// server's reply functions (evhttp_send_reply & co, error pages).
enum HttpReply {
    /// The Date header, formatted once per second per server (the text
    /// only changes with the second; evutil_date_rfc1123 is not cheap).
    static func addDate(_ h: HKVQ, _ server: HttpServer?) {
        if HttpHeaders.find(h, "Date") != nil { return }
        if let server {
            let now = time(nil)
            if now != server.dateSecond {
                let n = withUnsafeMutableBytes(of: &server.dateText) {
                    evutil_date_rfc1123($0.baseAddress!.assumingMemoryBound(to: CChar.self), 50, nil)
                }
                if n >= 50 { return }
                server.dateSecond = now
            }
            withUnsafeBytes(of: &server.dateText) {
                HttpHeaders.add(h, "Date", $0.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            return
        }
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 50) { date in
            let n = evutil_date_rfc1123(date.baseAddress, 50, nil)
            if n < 50 { HttpHeaders.add(h, "Date", date.baseAddress!) }
        }
    }

    static func addContentLength(_ h: HKVQ, _ len: Int) {
        if HttpHeaders.find(h, "Transfer-Encoding") != nil || HttpHeaders.find(h, "Content-Length") != nil { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { t in
            var n = 23
            var x = UInt64(len)
            t[23] = 0
            repeat { n -= 1; t[n] = UInt8(48 + x % 10); x /= 10 } while x != 0
            HttpHeaders.add(h, "Content-Length", UnsafeRawPointer(t.baseAddress! + n).assumingMemoryBound(to: CChar.self))
        }
    }

    static func addVersion(_ o: inout OutBuf, _ req: HReq) {
        o.add("HTTP/")
        o.addDecimal(Int64(req.pointee.major))
        o.add(".")
        o.addDecimal(Int64(req.pointee.minor))
    }

    static func makeHeaderRequest(_ c: HttpConnection, _ req: HReq, _ o: inout OutBuf) {
        guard let out = req.pointee.output_headers else { return }
        HttpHeaders.remove(out, "Proxy-Connection")
        if let m = HttpRequest.methodName(req.pointee.type) { o.add(m) } else { o.add("NULL") }
        o.add(" ")
        o.add(req.pointee.uri.map { UnsafePointer($0) }, orNull: true)
        o.add(" ")
        addVersion(&o, req)
        o.add("\r\n")
        if (req.pointee.type == EVHTTP_REQ_POST || req.pointee.type == EVHTTP_REQ_PUT)
            && HttpHeaders.find(out, "Content-Length") == nil {
            var n = [UInt8]()
            HttpBytes.appendUnsigned(a: &n, UInt64(evbuffer_get_length(req.pointee.output_buffer)))
            n.append(0)
            n.withUnsafeBytes { HttpHeaders.add(out, "Content-Length", $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        }
    }

    static func makeHeaderResponse(_ c: HttpConnection, _ req: HReq, _ o: inout OutBuf) {
        guard let out = req.pointee.output_headers else { return }
        let keepAlive = HttpRequest.isKeepAlive(req.pointee.input_headers)
        addVersion(&o, req)
        o.add(" ")
        o.addDecimal(Int64(req.pointee.response_code))
        o.add(" ")
        o.add(req.pointee.response_code_line.map { UnsafePointer($0) }, orNull: true)
        o.add("\r\n")
        let needsBody = HttpRequest.needsBody(req)
        if req.pointee.major == 1 {
            if req.pointee.minor >= 1 { addDate(out, c.server) }
            if req.pointee.minor == 0 && keepAlive { HttpHeaders.add(out, "Connection", HttpBytes.cstr("keep-alive")) }
            if (req.pointee.minor >= 1 || keepAlive) && needsBody {
                addContentLength(out, evbuffer_get_length(req.pointee.output_buffer))
            }
        }
        if needsBody, HttpHeaders.find(out, "Content-Type") == nil,
           let server = c.server, let ct = server.defaultContentType {
            HttpHeaders.add(out, "Content-Type", ct)
        }
        if HttpRequest.isConnectionClose(req.pointee.flags, req.pointee.input_headers) {
            HttpHeaders.remove(out, "Connection")
            if req.pointee.flags & reqProxy == 0 { HttpHeaders.add(out, "Connection", HttpBytes.cstr("close")) }
            HttpHeaders.remove(out, "Proxy-Connection")
        }
    }

    /// evhttp_make_header: first line and headers into the connection's
    /// output, then the body (held back while a 100-continue is awaited).
    static func makeHeader(_ c: HttpConnection, _ req: HReq) {
        let output = c.output
        // A server's connections share its scratch block (one loop, one
        // thread); a client connection keeps its own.
        let owner = c.server
        var o = owner.map { OutBuf(scratch: $0.scratch, cap: $0.scratchCap) } ?? OutBuf(scratch: c.scratch, cap: c.scratchCap)
        if req.pointee.kind == EVHTTP_REQUEST {
            makeHeaderRequest(c, req, &o)
        } else {
            makeHeaderResponse(c, req, &o)
        }
        if let out = req.pointee.output_headers {
            var h = out.pointee.tqh_first
            while let e = h {
                o.add(e.pointee.key.map { UnsafePointer($0) }, orNull: true)
                o.add(": ")
                o.add(e.pointee.value.map { UnsafePointer($0) }, orNull: true)
                o.add("\r\n")
                h = e.pointee.next.tqe_next
            }
        }
        o.add("\r\n")
        if let owner {
            owner.scratch = o.p
            owner.scratchCap = o.cap
        } else {
            c.scratch = o.p
            c.scratchCap = o.cap
        }
        if let p = o.p, !o.failed { _ = evbuffer_add(output, p, o.n) }
        if HttpConnection.expect(req, input: false) != .cont && evbuffer_get_length(req.pointee.output_buffer) > 0 {
            evbuffer_add_buffer(output, req.pointee.output_buffer)
        }
    }

    static func send(_ req: HReq, _ body: OpaquePointer?) {
        guard let c = HttpRequest.connection(req) else {
            HttpRequest.free(req)
            return
        }
        req.pointee.userdone = 1
        if let body { evbuffer_add_buffer(req.pointee.output_buffer, body) }
        makeHeader(c, req)
        c.writeBuffer(.sendDone)
    }

    static func sendReply(_ req: HReq, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ body: OpaquePointer?) {
        HttpRequest.setResponseCode(req, code, reason)
        send(req, body)
    }

    static func replyStart(_ req: HReq, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        HttpRequest.setResponseCode(req, code, reason)
        guard let c = HttpRequest.connection(req) else { return }
        if let out = req.pointee.output_headers, HttpHeaders.find(out, "Content-Length") == nil,
           !HttpRequest.versionBefore(req, 1, 1), HttpRequest.needsBody(req) {
            HttpHeaders.add(out, "Transfer-Encoding", HttpBytes.cstr("chunked"))
            req.pointee.chunked = 1
        } else {
            req.pointee.chunked = 0
        }
        makeHeader(c, req)
        c.writeBuffer(.nothing, detectClose: req.pointee.chunked != 0)
    }

    static func replyChunk(_ req: HReq, _ data: OpaquePointer?, _ then: HttpConnection.AfterWrite) {
        guard let c = HttpRequest.connection(req) else { return }
        let len = evbuffer_get_length(data)
        if len == 0 || !HttpRequest.needsBody(req) { return }
        let output = c.output
        if req.pointee.chunked != 0 {
            var a = [UInt8]()
            HttpBytes.appendHex(&a, UInt64(UInt32(truncatingIfNeeded: len)))
            HttpBytes.append(&a, "\r\n")
            bufAdd(output, a)
        }
        evbuffer_add_buffer(output, data)
        if req.pointee.chunked != 0 { _ = evbuffer_add(output, HttpBytes.cstr("\r\n"), 2) }
        c.writeBuffer(then, detectClose: req.pointee.chunked != 0)
    }

    static func replyEnd(_ req: HReq) {
        guard let c = HttpRequest.connection(req) else {
            HttpRequest.free(req)
            return
        }
        req.pointee.userdone = 1
        let output = c.output
        if req.pointee.chunked != 0 {
            _ = evbuffer_add(output, HttpBytes.cstr("0\r\n\r\n"), 5)
            c.writeBuffer(.sendDone)
            req.pointee.chunked = 0
        } else if evbuffer_get_length(output) == 0 {
            c.sendDone()
        } else {
            c.afterWrite = .sendDone
        }
    }
}
