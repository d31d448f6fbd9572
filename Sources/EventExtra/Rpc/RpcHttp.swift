import CEventExtra

/// What evrpc needs from evhttp beyond its public API, as libevent's evrpc
/// reads its HTTP layer's internals: whether a connection has a request in
/// flight, whether it has a timeout of its own, failing its request as
/// timed out (which calls the request's callback with NULL), and whether a
/// server accepted it.
enum RpcHttp {
    static func isIdle(_ evcon: OpaquePointer) -> Bool {
        HttpConnection.from(evcon).requests.isEmpty
    }

    static func hasTimeout(_ evcon: OpaquePointer) -> Bool {
        HttpConnection.from(evcon).timeoutSet
    }

    static func failTimedOut(_ evcon: OpaquePointer) {
        HttpConnection.from(evcon).fail(EVREQ_HTTP_TIMEOUT)
    }

    static func isServerSide(_ evcon: OpaquePointer) -> Bool {
        HttpConnection.from(evcon).server != nil
    }
}
