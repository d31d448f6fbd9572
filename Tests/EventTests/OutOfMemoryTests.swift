import XCTest
import CEventSys
@testable import Event

/// Running out of memory where libevent itself cannot be compared (it
/// crashes or frees twice there, so the ctests mem_fault_* never refuse
/// those allocations): bufferevent_pair_new, bufferevent_filter_new, a read
/// watermark's callback entry, evbuffer_add_file_segment, plus the -1 of
/// evbuffer_setcb and evbuffer_defer_callbacks. Under the ordinary runtime
/// only the library's own allocations (Memory) go through the installed
/// allocator; each is refused in turn, and every block it gave must come
/// back.
final class OutOfMemoryTests: XCTestCase {
    /// The base of the current run (made with every allocation granted).
    var base: OpaquePointer!

    override func tearDown() {
        event_set_mem_functions(nil, nil, nil)
    }

    private func loop(_ n: Int = 3) {
        for _ in 0..<n { _ = event_base_loop(base, 2) }
    }

    /// Granted allocations: `body`'s own set-up.
    private func granted<R>(_ body: () -> R) -> R {
        Faults.paused = true
        defer { Faults.paused = false }
        return body()
    }

    /// Runs `body` on a fresh base once granting everything (to count the
    /// allocations it makes), then once per allocation with only that one
    /// refused; after each run and the base's event_base_free no block of
    /// the refusing allocator may be left.
    private func refuseEach(file: StaticString = #filePath, line: UInt = #line, _ body: (_ refusing: Bool) -> Void) {
        event_set_mem_functions(Faults.malloc, Faults.realloc, Faults.free)
        defer { event_set_mem_functions(nil, nil, nil) }
        var total = 0
        var k = 0
        repeat {
            Faults.start(refusing: k)
            base = granted { event_base_new() }
            body(k > 0)
            let calls = Faults.calls
            granted { event_base_free(base) }
            cev_chain_cache_flush_current()
            if k == 0 {
                total = calls
                XCTAssertGreaterThan(total, 0, "nothing allocated", file: file, line: line)
            }
            XCTAssertEqual(Faults.live.count, 0, "blocks left refusing allocation \(k) of \(total)", file: file, line: line)
            Faults.live.removeAll()
            k += 1
        } while k <= total
    }

    func testPairNewFailsWithoutLeaks() {
        refuseEach { _ in
            var pair: [BevPtr?] = [nil, nil]
            let r = bufferevent_pair_new(base, 0, &pair)
            if r == 0 {
                _ = bufferevent_enable(pair[1], EV.read)
                _ = bufferevent_write(pair[0], "x", 1)
                loop()
                bufferevent_free(pair[0])
                bufferevent_free(pair[1])
            } else {
                XCTAssertEqual(r, -1)
                XCTAssertNil(pair[0])
                XCTAssertNil(pair[1])
            }
            loop()
        }
    }

    func testFilterNewFailsBeforeTouchingTheUnderlyingBufferevent() {
        let readcb: bufferevent_data_cb = { _, _ in }
        refuseEach { _ in
            var fds: [Int32] = [-1, -1]
            XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
            let under = granted { bufferevent_socket_new(base, fds[0], BevOpt.closeOnFree)! }
            bufferevent_setcb(under, readcb, nil, nil, nil)
            if let f = bufferevent_filter_new(under, nil, nil, 0, nil, nil) {
                _ = bufferevent_write(f, "x", 1)
                loop()
                bufferevent_free(f)
            } else {
                // Refused: the underlying bufferevent keeps its callbacks.
                XCTAssertEqual(unsafeBitCast(under.pointee.readcb, to: UnsafeRawPointer?.self),
                               unsafeBitCast(readcb, to: UnsafeRawPointer?.self))
            }
            bufferevent_free(under)
            loop()
            close(fds[1])
        }
    }

    func testReadWatermarkWithoutItsCallbackEntry() {
        refuseEach { _ in
            var fds: [Int32] = [-1, -1]
            XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
            let bev = granted { bufferevent_socket_new(base, fds[0], BevOpt.closeOnFree)! }
            bufferevent_setwatermark(bev, EV.read, 0, 10)
            XCTAssertEqual(bev.pointee.wm_read.high, 10)
            bufferevent_free(bev)
            loop()
            close(fds[1])
        }
    }

    func testSetcbAndDeferCallbacksReportMissingMemory() {
        let cb: evbuffer_cb = { _, _, _, _ in }
        refuseEach { refusing in
            let buf = granted { Event.evbuffer_new()! }
            XCTAssertEqual(evbuffer_setcb(buf, cb, nil), refusing ? -1 : 0)
            XCTAssertEqual(evbuffer_setcb(buf, nil, nil), 0)
            evbuffer_free(buf)
        }
        refuseEach { refusing in
            let buf = granted { Event.evbuffer_new()! }
            XCTAssertEqual(evbuffer_defer_callbacks(buf, base), refusing ? -1 : 0)
            evbuffer_free(buf)
        }
    }

    func testRefusedFileSegmentAddKeepsTheCallersReference() {
        var name = Array("/tmp/oom-seg.XXXXXX".utf8CString)
        let fd = mkstemp(&name)
        XCTAssertGreaterThanOrEqual(fd, 0)
        unlink(&name)
        XCTAssertEqual(write(fd, "0123456789", 10), 10)
        defer { close(fd) }
        let cleanup: evbuffer_file_segment_cleanup_cb = { _, _, arg in
            arg!.assumingMemoryBound(to: Int.self).pointee += 1
        }
        refuseEach { refusing in
            let (seg, buf) = granted { (Event.evbuffer_file_segment_new(fd, 0, 10, 0)!, Event.evbuffer_new()!) }
            Faults.cleanups = 0
            withUnsafeMutablePointer(to: &Faults.cleanups) { evbuffer_file_segment_add_cleanup_cb(seg, cleanup, $0) }
            XCTAssertEqual(evbuffer_add_file_segment(buf, seg, 2, 5), refusing ? -1 : 0)
            evbuffer_file_segment_free(seg)
            XCTAssertEqual(Faults.cleanups, refusing ? 1 : 0)
            evbuffer_free(buf)
            XCTAssertEqual(Faults.cleanups, 1)
        }
    }
}

/// The refusing allocator: counts calls, refuses the chosen one, and
/// tracks what it handed out (blocks from before it was installed are
/// freed without being counted).
enum Faults {
    nonisolated(unsafe) static var calls = 0
    nonisolated(unsafe) static var refuseAt = 0
    nonisolated(unsafe) static var paused = false
    nonisolated(unsafe) static var live = Set<UInt>()
    nonisolated(unsafe) static var cleanups = 0

    static func start(refusing k: Int) {
        calls = 0
        refuseAt = k
        paused = false
    }

    static func refuse() -> Bool {
        if paused { return false }
        calls += 1
        return calls == refuseAt
    }

    static let malloc: Memory.MallocFn = { n in
        if Faults.refuse() { return nil }
        let p = CEventSys.malloc(n)
        if let p { Faults.live.insert(UInt(bitPattern: p)) }
        return p
    }

    static let realloc: Memory.ReallocFn = { old, n in
        if Faults.refuse() { return nil }
        if let old { Faults.live.remove(UInt(bitPattern: old)) }
        let p = CEventSys.realloc(old, n)
        if let p { Faults.live.insert(UInt(bitPattern: p)) }
        return p
    }

    static let free: Memory.FreeFn = { p in
        guard let p else { return }
        Faults.live.remove(UInt(bitPattern: p))
        CEventSys.free(p)
    }
}
