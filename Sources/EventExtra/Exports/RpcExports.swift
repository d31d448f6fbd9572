import CEventExtra

// rpc.h, rpc_struct.h (rpc_compat.h is macros). Thin: check arguments, call
// RpcBase / RpcPool / RpcServer / RpcClient. Where libevent crashes or
// asserts (NULL arguments, an unknown hook type) we log and fail.

public typealias RpcVoidFn = @convention(c) (UnsafeMutableRawPointer?) -> Void
public typealias RpcNewFn = @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?
public typealias RpcUnmarshalFn = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Int32
public typealias RpcMarshalFn = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void
public typealias RpcCompleteFn = @convention(c) (UnsafeMutableRawPointer?) -> Int32

@inline(never)
func rpcNull(_ fn: StaticString) {
    Log.warnx("\(fn): NULL argument")
}

// MARK: server

@_cdecl("evrpc_init")
public func evrpc_init(_ server: OpaquePointer?) -> OpaquePointer? {
    guard let b = Memory.build({ RpcBase(server) }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(b).toOpaque())
}

@_cdecl("evrpc_free")
public func evrpc_free(_ base: OpaquePointer?) {
    guard let base else { return rpcNull("evrpc_free") }
    let b = RpcBase.from(base)
    b.tearDown()
    Unmanaged.passUnretained(b).release()
}

@_cdecl("evrpc_register_rpc")
public func evrpc_register_rpc(_ base: OpaquePointer?, _ rpc: UnsafeMutablePointer<evrpc>?,
                               _ cb: RpcServerCallback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let base, let rpc, rpc.pointee.uri != nil else { rpcNull("evrpc_register_rpc"); return -1 }
    return RpcBase.from(base).register(rpc, cb, arg)
}

@_cdecl("evrpc_register_generic")
public func evrpc_register_generic(_ base: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                   _ callback: RpcServerCallback?, _ cbarg: UnsafeMutableRawPointer?,
                                   _ reqNew: RpcNewFn?, _ reqNewArg: UnsafeMutableRawPointer?, _ reqFree: RpcVoidFn?,
                                   _ reqUnmarshal: RpcUnmarshalFn?,
                                   _ rplNew: RpcNewFn?, _ rplNewArg: UnsafeMutableRawPointer?, _ rplFree: RpcVoidFn?,
                                   _ rplComplete: RpcCompleteFn?, _ rplMarshal: RpcMarshalFn?) -> Int32 {
    guard let base, let name else { rpcNull("evrpc_register_generic"); return -1 }
    guard let raw = Memory.calloc(1, MemoryLayout<evrpc>.size) else { return -1 }
    let rpc = raw.assumingMemoryBound(to: evrpc.self)
    guard let uri = Memory.strdup(name) else { Memory.free(raw); return -1 }
    rpc.pointee.uri = UnsafePointer(uri)
    rpc.pointee.request_new = reqNew
    rpc.pointee.request_new_arg = reqNewArg
    rpc.pointee.request_free = reqFree
    rpc.pointee.request_unmarshal = reqUnmarshal
    rpc.pointee.reply_new = rplNew
    rpc.pointee.reply_new_arg = rplNewArg
    rpc.pointee.reply_free = rplFree
    rpc.pointee.reply_complete = rplComplete
    rpc.pointee.reply_marshal = rplMarshal
    if RpcBase.from(base).register(rpc, callback, cbarg) != 0 {
        Memory.free(uri)
        Memory.free(raw)
        return -1
    }
    return 0
}

@_cdecl("evrpc_unregister_rpc")
public func evrpc_unregister_rpc(_ base: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    guard let base, let name else { rpcNull("evrpc_unregister_rpc"); return -1 }
    return RpcBase.from(base).unregister(name)
}

@_cdecl("evrpc_request_done")
public func evrpc_request_done(_ req: UnsafeMutablePointer<evrpc_req_generic>?) {
    guard let req else { return rpcNull("evrpc_request_done") }
    RpcServer.requestDone(req)
}

