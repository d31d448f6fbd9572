import XCTest
import CEventSys
@testable import Event

// Shared helpers for the core unit tests: zeroed `struct event`s, socket
// pairs, and a recorder that C-convention callbacks reach through their arg.

/// Zeroed events in malloc'ed memory (what a C caller would hand us).
final class EventPool {
    private var events: [EventPtr] = []

    func make() -> EventPtr {
        let ev = EventPtr.allocate(capacity: 1)
        ev.initialize(to: event())
        events.append(ev)
        return ev
    }

    func make(_ n: Int) -> [EventPtr] { (0..<n).map { _ in make() } }

    deinit {
        for ev in events { ev.deallocate() }
    }
}

/// One callback invocation as the loop made it.
struct Call: Equatable {
    var id: Int
    var fd: Int32
    var what: Int16
}

/// Collects callback invocations in order. Each event gets its own tag (the
/// callback's arg) naming the recorder and an id, plus an optional action run
/// after the call is logged (delete another event, break the loop...).
final class Recorder {
    struct Tag {
        var id: Int
        var recorder: Unmanaged<Recorder>
        var action: ((Int32, Int16) -> Void)?
    }

    var calls: [Call] = []
    private var tags: [UnsafeMutablePointer<Tag>] = []

    var ids: [Int] { calls.map(\.id) }

    /// The arg for event `id`.
    func arg(_ id: Int, action: ((Int32, Int16) -> Void)? = nil) -> UnsafeMutableRawPointer {
        let t = UnsafeMutablePointer<Tag>.allocate(capacity: 1)
        t.initialize(to: Tag(id: id, recorder: .passUnretained(self), action: action))
        tags.append(t)
        return UnsafeMutableRawPointer(t)
    }

    static let callback: EventCallback = { fd, what, arg in
        let tag = arg!.assumingMemoryBound(to: Tag.self)
        tag.pointee.recorder.takeUnretainedValue().calls.append(Call(id: tag.pointee.id, fd: fd, what: what))
        tag.pointee.action?(fd, what)
    }

    deinit {
        for t in tags { t.deinitialize(count: 1); t.deallocate() }
    }
}

/// A non-blocking AF_UNIX stream socket pair, closed on deinit.
final class SocketPair {
    let a: Int32
    private(set) var b: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        let r = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        precondition(r == 0, "socketpair failed")
        a = fds[0]
        b = fds[1]
        _ = Sys.setNonBlocking(a)
        _ = Sys.setNonBlocking(b)
    }

    /// Write one byte into `fd` (so its peer becomes readable).
    static func poke(_ fd: Int32) {
        var byte: UInt8 = 0x2a
        XCTAssertEqual(write(fd, &byte, 1), 1)
    }

    /// Read whatever is pending on `fd`; the number of bytes drained.
    @discardableResult
    static func drain(_ fd: Int32) -> Int {
        var buf = [UInt8](repeating: 0, count: 256)
        var total = 0
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { return total }
            total += n
        }
    }

    /// Fill `fd`'s send buffer so it stops being writable.
    static func fill(_ fd: Int32) {
        var buf = [UInt8](repeating: 0, count: 65536)
        while write(fd, &buf, buf.count) > 0 {}
    }

    /// Close the second end now (a peer hanging up).
    func closeB() {
        close(b)
        b = -1
    }

    deinit {
        close(a)
        if b >= 0 { close(b) }
    }
}

func tv(ms: Int) -> timeval { timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000) }

/// A base on a given backend (all other mechanisms avoided, environment ignored).
func makeBase(_ kind: BackendKind? = nil, file: StaticString = #filePath, line: UInt = #line) -> EventBase? {
    let cfg = EventConfig()
    cfg.flags = BaseFlag.ignoreEnv
    if let kind {
        for other in BackendKind.allCases where other != kind {
            XCTAssertEqual(cfg.avoid("\(other.name)"), 0)
        }
    }
    let base = EventBase.create(config: cfg)
    XCTAssertNotNil(base, "could not create a base", file: file, line: line)
    if let kind { XCTAssertEqual(base?.backend.kind, kind, file: file, line: line) }
    return base
}

extension EventBase {
    /// assign + optional add, with the recorder's callback.
    @discardableResult
    func setUp(_ ev: EventPtr, fd: Int32, events: Int16, recorder: Recorder, id: Int,
               action: ((Int32, Int16) -> Void)? = nil) -> EventPtr {
        XCTAssertEqual(EventBase.assign(ev, base: self, fd: fd, events: events,
                                        callback: Recorder.callback, arg: recorder.arg(id, action: action)), 0)
        return ev
    }
}

/// Captures library log messages while `body` runs (instead of stderr).
enum LogCapture {
    nonisolated(unsafe) static var messages: [String] = []

    static func during<R>(_ body: () throws -> R) rethrows -> (R, [String]) {
        messages = []
        let saved = Log.callback
        Log.callback = { _, msg in LogCapture.messages.append(msg.map { String(cString: $0) } ?? "") }
        defer { Log.callback = saved }
        let r = try body()
        return (r, messages)
    }
}
