import CEventExtra

public typealias ServerCallback = @convention(c) (UnsafeMutablePointer<evdns_server_request>?, UnsafeMutableRawPointer?) -> Void

/// `struct evdns_server_port`: a UDP socket answering DNS queries through
/// the program's callback.
///
/// Lock rules: the port has its own recursive lock (made when lock callbacks
/// are set), taken by its read/write callback and by every server_request
/// call; the program's callback runs under it, as in libevent. The port
/// lives while it is open or any request of it is unanswered (`refs`).
final class ServerPort {
    var fd: Int32
    var refs = 1
    var closing = false
    var choked = false
    let callback: ServerCallback?
    let user: UnsafeMutableRawPointer?
    let eventBase: OpaquePointer?
    var event: EvPtr? = nil
    var pending: [ServerRequest] = []
    var lock = DnsLock()

    init(fd: Int32, eventBase: OpaquePointer?, callback: ServerCallback?, user: UnsafeMutableRawPointer?) {
        self.fd = fd
        self.eventBase = eventBase
        self.callback = callback
        self.user = user
    }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static let ready: event_callback_fn = { _, what, arg in
        let port = Unmanaged<ServerPort>.fromOpaque(arg!).takeUnretainedValue()
        port.lock.lock()
        withExtendedLifetime(port) {
            if what & Int16(EV_WRITE) != 0 {
                port.choked = false
                port.flush()
            }
            if what & Int16(EV_READ) != 0 && port.event != nil { port.read() }
        }
        port.lock.unlock()
    }

    func watch(write: Bool) {
        event_del(event)
        event_assign(event, eventBase, fd, Int16(EV_PERSIST) | (closing && write ? 0 : Int16(EV_READ)) | (write ? Int16(EV_WRITE) : 0), ServerPort.ready, Unmanaged.passUnretained(self).toOpaque())
        if event_add(event, nil) < 0 {
            DnsLog.emit(DnsLog.warn, DnsText("Error from libevent when adding event for DNS server").b)
        }
    }

    func read() {
        var packet = [UInt8](repeating: 0, count: 1500)
        while fd >= 0 {
            var from = DnsAddr()
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let (r, err) = packet.withUnsafeMutableBytes { pb in
                withUnsafeMutableBytes(of: &from.ss) { sb in
                    DnsSock.retry { recvfrom(fd, pb.baseAddress, 1500, 0, __SOCKADDR_ARG(__sockaddr__: sb.baseAddress!.assumingMemoryBound(to: sockaddr.self)), &fromLen) }
                }
            }
            if r < 0 {
                if DnsSock.isRetriable(err) { return }
                var t = DnsText("Error "); t.append(cBytes(strerror(err))); t.append(" ("); t.append(int: Int(err))
                t.append(") while reading request.")
                DnsLog.emit(DnsLog.warn, t.b)
                return
            }
            from.len = fromLen
            let parsed = packet.withUnsafeBytes { ServerQuery.parse(UnsafeRawBufferPointer(rebasing: $0[0..<r])) }
            guard let q = parsed, let req = ServerRequest.make(port: self, query: q, from: from) else { continue }
            refs += 1
            callback?(req.cRequest, user)
        }
    }

    /// Send the queued replies; stop watching for writability when done.
    func flush() {
        while let req = pending.first {
            let (n, err) = req.send()
            if n < 0 {
                if DnsSock.isRetriable(err) { return }
                var t = DnsText("Error "); t.append(cBytes(strerror(err))); t.append(" ("); t.append(int: Int(err))
                t.append(") while writing response to port; dropping")
                DnsLog.emit(DnsLog.warn, t.b)
            }
            if req.free() { return }
        }
        watch(write: false)
    }

    /// One reference less; closes the port with the last one.
    @discardableResult
    func unref() -> Bool {
        refs -= 1
        if refs > 0 { return false }
        if fd >= 0 { evutil_closesocket(fd); fd = -1 }
        if let e = event { event_del(e); event_free(e); event = nil }
        Unmanaged.passUnretained(self).release()
        return true
    }

    /// The lock goes with the object, after any caller holding it let go.
    deinit { lock.free() }
}

/// A query as the server reads it: id, the flags it keeps (RD, CD) and
/// the questions. nil for anything that is not a well-formed query.
struct ServerQuery {
    var id: UInt16
    var flags: UInt16
    var questions: [(name: [UInt8], type: UInt16, cls: UInt16)] = []