@_cdecl("evrpc_get_request")
public func evrpc_get_request(_ req: UnsafeMutablePointer<evrpc_req_generic>?) -> UnsafeMutableRawPointer? {
    req?.pointee.request
}

@_cdecl("evrpc_get_reply")
public func evrpc_get_reply(_ req: UnsafeMutablePointer<evrpc_req_generic>?) -> UnsafeMutableRawPointer? {
    req?.pointee.reply
}

@_cdecl("evrpc_reqstate_free_")
public func evrpc_reqstate_free_(_ state: UnsafeMutablePointer<evrpc_req_generic>?) {
    guard let state else { return rpcNull("evrpc_reqstate_free_") }
    RpcServer.freeState(state)
}

// MARK: hooks (on an evrpc_base or an evrpc_pool)

@_cdecl("evrpc_add_hook")
public func evrpc_add_hook(_ vbase: UnsafeMutableRawPointer?, _ type: UInt32, _ cb: RpcHookFn?,
                           _ arg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let vbase, let cb else { rpcNull("evrpc_add_hook"); return nil }
    guard type == EVRPC_INPUT.rawValue || type == EVRPC_OUTPUT.rawValue else {
        Log.warnx("evrpc_add_hook: unknown hook type \(Int(type))")
        return nil
    }
    return RpcHookOwner.from(vbase).addHook(input: type == EVRPC_INPUT.rawValue, cb, arg)
}

@_cdecl("evrpc_remove_hook")
public func evrpc_remove_hook(_ vbase: UnsafeMutableRawPointer?, _ type: UInt32, _ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let vbase else { rpcNull("evrpc_remove_hook"); return 0 }
    guard type == EVRPC_INPUT.rawValue || type == EVRPC_OUTPUT.rawValue else {
        Log.warnx("evrpc_remove_hook: unknown hook type \(Int(type))")
        return 0
    }
    return RpcHookOwner.from(vbase).removeHook(input: type == EVRPC_INPUT.rawValue, handle)
}

@_cdecl("evrpc_resume_request")
public func evrpc_resume_request(_ vbase: UnsafeMutableRawPointer?, _ ctx: UnsafeMutableRawPointer?, _ res: Int32) -> Int32 {
    guard let vbase else { rpcNull("evrpc_resume_request"); return -1 }
    let owner = RpcHookOwner.from(vbase)
    return withExtendedLifetime(owner) { owner.resume(ctx, res) }
}

@_cdecl("evrpc_hook_add_meta")
public func evrpc_hook_add_meta(_ ctx: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                _ data: UnsafeRawPointer?, _ size: Int) {
    guard let ctx, let key, data != nil || size == 0 else { return rpcNull("evrpc_hook_add_meta") }
    guard let store = RpcMeta.ensure(ctx), store.add(key, data, size) else {
        return Log.warnx("evrpc_hook_add_meta: out of memory")
    }
}

@_cdecl("evrpc_hook_find_meta")
public func evrpc_hook_find_meta(_ ctx: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                 _ data: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                 _ size: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let ctx, let key else { rpcNull("evrpc_hook_find_meta"); return -1 }
    guard let e = RpcMeta.of(ctx)?.find(key) else { return -1 }
    data?.pointee = e.data
    size?.pointee = e.size
    return 0
}

@_cdecl("evrpc_hook_get_connection")
public func evrpc_hook_get_connection(_ ctx: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let ctx else { rpcNull("evrpc_hook_get_connection"); return nil }
    return RpcMeta.of(ctx)?.evcon
}

// MARK: client

@_cdecl("evrpc_pool_new")
public func evrpc_pool_new(_ base: OpaquePointer?) -> OpaquePointer? {
    guard let p = Memory.build({ RpcPool(base) }) else { return nil }
    return OpaquePointer(Unmanaged.passRetained(p).toOpaque())
}

@_cdecl("evrpc_pool_free")
public func evrpc_pool_free(_ pool: OpaquePointer?) {
    guard let pool else { return rpcNull("evrpc_pool_free") }
    let p = RpcPool.from(pool)
    p.tearDown()
    Unmanaged.passUnretained(p).release()
}

