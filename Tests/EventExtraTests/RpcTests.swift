import XCTest
import CEventExtra
@testable import EventExtra

/// evrpc's bookkeeping without a network: paths, hook lists, pause records,
/// meta data, registration against an evhttp.
final class RpcTests: XCTestCase {
    private static var calls: [Int] = []

    private static let hookA: RpcHookFn = { _, _, _, _ in RpcTests.calls.append(1); return HookResult.continue }
    private static let hookB: RpcHookFn = { _, _, _, _ in RpcTests.calls.append(2); return HookResult.pause }
    private static let hookC: RpcHookFn = { _, _, _, _ in RpcTests.calls.append(3); return HookResult.continue }
    private static let hookOdd: RpcHookFn = { _, _, _, _ in 7 }

    func testUri() {
        let p = rpcUri("Message")!
        XCTAssertEqual(strcmp(p, "/.rpc.Message"), 0)
        Memory.free(p)
    }

    func testHooksRunInOrderUntilNotContinue() {
        let owner = RpcHookOwner()
        let a = owner.addHook(input: true, Self.hookA, nil)
        let b = owner.addHook(input: true, Self.hookB, nil)
        _ = owner.addHook(input: true, Self.hookC, nil)
        var ctx = 0
        Self.calls = []
        XCTAssertEqual(owner.runHooks(input: true, &ctx, nil, nil), HookResult.pause)
        XCTAssertEqual(Self.calls, [1, 2])
        XCTAssertEqual(owner.runHooks(input: false, &ctx, nil, nil), HookResult.continue)
        XCTAssertEqual(owner.removeHook(input: false, b), 0)
        XCTAssertEqual(owner.removeHook(input: true, b), 1)
        XCTAssertEqual(owner.removeHook(input: true, b), 0)
        Self.calls = []
        XCTAssertEqual(owner.runHooks(input: true, &ctx, nil, nil), HookResult.continue)
        XCTAssertEqual(Self.calls, [1, 3])
        XCTAssertEqual(owner.removeHook(input: true, a), 1)
        owner.removeAllHooks()
        XCTAssertTrue(owner.inputHooks.isEmpty)
    }

    func testUnknownHookResultTerminates() {
        let owner = RpcHookOwner()
        _ = owner.addHook(input: false, Self.hookOdd, nil)
        var ctx = 0
        XCTAssertEqual(owner.runHooks(input: false, &ctx, nil, nil), HookResult.terminate)
        owner.removeAllHooks()
    }

    func testMetaData() {
        let ctx = Memory.calloc(1, MemoryLayout<evrpc_request_wrapper>.size)!
        defer { RpcMeta.release(ctx); Memory.free(ctx) }
        var data: UnsafeMutableRawPointer?
        var size = 0
        XCTAssertEqual(evrpc_hook_find_meta(ctx, "k", &data, &size), -1)
        XCTAssertNil(evrpc_hook_get_connection(ctx))
        evrpc_hook_add_meta(ctx, "k", "v1", 3)
        evrpc_hook_add_meta(ctx, "k", "second", 7)
        evrpc_hook_add_meta(ctx, "empty", nil, 0)
        XCTAssertEqual(evrpc_hook_find_meta(ctx, "k", &data, &size), 0)
        XCTAssertEqual(size, 3)
        XCTAssertEqual(strcmp(data!.assumingMemoryBound(to: CChar.self), "v1"), 0)   // the first of a key
        XCTAssertEqual(evrpc_hook_find_meta(ctx, "empty", &data, &size), 0)
        XCTAssertEqual(size, 0)
        RpcMeta.associate(ctx, OpaquePointer(bitPattern: 0x1000))
        XCTAssertEqual(evrpc_hook_get_connection(ctx), OpaquePointer(bitPattern: 0x1000))
    }

    func testResumeUnknownAndServerTerminate() {
        let base = evrpc_init(nil)!
        var other = 0
        XCTAssertEqual(evrpc_resume_request(UnsafeMutableRawPointer(base), &other, HookResult.continue), -1)
        // A paused server state resumed with EVRPC_TERMINATE is freed (no HTTP request to answer).
        let state = Memory.calloc(1, MemoryLayout<evrpc_req_generic>.size)!
        let owner = RpcHookOwner.from(UnsafeMutableRawPointer(base))
        XCTAssertTrue(owner.pause(state, .serverInput))
        XCTAssertEqual(evrpc_resume_request(UnsafeMutableRawPointer(base), state, HookResult.terminate), 0)
        XCTAssertTrue(owner.paused.isEmpty)
        XCTAssertNil(evrpc_add_hook(UnsafeMutableRawPointer(base), 5, Self.hookA, nil))
        evrpc_free(base)
    }

    func testRegisterUnregister() {
        let eb = event_base_new()!
        let http = evhttp_new(eb)!
        let base = evrpc_init(http)!
        XCTAssertEqual(evrpc_register_generic(base, "One", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil), 0)
        XCTAssertEqual(evrpc_register_generic(base, "Two", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil), 0)
        // The path is taken in the evhttp: setting it again fails.
        XCTAssertEqual(CEventExtra.evhttp_set_cb(http, "/.rpc.One", nil, nil), -1)
        XCTAssertEqual(evrpc_unregister_rpc(base, "One"), 0)
        XCTAssertEqual(evrpc_unregister_rpc(base, "One"), -1)
        XCTAssertEqual(CEventExtra.evhttp_set_cb(http, "/.rpc.One", nil, nil), 0)
        evrpc_free(base)   // unregisters Two
        XCTAssertEqual(CEventExtra.evhttp_set_cb(http, "/.rpc.Two", nil, nil), 0)
        evhttp_free(http)
        event_base_free(eb)
    }

    func testSendWithoutPoolIsUnstarted() {
        RpcTests.calls = []
        let cb: RpcClientCallback = { status, _, _, _ in RpcTests.calls.append(Int(status!.pointee.error)) }
        XCTAssertEqual(evrpc_send_request_generic(nil, nil, nil, cb, nil, "X", nil, nil, nil), -1)
        XCTAssertEqual(RpcTests.calls, [Int(EVRPC_STATUS_ERR_UNSTARTED)])
    }
}
