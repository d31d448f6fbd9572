import CEventExtra

/// What evrpc needs from evhttp beyond its public API, as libevent's evrpc
/// reads its HTTP layer's internals: whether a connection has a request in
/// flight, whether it has a timeout of its own, and failing its request as
/// timed out.
/// TEMPORARY placeholders until evhttp (Sources/EventExtra/Http) is merged.
enum RpcHttp {
    static func isIdle(_ evcon: OpaquePointer) -> Bool { true }
    static func hasTimeout(_ evcon: OpaquePointer) -> Bool { false }
    static func failTimedOut(_ evcon: OpaquePointer) {}
    static func isServerSide(_ evcon: OpaquePointer) -> Bool { false }
}
