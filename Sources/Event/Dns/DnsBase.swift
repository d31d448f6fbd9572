import CEventSys

/// The smallest evdns there can be: a struct evdns_base a program can create
/// and free, so that code handing one to bufferevent_socket_connect_hostname
/// links and runs. Lookups through it use the system resolver (blocking
/// evutil_getaddrinfo), exactly like the NULL-dns_base path; the rest of
/// dns.h (its own asynchronous resolver) is not implemented.
final class DnsBase {
    unowned(unsafe) let base: EventBase

    init(base: EventBase) { self.base = base }
}

@_cdecl("evdns_base_new")
public func evdns_base_new(_ p: OpaquePointer?, _ flags: Int32) -> OpaquePointer? {
    guard let base = baseOf(p) else {
        Log.warnx("evdns_base_new: no event_base")
        return nil
    }
    guard let d = Memory.build({ DnsBase(base: base) }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(d).toOpaque())
}

@_cdecl("evdns_base_free")
public func evdns_base_free(_ p: OpaquePointer?, _ failRequests: Int32) {
    guard let p else { return }
    Unmanaged<DnsBase>.fromOpaque(UnsafeRawPointer(p)).release()
}
