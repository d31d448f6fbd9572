import CEventExtra

/// struct evrpc_base: the RPC server on top of an evhttp. Each registered
/// RPC is a `struct evrpc` (rpc_struct.h; the program may fill one in
/// itself for evrpc_register_rpc), served at "/.rpc.<name>" by an evhttp
/// callback whose argument is that struct.
///
/// A request's life: POST with a body -> input hooks (may pause) ->
/// request_new + request_unmarshal + reply_new -> the program's callback,
/// which calls evrpc_request_done -> reply_complete + reply_marshal ->
/// output hooks (may pause) -> 200 "OK" with the marshalled reply. Any
/// failure on the way answers 503 and frees the state.
final class RpcBase: RpcHookOwner {
    let http: OpaquePointer?
    var rpcs: [UnsafeMutablePointer<evrpc>] = []

    init(_ http: OpaquePointer?) { self.http = http }

    static func from(_ p: OpaquePointer) -> RpcBase {
        Unmanaged<RpcBase>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    func register(_ rpc: UnsafeMutablePointer<evrpc>, _ cb: RpcServer.Callback?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
        guard rpcs.reserveOneMore() else { return -1 }
        rpc.pointee.base = handle
        rpc.pointee.cb = cb
        rpc.pointee.cb_arg = arg
        rpcs.append(rpc)
        if let uri = rpcUri(rpc.pointee.uri) {
            // As libevent, a name already served keeps its first RPC.
            _ = evhttp_set_cb(http, uri, RpcServer.requestCb, UnsafeMutableRawPointer(rpc))
            Memory.free(uri)
        } else {
            Log.warnx("evrpc_register_rpc: no memory for the path of \(rpc.pointee.uri)")
        }
        return 0
    }

    /// Unregisters the first RPC of that name; frees it and its name.
    func unregister(_ name: UnsafePointer<CChar>) -> Int32 {
        guard let i = rpcs.firstIndex(where: { strcmp($0.pointee.uri, name) == 0 }) else { return -1 }
        let rpc = rpcs.remove(at: i)
        if let uri = rpcUri(name) {
            if evhttp_del_cb(http, uri) != 0 {
                Log.warnx("evrpc_unregister_rpc: \(name) had no HTTP callback")
            }
            Memory.free(uri)
        }
        Memory.free(UnsafeMutableRawPointer(mutating: rpc.pointee.uri))
        Memory.free(rpc)
        return 0
    }

    /// evrpc_free: every RPC unregistered, hooks removed. Requests still
    /// paused can no longer be resumed: they are freed unanswered (libevent
    /// leaks them; the HTTP request stays with evhttp either way).
    func tearDown() {
        let stuck = paused
        paused = []
        for p in stuck { RpcServer.freeState(p.ctx.assumingMemoryBound(to: evrpc_req_generic.self)) }
        while let rpc = rpcs.first {
            _ = unregister(rpc.pointee.uri)
        }
        removeAllHooks()
    }
}

public typealias RpcServerCallback = @convention(c) (UnsafeMutablePointer<evrpc_req_generic>?, UnsafeMutableRawPointer?) -> Void

enum RpcServer {
    typealias Callback = RpcServerCallback

    static let serviceUnavailable: Int32 = 503

    static func base(of state: ServerState) -> RpcBase? {
        guard let rpc = state.pointee.rpc, let b = rpc.pointee.base else { return nil }
        return RpcBase.from(b)
    }

