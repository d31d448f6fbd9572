import XCTest
import CEventSys
@testable import Event

// State the C callbacks (which cannot capture) report into.
nonisolated(unsafe) private var acceptedFamilies: [Int32] = []
nonisolated(unsafe) private var acceptedNonBlocking: [Bool] = []
nonisolated(unsafe) private var freeInCallback = false
nonisolated(unsafe) private var errorCalls = 0

private let onAccept: ListenerCallback = { lev, fd, sa, len, arg in
    acceptedFamilies.append(Int32(sa!.pointee.sa_family))
    acceptedNonBlocking.append(fcntl_getfl(fd) & O_NONBLOCK != 0)
    close(fd)
    if freeInCallback { Event.evconnlistener_free(lev) }
}

private let onError: ListenerErrorCallback = { _, _ in errorCalls += 1 }

final class ListenerTests: XCTestCase {
    override func setUp() {
        acceptedFamilies = []
        acceptedNonBlocking = []
        freeInCallback = false
        errorCalls = 0
    }

    private func loopback4() -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return sin
    }

    private func bind(_ base: OpaquePointer, flags: UInt32, backlog: Int32 = -1) -> OpaquePointer? {
        var sin = loopback4()
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Event.evconnlistener_new_bind(base, onAccept, nil, flags, backlog, $0, Int32(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    private func port(_ lev: OpaquePointer) -> UInt16 {
        var sin = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = getsockname(Event.evconnlistener_get_fd(lev), $0, &len)
            }
        }
        return UInt16(bigEndian: sin.sin_port)
    }

    private func connectClient(_ port: UInt16) -> Int32 {
        var sin = loopback4()
        sin.sin_port = port.bigEndian
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let r = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(r, 0)
        return fd
    }

    private func run(_ base: OpaquePointer, ms: Int = 50) {
        var tv = timeval(tv_sec: 0, tv_usec: ms * 1000)
        _ = event_base_loopexit(base, &tv)
        _ = event_base_dispatch(base)
    }

    func testAcceptDisableEnable() {
        let base = event_base_new()!
        guard let lev = bind(base, flags: ListenerFlag.closeOnFree) else { return XCTFail("bind") }
        XCTAssertEqual(Event.evconnlistener_get_base(lev), base)
        let p = port(lev)
        let c1 = connectClient(p)
        run(base)
        XCTAssertEqual(acceptedFamilies, [AF_INET])
        XCTAssertEqual(acceptedNonBlocking, [true])
        XCTAssertEqual(Event.evconnlistener_disable(lev), 0)
        let c2 = connectClient(p)
        run(base)
        XCTAssertEqual(acceptedFamilies.count, 1)
        XCTAssertEqual(Event.evconnlistener_enable(lev), 0)
        run(base)
        XCTAssertEqual(acceptedFamilies.count, 2)
        let fd = Event.evconnlistener_get_fd(lev)
        Event.evconnlistener_free(lev)
        XCTAssertEqual(fcntl_getfd(fd), -1)   // LEV_OPT_CLOSE_ON_FREE
        close(c1); close(c2)
        event_base_free(base)
    }

    func testLeaveBlockingAndFreeInCallback() {
        let base = event_base_new()!
        guard let lev = bind(base, flags: ListenerFlag.closeOnFree | ListenerFlag.leaveSocketsBlocking) else { return XCTFail() }
        let p = port(lev)
        let c1 = connectClient(p), c2 = connectClient(p)
        freeInCallback = true
        run(base)
        XCTAssertEqual(acceptedNonBlocking, [false])   // freed after the first: the second is never accepted
        close(c1); close(c2)
        event_base_free(base)
    }

    func testBadInput() {
        let base = event_base_new()!
        Sys.errno = 0
        XCTAssertNil(Event.evconnlistener_new_bind(base, onAccept, nil, 0, -1, nil, 0))
        XCTAssertEqual(Sys.errno, EAFNOSUPPORT)
        XCTAssertNil(bind(base, flags: 0, backlog: 0))
        var sin = loopback4()
        let short = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Event.evconnlistener_new_bind(base, onAccept, nil, 0, -1, $0, 4) }
        }
        XCTAssertNil(short)
        XCTAssertEqual(Sys.errno, EINVAL)
        guard let first = bind(base, flags: ListenerFlag.closeOnFree) else { return XCTFail() }
        sin.sin_port = port(first).bigEndian
        let again = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Event.evconnlistener_new_bind(base, onAccept, nil, ListenerFlag.reusable, -1, $0, Int32(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertNil(again)
        XCTAssertEqual(Sys.errno, EADDRINUSE)
        XCTAssertNil(Event.evconnlistener_new(base, onAccept, nil, 0, 5, -1))
        XCTAssertEqual(Sys.errno, EBADF)
        // NULL listeners are refused with a warning rather than a crash.
        XCTAssertEqual(Event.evconnlistener_enable(nil), -1)
        XCTAssertEqual(Event.evconnlistener_get_fd(nil), -1)
        Event.evconnlistener_free(nil)
        Event.evconnlistener_free(first)
        event_base_free(base)
    }

    func testNoCallbackThenSetCallback() {
        let base = event_base_new()!
        var sin = loopback4()
        let lev = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Event.evconnlistener_new_bind(base, nil, nil, ListenerFlag.closeOnFree, -1, $0, Int32(MemoryLayout<sockaddr_in>.size))
            }
        }!
        Event.evconnlistener_set_error_cb(lev, onError)
        let c = connectClient(port(lev))
        run(base)
        XCTAssertEqual(acceptedFamilies.count, 0)
        Event.evconnlistener_set_cb(lev, onAccept, nil)
        run(base)
        XCTAssertEqual(acceptedFamilies.count, 1)
        XCTAssertEqual(errorCalls, 0)
        close(c)
        Event.evconnlistener_free(lev)
        event_base_free(base)
    }
}
