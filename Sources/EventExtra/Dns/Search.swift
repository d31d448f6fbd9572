import CEventExtra

/// The search list (resolv.conf's search/domain, evdns_base_search_add) and
/// the lookups that walk it. A search in progress keeps the list it started
/// with; clearing the base's list starts a new one.
final class SearchState {
    var ndots: Int32 = 1
    /// In libevent's order: evdns_base_search_add puts a domain first.
    var domains: [[UInt8]] = []
}

extension DnsBase {
    func searchState() -> SearchState {
        if let s = search { return s }
        let s = SearchState()
        search = s
        return s
    }

    func searchClear() { search = SearchState() }

    func searchAdd(_ domain: [UInt8]) {
        var d = domain[...]
        while d.first == 0x2e { d = d.dropFirst() }
        searchState().domains.insert(Array(d), at: 0)
    }

    /// The host's own domain (what follows the first dot of its name).
    func searchFromHostname() {
        searchClear()
        var buf = [CChar](repeating: 0, count: 256)
        if buf.withUnsafeMutableBufferPointer({ gethostname($0.baseAddress!, 256) }) != 0 { return }
        buf[255] = 0
        let name = buf.withUnsafeBufferPointer { cBytes($0.baseAddress) }
        guard let dot = name.firstIndex(of: 0x2e) else { return }
        searchAdd(Array(name[dot...]))
    }

    static func dots(_ s: [UInt8]) -> Int32 { Int32(s.reduce(0) { $0 + ($1 == 0x2e ? 1 : 0) }) }

    /// `name` + "." + the n-th domain. nil for an empty name (CVE-2016-10197:
    /// libevent read the byte before it) or past the list.
    static func searchName(_ state: SearchState, _ n: Int, _ name: [UInt8]) -> [UInt8]? {
        if name.isEmpty || n < 0 || n >= state.domains.count { return nil }
        var out = name
        if name[name.count - 1] != 0x2e { out.append(0x2e) }
        out.append(contentsOf: state.domains[n])
        return out
    }

    /// Start a lookup of `name`, through the search list unless
    /// DNS_QUERY_NO_SEARCH. The handle gets its first query, or none.
    @_optimize(speed)
    func startSearch(_ handle: DnsHandle, type: UInt16, name cname: UnsafeBufferPointer<UInt8>, flags: Int32, callback: DnsCallback?, user: UnsafeMutableRawPointer?) {
        if flags & DNS_QUERY_NO_SEARCH == 0, let state = search, !state.domains.isEmpty {
            let name = Array(cname)
            let req: Request
            if DnsBase.dots(name) >= state.ndots {
                guard let r = makeRequest(handle: handle, type: type, name: name, callback: callback, user: user) else { return }
                req = r
                handle.searchIndex = -1
            } else {
                guard let full = DnsBase.searchName(state, 0, name),
                      let r = makeRequest(handle: handle, type: type, name: full, callback: callback, user: user) else { return }
                req = r
                handle.searchIndex = 0
            }
            handle.searchName = name
            handle.search = state
            handle.searchFlags = flags
            submit(req)
        } else {
            guard let req = makeRequest(handle: handle, type: type, name: cname, callback: callback, user: user) else { return }
            submit(req)
        }
    }

    /// A lookup of the search failed: try the next name. true if a new query
    /// went out (the old one is finished).
    func searchTryNext(_ handle: DnsHandle) -> Bool {
        guard let state = handle.search, let req = handle.current else { return false }
        handle.searchIndex += 1
        let next: Request
        if handle.searchIndex >= state.domains.count {
            // Out of domains: the bare name is still to try when it has few dots.
            if DnsBase.dots(handle.searchName) >= state.ndots { return false }
            guard let r = makeRequest(handle: nil, type: req.type, name: handle.searchName, callback: req.callback, user: req.userPointer) else { return false }
            handle.search = nil
            next = r
        } else {
            guard let full = DnsBase.searchName(state, handle.searchIndex, handle.searchName),
                  let r = makeRequest(handle: nil, type: req.type, name: full, callback: req.callback, user: req.userPointer) else { return false }
            next = r
        }
        finish(req, freeHandle: false)
        handle.current = next
        next.handle = handle
        submit(next)
        return true
    }
}
