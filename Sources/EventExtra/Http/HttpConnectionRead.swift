import CEventExtra

/// Reading a message on a connection: first line, headers, body (by
/// length, chunked or up to the close), trailer; then handing it on.
extension HttpConnection {
    func onRead() {
        cancelReadMore()
        guard let req = currentRequest() else {
            if state == .idle && !freed { reset() }
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

}
