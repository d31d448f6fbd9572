import CEventExtra

/// One name of the hosts table (evdns_base_load_hosts), looked up by
/// evdns_getaddrinfo before any query.
struct HostEntry {
    var addr: DnsAddr
    var name: [UInt8]
}

enum HostsFile {
    /// The entries of one hosts line, as libevent reads it: an address with
    /// no port, then names up to a '#'. Empty for comments and bad lines.
    static func parseLine(_ line: ArraySlice<UInt8>) -> [HostEntry] {
        let tok = ResolvConf.tokens(line)
        guard let first = tok.first, first.first != 0x23 else { return [] }
        guard let a = DnsBase.parseAddress(first) else { return [] }
        if Int(a.len) > MemoryLayout<sockaddr_in6>.size || a.port != 0 { return [] }
        var out: [HostEntry] = []
        for t in tok.dropFirst() {
            if let hash = t.firstIndex(of: 0x23) {
                if hash == 0 { return out }
                out.append(HostEntry(addr: a, name: Array(t[..<hash])))
                return out
            }
            out.append(HostEntry(addr: a, name: t))
        }
        return out
    }
}

extension DnsBase {
    /// evdns_base_load_hosts: 0, or -1 if the file cannot be read (then,
    /// as with no file name, only localhost is known).
    func loadHosts(path: UnsafePointer<CChar>?) -> Int32 {
        var err: Int32 = 0
        if let path {
            let (text, e) = ResolvConf.readFile(path)
            if let text {
                for line in ResolvConf.lines(text) { hosts.append(contentsOf: HostsFile.parseLine(line)) }
                return 0
            }
            err = e
        }
        hosts.append(contentsOf: HostsFile.parseLine(sbytes("127.0.0.1   localhost")[...]))
        hosts.append(contentsOf: HostsFile.parseLine(sbytes("::1   localhost")[...]))
        return err != 0 ? -1 : 0
    }
}
