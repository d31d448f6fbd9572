import CEventExtra

/// struct evrpc_pool: outgoing RPCs over a set of evhttp connections. A
/// request waits in `queued` until some connection has nothing in flight,
/// then: request_marshal into a new evhttp request -> output hooks (may
/// pause) -> POST "/.rpc.<name>" (with the pool's timeout, if any) -> the
/// reply's input hooks (may pause) -> reply_unmarshal -> the program's
/// callback with an evrpc_status. Whatever ends a request schedules the
/// next queued one.
final class RpcPool: RpcHookOwner {
    let base: OpaquePointer?
    var timeout: Int32 = -1
    var connections: [OpaquePointer] = []
    var queued: [ClientCtx] = []
    /// Requests past the queue whose callback has not run yet, so that
    /// freeing the pool can stop their timers (libevent leaves them armed).
    var started: [ClientCtx] = []

    init(_ base: OpaquePointer?) { self.base = base }

    static func from(_ p: OpaquePointer) -> RpcPool {
        Unmanaged<RpcPool>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    func addConnection(_ evcon: OpaquePointer) {
        if RpcHttp.isServerSide(evcon) {
            Log.warnx("evrpc_pool_add_connection: a server's connection cannot carry requests")
            return
        }
        guard connections.reserveOneMore() else {
            Log.warnx("evrpc_pool_add_connection: out of memory")
            return
        }
        connections.append(evcon)
        if let base { _ = evhttp_connection_set_base(evcon, base) }
        // A connection without a timeout of its own takes the pool's.
        if !RpcHttp.hasTimeout(evcon) { evhttp_connection_set_timeout(evcon, timeout) }
        if !queued.isEmpty {
            let ctx = queued.removeFirst()
            _ = RpcClient.schedule(ctx, on: evcon)
        }
    }

    func removeConnection(_ evcon: OpaquePointer) {
        if let i = connections.firstIndex(of: evcon) { connections.remove(at: i) }
    }

    func setTimeout(_ secs: Int32) {
        for c in connections { evhttp_connection_set_timeout(c, secs) }
        timeout = secs
    }

    /// Sends the first queued request if a connection is idle.
    func schedule() {
        guard let ctx = queued.first,
              let evcon = connections.first(where: { RpcHttp.isIdle($0) }) else { return }
        queued.removeFirst()
        _ = RpcClient.schedule(ctx, on: evcon)
    }

    func forget(_ ctx: ClientCtx) {
        if let i = started.firstIndex(of: ctx) { started.remove(at: i) }
    }

    /// evrpc_pool_free: queued requests dropped without their callbacks (as
    /// libevent), connections freed, hooks removed.
    func tearDown() {
        for ctx in queued { RpcClient.freeWrapper(ctx) }
        queued = []
        // A request paused before it was sent, or holding its reply (owned
        // by us for the pause), has an evhttp request no one else frees.
        for p in paused {
            let ctx = p.ctx.assumingMemoryBound(to: evrpc_request_wrapper.self)
            if let req = ctx.pointee.req { evhttp_request_free(req) }
            ctx.pointee.req = nil
        }
        paused = []
        // Freeing a connection drops its requests without callbacks: the
        // requests it carried are done with.
        let inFlight = started
        started = []
        for c in connections { evhttp_connection_free(c) }
        connections = []
        for ctx in inFlight { RpcClient.freeWrapper(ctx) }
        removeAllHooks()
    }
}

public typealias RpcClientCallback = @convention(c) (UnsafeMutablePointer<evrpc_status>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void

enum RpcClient {
    typealias Callback = RpcClientCallback

    static func pool(of ctx: ClientCtx) -> RpcPool? {
        guard let p = ctx.pointee.pool else { return nil }
        return RpcPool.from(p)
    }

    /// evrpc_make_request_ctx.
    static func makeContext(_ pool: OpaquePointer?, _ request: UnsafeMutableRawPointer?, _ reply: UnsafeMutableRawPointer?,
                            _ name: UnsafePointer<CChar>,
                            _ marshal: (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void)?,
                            _ clear: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?,
                            _ unmarshal: (@convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Int32)?,
                            _ cb: Callback?, _ cbArg: UnsafeMutableRawPointer?) -> ClientCtx? {
        guard let raw = Memory.calloc(1, MemoryLayout<evrpc_request_wrapper>.size) else { return nil }
        let ctx = raw.assumingMemoryBound(to: evrpc_request_wrapper.self)
        guard let n = Memory.strdup(name) else { Memory.free(raw); return nil }
        ctx.pointee.pool = pool
        ctx.pointee.name = n
        ctx.pointee.cb = cb
        ctx.pointee.cb_arg = cbArg
        ctx.pointee.request = request
        ctx.pointee.reply = reply
        ctx.pointee.request_marshal = marshal
        ctx.pointee.reply_clear = clear
        ctx.pointee.reply_unmarshal = unmarshal
        return ctx
    }

    /// evrpc_make_request: queue it on its pool and send it if a connection
    /// is free.
    static func makeRequest(_ ctx: ClientCtx) -> Int32 {
        guard let pool = pool(of: ctx) else {
            Log.warnx("evrpc_make_request: request without a pool")
            return -1
        }
        _ = event_assign(&ctx.pointee.ev_timeout, pool.base, -1, 0, timeoutCb, UnsafeMutableRawPointer(ctx))
        ctx.pointee.timeout_assigned = 1
        if pool.connections.isEmpty {
            Log.warnx("evrpc_make_request: the pool has no connections; the request waits for one")
        }
        guard pool.queued.reserveOneMore() else { return -1 }
        pool.queued.append(ctx)
        pool.schedule()
        return 0
    }

    /// Starts a request on a connection (it has left the queue).
    static func schedule(_ ctx: ClientCtx, on evcon: OpaquePointer) -> Int32 {
        guard let pool = pool(of: ctx), pool.started.reserveOneMore(),
              let req = evhttp_request_new(replyCb, UnsafeMutableRawPointer(ctx)) else { return unstarted(ctx) }
        pool.started.append(ctx)
        ctx.pointee.request_marshal?(evhttp_request_get_output_buffer(req), ctx.pointee.request)
        ctx.pointee.evcon = evcon
        ctx.pointee.req = req
        if !pool.outputHooks.isEmpty {
            let raw = UnsafeMutableRawPointer(ctx)
            RpcMeta.associate(raw, evcon)
            let r = pool.runHooks(input: false, raw, req, evhttp_request_get_output_buffer(req))
            if r == HookResult.terminate { return unstarted(ctx, freeing: req) }
            if r == HookResult.pause {
                return pool.pause(raw, .clientOutput) ? 0 : unstarted(ctx, freeing: req)
            }
        }
        outputDone(ctx, HookResult.continue)
        return 0
    }

    /// After the output hooks: POST it.
    static func outputDone(_ ctx: ClientCtx, _ result: Int32) {
        guard let pool = pool(of: ctx), let req = ctx.pointee.req else { _ = unstarted(ctx); return }
        if result == HookResult.terminate { _ = unstarted(ctx, freeing: req); return }
        guard let uri = rpcUri(ctx.pointee.name) else { _ = unstarted(ctx, freeing: req); return }
        if pool.timeout > 0 {
            var tv = timeval(tv_sec: Int(pool.timeout), tv_usec: 0)
            _ = event_add(&ctx.pointee.ev_timeout, &tv)
        }
        let r = evhttp_make_request(ctx.pointee.evcon, req, EVHTTP_REQ_POST, uri)
        Memory.free(uri)
        if r == -1 { _ = unstarted(ctx) }
    }

    /// The request never went out: EVRPC_STATUS_ERR_UNSTARTED, then freed.
    /// `req` is the evhttp request made for it, still ours to free.
    @discardableResult
    static func unstarted(_ ctx: ClientCtx, freeing req: HttpReq? = nil) -> Int32 {
        if let req { evhttp_request_free(req) }
        var status = evrpc_status(error: EVRPC_STATUS_ERR_UNSTARTED, http_req: nil)
        pool(of: ctx)?.forget(ctx)
        ctx.pointee.cb?(&status, ctx.pointee.request, ctx.pointee.reply, ctx.pointee.cb_arg)
        freeWrapper(ctx)
        return -1
    }

    /// The evhttp request callback: a reply, or NULL when the request
    /// failed (connection trouble, the pool's timeout).
    static let replyCb: @convention(c) (HttpReq?, UnsafeMutableRawPointer?) -> Void = { req, arg in
        guard let arg else { return }
        let ctx = arg.assumingMemoryBound(to: evrpc_request_wrapper.self)
        if ctx.pointee.timeout_assigned != 0 { _ = event_del(&ctx.pointee.ev_timeout) }
        ctx.pointee.req = req
        guard let req else { return inputDone(ctx, HookResult.continue) }
        var result = HookResult.continue
        if let pool = pool(of: ctx), !pool.inputHooks.isEmpty {
            let raw = UnsafeMutableRawPointer(ctx)
            RpcMeta.associate(raw, ctx.pointee.evcon)
            result = pool.runHooks(input: true, raw, req, evhttp_request_get_input_buffer(req))
            if result == HookResult.pause {
                // The HTTP layer frees the request after this callback
                // unless it is the program's: take it.
                evhttp_request_own(req)
                if pool.pause(raw, .clientInput) { return }
                result = HookResult.terminate
            }
        }
        inputDone(ctx, result)
    }

    /// After the input hooks: decode the reply and report.
    static func inputDone(_ ctx: ClientCtx, _ result: Int32) {
        let req = ctx.pointee.req
        var status = evrpc_status(error: EVRPC_STATUS_ERR_NONE, http_req: req)
        var decoded: Int32 = -1
        if let req {
            if result == HookResult.terminate {
                status.error = EVRPC_STATUS_ERR_HOOKABORTED
            } else {
                decoded = ctx.pointee.reply_unmarshal?(ctx.pointee.reply, evhttp_request_get_input_buffer(req)) ?? -1
                if decoded == -1 { status.error = EVRPC_STATUS_ERR_BADPAYLOAD }
            }
        } else {
            status.error = EVRPC_STATUS_ERR_TIMEOUT
        }
        if decoded == -1 { ctx.pointee.reply_clear?(ctx.pointee.reply) }
        // The callback may free the pool: the request leaves it first, and
        // `pool` keeps the object alive until the end.
        let pool = pool(of: ctx)
        pool?.forget(ctx)
        ctx.pointee.cb?(&status, ctx.pointee.request, ctx.pointee.reply, ctx.pointee.cb_arg)
        freeWrapper(ctx)
        if let req, evhttp_request_is_owned(req) != 0 { evhttp_request_free(req) }
        pool?.schedule()
    }

    /// The wrapper, its name and meta data (not the program's request/reply).
    static func freeWrapper(_ ctx: ClientCtx) {
        if ctx.pointee.timeout_assigned != 0 { _ = event_del(&ctx.pointee.ev_timeout) }
        RpcMeta.release(UnsafeMutableRawPointer(ctx))
        Memory.free(ctx.pointee.name)
        Memory.free(ctx)
    }

    /// The pool's timeout ran out: the connection fails the request as timed
    /// out, which calls replyCb with NULL.
    static let timeoutCb: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, _, arg in
        guard let arg else { return }
        let ctx = arg.assumingMemoryBound(to: evrpc_request_wrapper.self)
        guard let evcon = ctx.pointee.evcon else { return }
        RpcHttp.failTimedOut(evcon)
    }
}
