import CEventExtra

/// The names of reverse lookups: "4.3.2.1.in-addr.arpa" and the 32 nibbles
/// of an IPv6 address, lowest first, under "ip6.arpa".
enum DnsReverse {
    static func ipv4(_ a: in_addr) -> [UInt8] {
        var t = DnsText("")
        withUnsafeBytes(of: a.s_addr) { b in
            for i in (0..<4).reversed() { t.append(int: Int(b[i])); t.append(".") }
        }
        t.append("in-addr.arpa")
        return t.b
    }

    static func ipv6(_ a: in6_addr) -> [UInt8] {
        let hex = sbytes("0123456789abcdef")
        var out: [UInt8] = []
        withUnsafeBytes(of: a) { b in
            for i in (0..<16).reversed() {
                out.append(hex[Int(b[i] & 0x0f)]); out.append(0x2e)
                out.append(hex[Int(b[i] >> 4)]); out.append(0x2e)
            }
        }
        out.append(contentsOf: sbytes("ip6.arpa"))
        return out
    }
}

/// How evdns plugs into the core's bufferevent_socket_connect_hostname
/// (evutil_set_evdns_getaddrinfo_fn_ and its cancel twin).
enum DnsHooks {
    static func install() {
        evutil_set_evdns_getaddrinfo_fn_ { b, node, service, hints, cb, arg in
            evdns_getaddrinfo(b, node, service, hints, cb, arg)
        }
        evutil_set_evdns_getaddrinfo_cancel_fn_ { r in evdns_getaddrinfo_cancel(r) }
    }
}
