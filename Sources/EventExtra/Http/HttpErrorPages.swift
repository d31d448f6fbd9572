import CEventExtra

/// libevent's pages: evhttp_send_error's, the 404 page of a server without
/// a matching callback; both close the connection after.
extension HttpReply {
    /// evhttp_send_page_: an error or 404 page; the connection closes after.
    static func sendPage(_ req: HReq, _ body: OpaquePointer?) {
        if req.pointee.major == 0 || req.pointee.minor == 0 {
            req.pointee.major = 1
            req.pointee.minor = 1
        }
        if req.pointee.kind != EVHTTP_RESPONSE { HttpRequest.setResponseCode(req, 200, HttpBytes.cstr("OK")) }
        if let out = req.pointee.output_headers {
            HttpHeaders.clear(out)
            HttpHeaders.add(out, "Content-Type", HttpBytes.cstr("text/html"))
            HttpHeaders.add(out, "Connection", HttpBytes.cstr("close"))
        }
        send(req, body)
    }

    static func sendError(_ req: HReq, _ code: Int32, _ reason: UnsafePointer<CChar>?) {
        guard let buf = evbuffer_new() else {
            if let c = HttpRequest.connection(req) { c.free() }
            return
        }
        let r: UnsafePointer<CChar> = reason ?? HttpBytes.cstr(HttpPhrases.phrase(code))
        // The phrase may be freed by setResponseCode when it is the old
        // line itself: build the page first.
        var a = [UInt8]()
        HttpBytes.append(&a, "<HTML><HEAD>\n<TITLE>")
        HttpBytes.appendDecimal(&a, Int64(code))
        a.append(32)
        HttpBytes.append(&a, r)
        HttpBytes.append(&a, "</TITLE>\n</HEAD><BODY>\n<H1>")
        HttpBytes.append(&a, r)
        HttpBytes.append(&a, "</H1>\n</BODY></HTML>\n")
        bufAdd(buf, a)
        HttpRequest.setResponseCode(req, code, r)
        sendPage(req, buf)
        evbuffer_free(buf)
    }

    static func sendNotFound(_ req: HReq) {
        guard let uri = req.pointee.uri, let escaped = HttpEncoding.htmlEscape(uri) else {
            if let c = HttpRequest.connection(req) { c.free() }
            return
        }
        guard let buf = evbuffer_new() else {
            HMem.free(escaped)
            if let c = HttpRequest.connection(req) { c.free() }
            return
        }
        HttpRequest.setResponseCode(req, 404, HttpBytes.cstr("Not Found"))
        var a = [UInt8]()
        HttpBytes.append(&a, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL ")
        HttpBytes.append(&a, escaped)
        HttpBytes.append(&a, " was not found on this server.</p></body></html>\n")
        HMem.free(escaped)
        bufAdd(buf, a)
        sendPage(req, buf)
        evbuffer_free(buf)
    }
}