    static func parse(_ p: UnsafeRawBufferPointer) -> ServerQuery? {
        var r = DnsPacket.Reader(p)
        guard let h = DnsPacket.header(&r) else { return nil }
        if h.flags & DnsPacket.flagQR != 0 { return nil }
        // libevent allocates the question table with calloc(n): none, no request.
        if h.qd == 0 { return nil }
        var q = ServerQuery(id: h.id, flags: h.flags & 0x0110)
        for _ in 0..<h.qd {
            guard let name = r.name(), let t = r.u16(), let c = r.u16() else { return nil }
            q.questions.append((name, t, c))
        }
        return q
    }
}

/// One RR of a reply being built.
struct ReplyItem {
    var name: [UInt8]
    var type: UInt16
    var cls: UInt16
    var ttl: UInt32
    var isName: Bool
    var data: [UInt8]?
}

/// What a program holds as `struct evdns_server_request *`: a C block with
/// the public fields, followed by a pointer back to this object.
final class ServerRequest {
    unowned(unsafe) let port: ServerPort
    let id: UInt16
    let addr: DnsAddr
    var sections: [[ReplyItem]] = [[], [], []]
    var response: [UInt8]? = nil
    let cRequest: UnsafeMutablePointer<evdns_server_request>

    static let headerSize = MemoryLayout<evdns_server_request>.stride

    init(port: ServerPort, id: UInt16, addr: DnsAddr, block: UnsafeMutableRawPointer) {
        self.port = port
        self.id = id
        self.addr = addr
        cRequest = block.assumingMemoryBound(to: evdns_server_request.self)
    }

    static func make(port: ServerPort, query q: ServerQuery, from: DnsAddr) -> ServerRequest? {
        guard let block = DnsMem.calloc(headerSize + 8),
              let table = DnsMem.calloc(q.questions.count * 8) else { return nil }
        let qs = table.bindMemory(to: UnsafeMutableRawPointer?.self, capacity: q.questions.count)
        for (i, x) in q.questions.enumerated() {
            // struct evdns_server_question: int type, int class, char name[].
            guard let e = DnsMem.malloc(8 + x.name.count + 1) else {
                for k in 0..<i { DnsMem.free(qs[k]) }
                DnsMem.free(table); DnsMem.free(block)
                return nil
            }
            e.storeBytes(of: Int32(x.type), as: Int32.self)
            e.storeBytes(of: Int32(x.cls), toByteOffset: 4, as: Int32.self)
            x.name.withUnsafeBytes { if let b = $0.baseAddress { (e + 8).copyMemory(from: b, byteCount: x.name.count) } }
            e.storeBytes(of: 0, toByteOffset: 8 + x.name.count, as: UInt8.self)
            qs[i] = e
        }
        guard let req = Memory.build({ ServerRequest(port: port, id: q.id, addr: from, block: block) }) else {
            for i in 0..<q.questions.count { DnsMem.free(qs[i]) }
            DnsMem.free(table); DnsMem.free(block)
            return nil
        }
        req.cRequest.pointee.flags = Int32(q.flags)
        req.cRequest.pointee.nquestions = Int32(q.questions.count)
        req.cRequest.pointee.questions = table.bindMemory(to: UnsafeMutablePointer<evdns_server_question>?.self, capacity: q.questions.count)
        (block + headerSize).storeBytes(of: Unmanaged.passRetained(req).toOpaque(), as: UnsafeMutableRawPointer.self)
        return req
    }

    static func from(_ p: UnsafeMutablePointer<evdns_server_request>) -> ServerRequest {
        let raw = (UnsafeMutableRawPointer(p) + headerSize).load(as: UnsafeMutableRawPointer.self)
        return Unmanaged<ServerRequest>.fromOpaque(raw).takeUnretainedValue()
    }

    var questionCount: Int { Int(cRequest.pointee.nquestions) }
    func question(_ i: Int) -> (name: [UInt8], type: UInt16, cls: UInt16) {
        let table = UnsafeMutableRawPointer(cRequest.pointee.questions!).assumingMemoryBound(to: UnsafeMutableRawPointer.self)
        let e = table[i]
        let name = cBytes((e + 8).assumingMemoryBound(to: CChar.self))
        return (name, UInt16(truncatingIfNeeded: e.load(as: Int32.self)), UInt16(truncatingIfNeeded: e.load(fromByteOffset: 4, as: Int32.self)))
    }

