import CEventSys

/// The one place system calls are made from: retries EINTR, reports errno.
///
/// A call site writes `let r = Sys.call { read(fd, p, n) }` and gets either the
/// result or the errno captured right after the failing call, before anything
/// else can overwrite it.
enum Sys {
    /// Result of a system call: the value, or the errno it failed with.
    struct Result<T: BinaryInteger> {
        let value: T
        let errno: Int32
        @inline(__always) var failed: Bool { value < 0 }
    }

    /// Run `body` until it does not fail with EINTR.
    @inline(__always)
    static func call<T: BinaryInteger>(_ body: () -> T) -> Result<T> {
        while true {
            let v = body()
            if v >= 0 { return Result(value: v, errno: 0) }
            let e = cev_errno()
            if e != EINTR { return Result(value: v, errno: e) }
        }
    }

    /// Run `body` once; EINTR is reported to the caller (used for waits, so that
    /// signals and loopbreak are noticed, and for close, which must not retry).
    @inline(__always)
    static func once<T: BinaryInteger>(_ body: () -> T) -> Result<T> {
        let v = body()
        return Result(value: v, errno: v < 0 ? cev_errno() : 0)
    }

    static var errno: Int32 {
        get { cev_errno() }
        set { cev_set_errno(newValue) }
    }

    @discardableResult
    static func close(_ fd: Int32) -> Int32 {
        return CEventSys.close(fd)
    }

    /// Turn on one flag by fcntl read-modify-write: a status flag
    /// (F_GETFL/F_SETFL, O_NONBLOCK) or a descriptor flag (F_GETFD/F_SETFD,
    /// FD_CLOEXEC). nil on success, else the command that failed and errno.
    static func addFdFlag(_ fd: Int32, _ flag: Int32, descriptor: Bool) -> (command: StaticString, errno: Int32)? {
        let flags = call { descriptor ? fcntl_getfd(fd) : fcntl_getfl(fd) }
        if flags.failed { return (descriptor ? "F_GETFD" : "F_GETFL", flags.errno) }
        if flags.value & flag != 0 { return nil }
        let r = call { descriptor ? fcntl_setfd(fd, flags.value | flag) : fcntl_setfl(fd, flags.value | flag) }
        return r.failed ? (descriptor ? "F_SETFD" : "F_SETFL", r.errno) : nil
    }

    static func setNonBlocking(_ fd: Int32) -> Bool { addFdFlag(fd, O_NONBLOCK, descriptor: false) == nil }

    static func setCloseOnExec(_ fd: Int32) -> Bool { addFdFlag(fd, FD_CLOEXEC, descriptor: true) == nil }

    /// A non-blocking, close-on-exec pipe for internal wakeups.
    static func internalPipe() -> (Int32, Int32)? {
        var fds: (Int32, Int32) = (-1, -1)
        let r = withUnsafeMutablePointer(to: &fds) {
            $0.withMemoryRebound(to: Int32.self, capacity: 2) { p in
                call { pipe2(p, O_NONBLOCK | O_CLOEXEC) }
            }
        }
        return r.failed ? nil : fds
    }

    /// strerror's text, for interpolating into a LogText.
    static func strerror(_ e: Int32) -> UnsafePointer<CChar> {
        return UnsafePointer(CEventSys.strerror(e))
    }
}
