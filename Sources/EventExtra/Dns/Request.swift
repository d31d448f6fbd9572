import CEventExtra

public typealias DnsCallback = @convention(c) (Int32, CChar, Int32, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void

/// What a program holds as `struct evdns_request *`: it outlives the
/// individual queries of a search (each a `Request`) and is what
/// evdns_cancel_request takes. It lives until its callback has run.
final class DnsHandle {
    var current: Request? = nil
    unowned(unsafe) var base: DnsBase
    /// The callback is scheduled: cancelling is too late.
    var pendingCallback = false
    var search: SearchState? = nil
    var searchIndex = 0
    var searchName: [UInt8] = []
    var searchFlags: Int32 = 0

    init(base: DnsBase) { self.base = base }

    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    static func from(_ p: OpaquePointer) -> DnsHandle { Unmanaged<DnsHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue() }
}

/// One query on the wire (libevent's `struct request`): its packet, the
/// nameserver it went to, its retransmit timer.
final class Request {
    unowned(unsafe) let base: DnsBase
    var packet: [UInt8]
    let type: UInt16
    var txCount = 0
    var reissueCount = 0
    var ns: Nameserver? = nil
    var transId: UInt16 = 0xffff
    var transmitMe = false
    var inflight = false
    var timer: EvPtr? = nil
    let callback: DnsCallback?
    let userPointer: UnsafeMutableRawPointer?
    var handle: DnsHandle?
    /// evdns_getaddrinfo's CNAME slot (only on the first query of a search,
    /// as libevent's put_cname_in_ptr).
    var cnameSink: GetAddrInfoRequest? = nil

    init(base: DnsBase, packet: [UInt8], type: UInt16, callback: DnsCallback?, user: UnsafeMutableRawPointer?, handle: DnsHandle?) {
        self.base = base
        self.packet = packet
        self.type = type
        self.callback = callback
        self.userPointer = user
        self.handle = handle
    }

    /// A request dropped before it was finished still frees its timer.
    deinit { if let t = timer { event_del(t); event_free(t) } }

    func setTransId(_ id: UInt16) {
        transId = id
        if packet.count >= 2 { packet[0] = UInt8(id >> 8); packet[1] = UInt8(id & 0xff) }
    }

}

/// The outcome of a request as the user callback gets it.
struct DnsOutcome {
    var err: Int32
    var ttl: UInt32 = 0
    var reply: DnsPacket.Reply? = nil
}

extension Request {
    /// Deliver `outcome` through the loop (libevent's reply_schedule_callback).
    func scheduleCallback(_ outcome: DnsOutcome) {
        handle?.pendingCallback = true
        guard let d = Memory.build({ DnsDeferred(cb: callback, user: userPointer, type: type, outcome: outcome, handle: handle) }) else {
            Log.warnx("reply_schedule_callback: Couldn't allocate space for deferred callback.")
            return
        }
        d.schedule(base.eventBase)
    }
}

enum DnsHandleCallback {
    static func run(_ cb: DnsCallback?, _ user: UnsafeMutableRawPointer?, _ type: UInt16, _ o: DnsOutcome) {
        guard let cb else { return }
        guard let r = o.reply, r.haveAnswer, o.err == 0 else {
            cb(o.err, 0, 0, Int32(bitPattern: o.ttl), nil, user)
            return
        }
        let ttl = Int32(bitPattern: o.ttl)
        switch type {
        case DnsPacket.typePTR:
            var name = r.ptrName
            name.append(0)
            name.withUnsafeMutableBytes { nb in
                var p: UnsafeMutableRawPointer? = nb.baseAddress
                withUnsafeMutablePointer(to: &p) { pp in
                    cb(0, CChar(DNS_PTR), 1, ttl, UnsafeMutableRawPointer(pp), user)
                }
            }
        default:
            // The callback gets a pointer even for no address, as libevent's.
            let a = r.addrs.isEmpty ? [0] : r.addrs
            let t = CChar(type == DnsPacket.typeAAAA ? DNS_IPv6_AAAA : DNS_IPv4_A)
            a.withUnsafeBytes { cb(0, t, Int32(r.count), ttl, UnsafeMutableRawPointer(mutating: $0.baseAddress), user) }
        }
    }
}