    /// libevent's evdns_server_request_format_response: questions and RRs
    /// with name compression, at most 512 bytes (then the TC bit).
    func format(_ err: Int32) -> Bool {
        if err < 0 || err > 15 { return false }
        let flags = UInt16(truncatingIfNeeded: cRequest.pointee.flags) | 0x8000 | UInt16(err)
        var b: [UInt8] = []
        let cap = 1500
        var table = DnsName.Table()
        DnsPacket.put16(&b, id); DnsPacket.put16(&b, flags)
        DnsPacket.put16(&b, UInt16(truncatingIfNeeded: questionCount))
        for s in sections { DnsPacket.put16(&b, UInt16(truncatingIfNeeded: s.count)) }
        var overflow = false
        outer: do {
            for i in 0..<questionCount {
                let q = question(i)
                if let e = DnsName.encode(q.name, into: &b, cap: cap, table: &table) {
                    if e == .labelTooLong { return false }
                    overflow = true; break outer
                }
                if b.count + 4 > cap { overflow = true; break outer }
                DnsPacket.put16(&b, q.type); DnsPacket.put16(&b, q.cls)
            }
            for s in sections {
                for item in s {
                    if DnsName.encode(item.name, into: &b, cap: cap, table: &table) != nil { overflow = true; break outer }
                    if b.count + 8 > cap { overflow = true; break outer }
                    DnsPacket.put16(&b, item.type); DnsPacket.put16(&b, item.cls); DnsPacket.put32(&b, item.ttl)
                    if item.isName {
                        if b.count + 2 > cap { overflow = true; break outer }
                        let lenAt = b.count
                        b.append(0); b.append(0)
                        if DnsName.encode(item.data ?? [], into: &b, cap: cap, table: &table) != nil { overflow = true; break outer }
                        let n = b.count - lenAt - 2
                        b[lenAt] = UInt8((n >> 8) & 0xff); b[lenAt + 1] = UInt8(n & 0xff)
                    } else {
                        let d = item.data ?? []
                        if b.count + 2 > cap { overflow = true; break outer }
                        DnsPacket.put16(&b, UInt16(truncatingIfNeeded: d.count))
                        if b.count + d.count > cap { overflow = true; break outer }
                        b.append(contentsOf: d)
                    }
                }
            }
        }
        if overflow || b.count > 512 {
            if b.count > 512 { b.removeLast(b.count - 512) }
            while b.count < 512 && overflow { b.append(0) }
            b[2] |= 0x02
        }
        response = b
        sections = [[], [], []]
        return true
    }

    func send() -> (Int, Int32) {
        guard let r = response else { return (-1, EINVAL) }
        return r.withUnsafeBytes { rb in
            addr.with { sa in DnsSock.retry { sendto(port.fd, rb.baseAddress, rb.count, 0, __CONST_SOCKADDR_ARG(__sockaddr__: sa), addr.len) } }
        }
    }

    /// Give back the C block and this request's reference on the port;
    /// true if that closed the port.
    func free() -> Bool {
        if let i = port.pending.firstIndex(where: { $0 === self }) { port.pending.remove(at: i) }
        let n = questionCount
        if let t = cRequest.pointee.questions {
            let table = UnsafeMutableRawPointer(t).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            for i in 0..<n { DnsMem.free(table[i]) }
            DnsMem.free(UnsafeMutableRawPointer(t))
        }
        let port = self.port
        DnsMem.free(UnsafeMutableRawPointer(cRequest))
        let closed = port.unref()
        Unmanaged.passUnretained(self).release()
        return closed
    }

    /// evdns_server_request_add_reply: -1 once answered, for a bad section,
    /// or non-name data of no length (libevent's malloc(0) fails).
    func addReply(section: Int32, name: UnsafePointer<CChar>, type: Int32, cls: Int32, ttl: Int32,
                  datalen: Int32, isName: Bool, data: UnsafePointer<CChar>?) -> Int32 {
        port.lock.lock()
        defer { port.lock.unlock() }
        if response != nil { return -1 }
        if section < 0 || section > 2 { return -1 }
        var item = ReplyItem(name: cBytes(name), type: UInt16(truncatingIfNeeded: type), cls: UInt16(truncatingIfNeeded: cls),
                             ttl: UInt32(bitPattern: ttl), isName: isName, data: nil)
        if let data {
            if isName {
                item.data = cBytes(data)
            } else {
                if datalen <= 0 { return -1 }
                item.data = Array(UnsafeRawBufferPointer(start: data, count: Int(datalen)))
            }
        }
        sections[Int(section)].append(item)
        return 0
    }

    /// evdns_server_request_respond: 0 sent (the request is gone), 1 queued
    /// until the socket is writable, -1 (bad code, or the send would block:
    /// libevent's answer, the request stays).
    func respond(_ err: Int32) -> Int32 {
        let port = self.port
        port.lock.lock()
        defer { port.lock.unlock() }
        if response == nil && !format(err) { return -1 }
        let (n, e) = send()
        if n < 0 {
            if DnsSock.isRetriable(e) { return -1 }
            port.pending.append(self)
            if port.pending.count == 1 {
                port.choked = true
                port.watch(write: true)
            }
            return 1
        }
        if free() { return 0 }
        if !port.pending.isEmpty { port.flush() }
        return 0
    }
}