    /// The evhttp callback of every registered path.
    static let requestCb: @convention(c) (HttpReq?, UnsafeMutableRawPointer?) -> Void = { req, arg in
        guard let req, let arg else { return }
        let rpc = arg.assumingMemoryBound(to: evrpc.self)
        guard evhttp_request_get_command(req) == EVHTTP_REQ_POST,
              evbuffer_get_length(evhttp_request_get_input_buffer(req)) > 0,
              let raw = Memory.calloc(1, MemoryLayout<evrpc_req_generic>.size) else {
            evhttp_send_error(req, serviceUnavailable, nil)
            return
        }
        let state = raw.assumingMemoryBound(to: evrpc_req_generic.self)
        state.pointee.rpc = rpc
        state.pointee.http_req = req
        if let base = base(of: state), !base.inputHooks.isEmpty {
            RpcMeta.associate(raw, evhttp_request_get_connection(req))
            let r = base.runHooks(input: true, raw, req, evhttp_request_get_input_buffer(req))
            if r == HookResult.terminate { return fail(state) }
            if r == HookResult.pause {
                if !base.pause(raw, .serverInput) { fail(state) }
                return
            }
        }
        inputDone(state, HookResult.continue)
    }

    /// After the input hooks: decode the request, make the reply, hand both
    /// to the program.
    static func inputDone(_ state: ServerState, _ result: Int32) {
        guard result != HookResult.terminate, let rpc = state.pointee.rpc,
              let reqNew = rpc.pointee.request_new, let unmarshal = rpc.pointee.request_unmarshal,
              let rplNew = rpc.pointee.reply_new else { return fail(state) }
        state.pointee.request = reqNew(rpc.pointee.request_new_arg)
        guard let request = state.pointee.request,
              unmarshal(request, evhttp_request_get_input_buffer(state.pointee.http_req)) != -1 else { return fail(state) }
        state.pointee.reply = rplNew(rpc.pointee.reply_new_arg)
        guard state.pointee.reply != nil else { return fail(state) }
        guard let cb = rpc.pointee.cb else {
            // libevent would call through NULL; nobody could answer it.
            Log.warnx("evrpc: \(rpc.pointee.uri) has no callback")
            return fail(state)
        }
        cb(state, rpc.pointee.cb_arg)
    }

    /// evrpc_request_done: the program filled in the reply.
    static func requestDone(_ state: ServerState) {
        guard let rpc = state.pointee.rpc, let complete = rpc.pointee.reply_complete,
              let marshal = rpc.pointee.reply_marshal,
              complete(state.pointee.reply) != -1,
              let data = evbuffer_new() else { return fail(state) }
        state.pointee.rpc_data = data
        marshal(data, state.pointee.reply)
        let raw = UnsafeMutableRawPointer(state)
        if let base = base(of: state), !base.outputHooks.isEmpty {
            let req = state.pointee.http_req
            RpcMeta.associate(raw, req.flatMap { evhttp_request_get_connection($0) })
            let r = base.runHooks(input: false, raw, req, data)
            if r == HookResult.terminate { return fail(state) }
            if r == HookResult.pause {
                if !base.pause(raw, .serverOutput) { fail(state) }
                return
            }
        }
        outputDone(state, HookResult.continue)
    }

    /// After the output hooks: send the marshalled reply.
    static func outputDone(_ state: ServerState, _ result: Int32) {
        guard result != HookResult.terminate, let req = state.pointee.http_req else { return fail(state) }
        let headers = evhttp_request_get_output_headers(req)
        if evhttp_find_header(headers, "Content-Type") == nil {
            _ = evhttp_add_header(headers, "Content-Type", "application/octet-stream")
        }
        evhttp_send_reply(req, 200, "OK", state.pointee.rpc_data)
        freeState(state)
    }

    /// Frees the state and answers 503.
    static func fail(_ state: ServerState) {
        let req = state.pointee.http_req
        freeState(state)
        if let req { evhttp_send_error(req, serviceUnavailable, nil) }
    }

    /// evrpc_reqstate_free_: the request, reply, marshalled data, meta data.
    static func freeState(_ state: ServerState) {
        let raw = UnsafeMutableRawPointer(state)
        RpcMeta.release(raw)
        if let rpc = state.pointee.rpc {
            if let r = state.pointee.request { rpc.pointee.request_free?(r) }
            if let r = state.pointee.reply { rpc.pointee.reply_free?(r) }
        }
        if let d = state.pointee.rpc_data { evbuffer_free(d) }
        Memory.free(raw)
    }
}
