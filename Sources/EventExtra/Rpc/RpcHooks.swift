import CEventExtra

public typealias HttpReq = UnsafeMutablePointer<evhttp_request>
typealias ServerState = UnsafeMutablePointer<evrpc_req_generic>
public typealias ClientCtx = UnsafeMutablePointer<evrpc_request_wrapper>
public typealias RpcHookFn = @convention(c) (UnsafeMutableRawPointer?, HttpReq?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32

/// What evrpc hooks can answer (enum EVRPC_HOOK_RESULT).
enum HookResult {
    static let terminate: Int32 = -1
    static let `continue`: Int32 = 0
    static let pause: Int32 = 1
}

/// The part an evrpc_base and an evrpc_pool share, so that evrpc_add_hook,
/// evrpc_remove_hook and evrpc_resume_request accept either: the input and
/// output hooks, and the requests a hook paused.
class RpcHookOwner {
    struct Hook {
        let handle: UnsafeMutableRawPointer
        let process: RpcHookFn
        let arg: UnsafeMutableRawPointer?
    }

    /// Where a paused request continues when resumed.
    enum Step { case serverInput, serverOutput, clientOutput, clientInput }

    struct Paused {
        let id: UInt
        let ctx: UnsafeMutableRawPointer
        let step: Step
    }

    var inputHooks: [Hook] = []
    var outputHooks: [Hook] = []
    var paused: [Paused] = []
    var nextPauseId: UInt = 0

    init() {}

    static func from(_ p: UnsafeMutableRawPointer) -> RpcHookOwner {
        Unmanaged<RpcHookOwner>.fromOpaque(p).takeUnretainedValue()
    }

    /// Adds a hook; its handle (a block of the program's allocator, as
    /// libevent's), or nil when memory ran out.
    func addHook(input: Bool, _ process: RpcHookFn, _ arg: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let handle = Memory.malloc(1) else { return nil }
        let ok = input ? inputHooks.reserveOneMore() : outputHooks.reserveOneMore()
        guard ok else { Memory.free(handle); return nil }
        let hook = Hook(handle: handle, process: process, arg: arg)
        if input { inputHooks.append(hook) } else { outputHooks.append(hook) }
        return handle
    }

    /// 1 when the handle was one of this list's hooks, else 0.
    func removeHook(input: Bool, _ handle: UnsafeMutableRawPointer?) -> Int32 {
        func take(_ list: inout [Hook]) -> Int32 {
            guard let i = list.firstIndex(where: { $0.handle == handle }) else { return 0 }
            Memory.free(list.remove(at: i).handle)
            return 1
        }
        return input ? take(&inputHooks) : take(&outputHooks)
    }

    func removeAllHooks() {
        for h in inputHooks { Memory.free(h.handle) }
        for h in outputHooks { Memory.free(h.handle) }
        inputHooks = []
        outputHooks = []
    }

    /// Runs the hooks in order until one answers other than EVRPC_CONTINUE.
    /// A hook may add or remove hooks meanwhile: the list is read as it
    /// stood when the run began (libevent's walk has no such guarantee).
    func runHooks(input: Bool, _ ctx: UnsafeMutableRawPointer, _ req: HttpReq?, _ buf: OpaquePointer?) -> Int32 {
        let list = input ? inputHooks : outputHooks
        for h in list {
            let r = h.process(ctx, req, buf, h.arg)
            if r != HookResult.continue {
                if r != HookResult.terminate && r != HookResult.pause {
                    Log.warnx("evrpc: a hook returned \(Int(r)), not an EVRPC_HOOK_RESULT; the request is terminated")
                    return HookResult.terminate
                }
                return r
            }
        }
        return HookResult.continue
    }

    func pause(_ ctx: UnsafeMutableRawPointer, _ step: Step) -> Bool {
        guard paused.reserveOneMore() else { return false }
        nextPauseId &+= 1
        paused.append(Paused(id: nextPauseId, ctx: ctx, step: step))
        return true
    }

    /// evrpc_resume_request: the request continues where it paused; -1 when
    /// `ctx` is not paused here. The record goes after the continuation ran
    /// (which may pause the same request again, as a new record).
    func resume(_ ctx: UnsafeMutableRawPointer?, _ result: Int32) -> Int32 {
        guard let p = paused.first(where: { $0.ctx == ctx }) else { return -1 }
        switch p.step {
        case .serverInput: RpcServer.inputDone(p.ctx.assumingMemoryBound(to: evrpc_req_generic.self), result)
        case .serverOutput: RpcServer.outputDone(p.ctx.assumingMemoryBound(to: evrpc_req_generic.self), result)
        case .clientOutput: RpcClient.outputDone(p.ctx.assumingMemoryBound(to: evrpc_request_wrapper.self), result)
        case .clientInput: RpcClient.inputDone(p.ctx.assumingMemoryBound(to: evrpc_request_wrapper.self), result)
        }
        if let i = paused.firstIndex(where: { $0.id == p.id }) { paused.remove(at: i) }
        return 0
    }
}

/// The meta data hooks attach to a request (struct evrpc_hook_meta, opaque
/// to programs) and the connection the request travels on.
final class RpcMeta {
    struct Entry {
        let key: UnsafeMutablePointer<CChar>
        let data: UnsafeMutableRawPointer?
        let size: Int
    }
    var entries: [Entry] = []
    var evcon: OpaquePointer? = nil

    init() {}

    deinit {
        for e in entries {
            Memory.free(e.key)
            Memory.free(e.data)
        }
    }

    /// The store behind the first field of a server state or client wrapper.
    static func slot(_ ctx: UnsafeMutableRawPointer) -> UnsafeMutablePointer<OpaquePointer?> {
        ctx.assumingMemoryBound(to: OpaquePointer?.self)
    }

    static func of(_ ctx: UnsafeMutableRawPointer) -> RpcMeta? {
        guard let p = slot(ctx).pointee else { return nil }
        return Unmanaged<RpcMeta>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// The request's store, made if it has none yet; nil when memory ran out.
    static func ensure(_ ctx: UnsafeMutableRawPointer) -> RpcMeta? {
        if let m = of(ctx) { return m }
        guard let m = Memory.build({ RpcMeta() }) else { return nil }
        slot(ctx).pointee = OpaquePointer(Unmanaged.passRetained(m).toOpaque())
        return m
    }

    /// Ties the request to its connection before its hooks run.
    static func associate(_ ctx: UnsafeMutableRawPointer, _ evcon: OpaquePointer?) {
        ensure(ctx)?.evcon = evcon
    }

    static func release(_ ctx: UnsafeMutableRawPointer) {
        guard let p = slot(ctx).pointee else { return }
        slot(ctx).pointee = nil
        Unmanaged<RpcMeta>.fromOpaque(UnsafeRawPointer(p)).release()
    }

    func add(_ key: UnsafePointer<CChar>, _ data: UnsafeRawPointer?, _ size: Int) -> Bool {
        guard entries.reserveOneMore(), let k = Memory.strdup(key) else { return false }
        let d = Memory.malloc(size)
        if d == nil && size > 0 { Memory.free(k); return false }
        if let d, let data, size > 0 { d.copyMemory(from: data, byteCount: size) }
        entries.append(Entry(key: k, data: d, size: size))
        return true
    }

    func find(_ key: UnsafePointer<CChar>) -> Entry? {
        entries.first { strcmp($0.key, key) == 0 }
    }
}

/// "/.rpc." + name: the HTTP path an RPC is served at, from the program's
/// allocator (NULL when it refuses).
func rpcUri(_ name: UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>? {
    let prefix: StaticString = "/.rpc."
    let plen = prefix.utf8CodeUnitCount
    let nlen = strlen(name)
    guard let p = Memory.malloc(plen + nlen + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
    UnsafeMutableRawPointer(p).copyMemory(from: prefix.utf8Start, byteCount: plen)
    (UnsafeMutableRawPointer(p) + plen).copyMemory(from: name, byteCount: nlen)
    p[plen + nlen] = 0
    return p
}