@_cdecl("evrpc_pool_add_connection")
public func evrpc_pool_add_connection(_ pool: OpaquePointer?, _ evcon: OpaquePointer?) {
    guard let pool, let evcon else { return rpcNull("evrpc_pool_add_connection") }
    RpcPool.from(pool).addConnection(evcon)
}

@_cdecl("evrpc_pool_remove_connection")
public func evrpc_pool_remove_connection(_ pool: OpaquePointer?, _ evcon: OpaquePointer?) {
    guard let pool, let evcon else { return rpcNull("evrpc_pool_remove_connection") }
    RpcPool.from(pool).removeConnection(evcon)
}

@_cdecl("evrpc_pool_set_timeout")
public func evrpc_pool_set_timeout(_ pool: OpaquePointer?, _ secs: Int32) {
    guard let pool else { return rpcNull("evrpc_pool_set_timeout") }
    RpcPool.from(pool).setTimeout(secs)
}

@_cdecl("evrpc_make_request_ctx")
public func evrpc_make_request_ctx(_ pool: OpaquePointer?, _ request: UnsafeMutableRawPointer?, _ reply: UnsafeMutableRawPointer?,
                                   _ name: UnsafePointer<CChar>?, _ reqMarshal: RpcMarshalFn?, _ rplClear: RpcVoidFn?,
                                   _ rplUnmarshal: RpcUnmarshalFn?, _ cb: RpcClientCallback?,
                                   _ cbarg: UnsafeMutableRawPointer?) -> ClientCtx? {
    guard let name else { rpcNull("evrpc_make_request_ctx"); return nil }
    return RpcClient.makeContext(pool, request, reply, name, reqMarshal, rplClear, rplUnmarshal, cb, cbarg)
}

@_cdecl("evrpc_make_request")
public func evrpc_make_request(_ ctx: ClientCtx?) -> Int32 {
    guard let ctx else { rpcNull("evrpc_make_request"); return -1 }
    return RpcClient.makeRequest(ctx)
}

@_cdecl("evrpc_send_request_generic")
public func evrpc_send_request_generic(_ pool: OpaquePointer?, _ request: UnsafeMutableRawPointer?,
                                       _ reply: UnsafeMutableRawPointer?, _ cb: RpcClientCallback?,
                                       _ cbarg: UnsafeMutableRawPointer?, _ name: UnsafePointer<CChar>?,
                                       _ reqMarshal: RpcMarshalFn?, _ rplClear: RpcVoidFn?,
                                       _ rplUnmarshal: RpcUnmarshalFn?) -> Int32 {
    guard let name, pool != nil,
          let ctx = RpcClient.makeContext(pool, request, reply, name, reqMarshal, rplClear, rplUnmarshal, cb, cbarg) else {
        if name == nil || pool == nil { rpcNull("evrpc_send_request_generic") }
        var status = evrpc_status(error: EVRPC_STATUS_ERR_UNSTARTED, http_req: nil)
        cb?(&status, request, reply, cbarg)
        return -1
    }
    return RpcClient.makeRequest(ctx)
}

@_cdecl("evrpc_request_get_pool")
public func evrpc_request_get_pool(_ ctx: ClientCtx?) -> OpaquePointer? {
    ctx?.pointee.pool
}

@_cdecl("evrpc_request_set_pool")
public func evrpc_request_set_pool(_ ctx: ClientCtx?, _ pool: OpaquePointer?) {
    guard let ctx else { return rpcNull("evrpc_request_set_pool") }
    ctx.pointee.pool = pool
}

@_cdecl("evrpc_request_set_cb")
public func evrpc_request_set_cb(_ ctx: ClientCtx?, _ cb: RpcClientCallback?, _ arg: UnsafeMutableRawPointer?) {
    guard let ctx else { return rpcNull("evrpc_request_set_cb") }
    ctx.pointee.cb = cb
    ctx.pointee.cb_arg = arg
}
