import CEventSys

public typealias ListenerCallback = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<sockaddr>?, Int32,
                                                    UnsafeMutableRawPointer?) -> Void
public typealias ListenerErrorCallback = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void

/// LEV_OPT_* (listener.h).
enum ListenerFlag {
    static let leaveSocketsBlocking: UInt32 = 1 << 0
    static let closeOnFree: UInt32 = 1 << 1
    static let closeOnExec: UInt32 = 1 << 2
    static let reusable: UInt32 = 1 << 3
    static let threadSafe: UInt32 = 1 << 4
    static let disabled: UInt32 = 1 << 5
    static let deferredAccept: UInt32 = 1 << 6
    static let reusablePort: UInt32 = 1 << 7
    static let bindIPv6Only: UInt32 = 1 << 8
}

/// struct evconnlistener: a listening socket whose "readable" event (an
/// ordinary EV_READ|EV_PERSIST event on the base) accepts connections and
/// hands each to the user's callback.
///
/// Lifetime.  The C caller owns one reference (taken at creation, dropped
/// by evconnlistener_free).  While a user callback runs, the accept handler
/// holds another, so a callback may free the listener: `free()` clears the
/// callbacks and marks it freed at once, the handler notices and stops, and
/// the teardown (event deleted, socket closed under LEV_OPT_CLOSE_ON_FREE,
/// event memory released) runs in deinit once the handler lets go.
///
/// Threads.  With LEV_OPT_THREADSAFE (and lock callbacks set) the listener
/// has a recursive lock of its own, taken by every method below and let go
/// while a user callback runs (order: listener lock, then the base lock;
/// Core/BaseLock.swift).  evconnlistener_free takes the accept event off
/// the base before dropping the caller's reference, without holding the
/// listener lock: from another thread it waits for a running accept handler
/// (which may be waiting for that lock) to return.
final class Listener {
    /// Retained so that a listener outliving its base stays memory-safe.
    let base: EventBase?
    let event: EventPtr
    let flags: UInt32
    let acceptFlags: Int32
    var callback: ListenerCallback?
    var errorCallback: ListenerErrorCallback?
    var userData: UnsafeMutableRawPointer?
    var enabled = false
    var freed = false
    var lock: UnsafeMutableRawPointer? = nil
    /// The event is set up (a listener discarded for want of memory never was).
    private var armed = false

    var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer) -> Listener {
        Unmanaged<Listener>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    private init(base: EventBase?, event: EventPtr, flags: UInt32, callback: ListenerCallback?,
                 userData: UnsafeMutableRawPointer?) {
        self.base = base
        self.event = event
        self.flags = flags
        self.callback = callback
        self.userData = userData
        var af: Int32 = 0
        if flags & ListenerFlag.leaveSocketsBlocking == 0 { af |= Sockets.sockNonBlock }
        if flags & ListenerFlag.closeOnExec != 0 { af |= Sockets.sockCloExec }
        acceptFlags = af
    }

    /// evconnlistener_new: listen on `fd` (a positive backlog as given, a
    /// negative one as 128, 0 when the socket is already listening) and
    /// start accepting unless LEV_OPT_DISABLED.  nil (errno from listen)
    /// when listen fails.
    static func create(base: EventBase?, callback: ListenerCallback?, userData: UnsafeMutableRawPointer?,
                       flags: UInt32, backlog: Int32, fd: Int32) -> Listener? {
        if backlog != 0 {
            let r = Sys.call { listen(fd, backlog > 0 ? backlog : 128) }
            if r.failed {
                Sys.errno = r.errno
                return nil
            }
        }
        guard let raw = Memory.calloc(1, MemoryLayout<CEventSys.event>.size) else {
            Sys.errno = ENOMEM
            return nil
        }
        let ev = raw.bindMemory(to: CEventSys.event.self, capacity: 1)
        let mark = Memory.failureMark()
        let l = Listener(base: base, event: ev, flags: flags, callback: callback, userData: userData)
        if Memory.failed(since: mark) {
            // Released unarmed: the event is freed, the fd left to the caller.
            Sys.errno = ENOMEM
            return nil
        }
        l.armed = true
        if flags & ListenerFlag.threadSafe != 0 { l.lock = BufferLock.alloc() }
        _ = EventBase.assign(ev, base: base, fd: fd, events: EV.read | EV.persist,
                             callback: listenerReadable, arg: Unmanaged.passUnretained(l).toOpaque())
        if flags & ListenerFlag.disabled == 0 { _ = l.enable() }
        return l
    }

    /// evconnlistener_new_bind: a new non-blocking stream socket with
    /// SO_KEEPALIVE and the options the flags ask for, bound to `sa` when
    /// given.  nil with errno from the step that failed; a backlog of 0 is
    /// refused.
    static func bind(base: EventBase?, callback: ListenerCallback?, userData: UnsafeMutableRawPointer?,
                     flags: UInt32, backlog: Int32, sa: UnsafePointer<sockaddr>?, socklen: Int32) -> Listener? {
        if backlog == 0 { return nil }
        let family = sa.map { Int32($0.pointee.sa_family) } ?? AF_UNSPEC
        var type = Int32(SOCK_STREAM.rawValue) | Sockets.sockNonBlock
        if flags & ListenerFlag.closeOnExec != 0 { type |= Sockets.sockCloExec }
        let s = Sockets.open(family, type, 0)
        if s.failed {
            Sys.errno = s.errno
            return nil
        }
        let fd = s.value
        func fail() -> Listener? {
            let e = Sys.errno
            Sys.close(fd)
            Sys.errno = e
            return nil
        }
        if Sockets.setIntOption(fd, SOL_SOCKET, SO_KEEPALIVE) < 0 { return fail() }
        if flags & ListenerFlag.reusable != 0 && Sockets.makeReusable(fd) < 0 { return fail() }
        if flags & ListenerFlag.reusablePort != 0 && Sockets.makeReusablePort(fd) < 0 { return fail() }
        if flags & ListenerFlag.deferredAccept != 0 && Sockets.makeDeferred(fd) < 0 { return fail() }
        if flags & ListenerFlag.bindIPv6Only != 0 && Sockets.makeIPv6Only(fd) < 0 { return fail() }
        if let sa {
            let r = Sys.call { CEventSys.bind(fd, __CONST_SOCKADDR_ARG(__sockaddr__: sa), socklen_t(bitPattern: socklen)) }
            if r.failed {
                Sys.errno = r.errno
                return fail()
            }
        }
        guard let l = create(base: base, callback: callback, userData: userData, flags: flags,
                             backlog: backlog, fd: fd) else { return fail() }
        return l
    }

    var fd: Int32 { event.fd }

    @inline(__always) func lockListener() { if let l = lock { BufferLock.lock(l) } }
    @inline(__always) func unlockListener() { if let l = lock { BufferLock.unlock(l) } }

    @inline(__always)
    func locked<R>(_ body: () -> R) -> R { BufferLock.with(lock, body) }

    func enable() -> Int32 { locked { enableLocked() } }

    private func enableLocked() -> Int32 {
        enabled = true
        if callback == nil { return 0 }
        guard let base else {
            Log.warnx("event_add: event has no event_base set.")
            return -1
        }
        return base.locked {
            let r = base.add(event, timeout: nil)
            if r == 0 { base.notifyIfNeeded() }
            return r
        }
    }

    func disable() -> Int32 {
        locked {
            enabled = false
            guard let base else {
                Log.warnx("event_del_: event has no event_base set.")
                return -1
            }
            return base.locked {
                let r = base.del(event, mode: .noBlock)
                if r == 0 { base.notifyIfNeeded() }
                return r
            }
        }
    }

    /// evconnlistener_set_cb: a listener enabled while it had no callback
    /// starts accepting once it gets one.
    func setCallback(_ cb: ListenerCallback?, _ arg: UnsafeMutableRawPointer?) {
        locked {
            let startNow = enabled && callback == nil
            callback = cb
            userData = arg
            if startNow { _ = enableLocked() }
        }
    }

    func setErrorCallback(_ cb: ListenerErrorCallback?) {
        locked { errorCallback = cb }
    }

    /// evconnlistener_free's part before the caller's reference is dropped.
    func free() {
        locked {
            callback = nil
            errorCallback = nil
            freed = true
        }
        // Wake a loop running in another thread: with the accept event gone it
        // may have nothing left to wait for (a dispatch that must now return).
        if let base {
            base.locked {
                if base.del(event, mode: .autoBlock) == 0 { base.notifyIfNeeded() }
            }
        }
    }

    deinit {
        if armed {
            if let base { base.locked { if base.del(event, mode: .noBlock) == 0 { base.notifyIfNeeded() } } } else { Log.warnx("event_del_: event has no event_base set.") }
            if flags & ListenerFlag.closeOnFree != 0 { Sys.close(event.fd) }
            Debug.noteTeardown(event)
        }
        Memory.free(UnsafeMutableRawPointer(event))
        BufferLock.free(lock)
    }

    /// Accept until the kernel has nothing more (or the listener is freed
    /// or disabled by a callback).  Transient accept errors wait for the
    /// next readiness; others go to the error callback with errno set, or
    /// are logged.
    func acceptReady() {
        lockListener()
        defer { unlockListener() }
        if freed || !enabled { return }
        let listenFd = event.fd
        var err: Int32 = 0
        while true {
            var ss = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let r = withUnsafeMutablePointer(to: &ss) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Sockets.accept(listenFd, $0, &len, flags: acceptFlags) }
            }
            if r.failed {
                err = r.errno
                break
            }
            let newFd = r.value
            if len == 0 {
                // Seen from some kernels when a peer resets at once: nothing to hand out.
                Sys.close(newFd)
                continue
            }
            guard let cb = callback else {
                Sys.close(newFd)
                return
            }
            let arg = userData
            unlockListener()
            withUnsafeMutablePointer(to: &ss) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cb(cPointer, newFd, $0, Int32(len), arg) }
            }
            lockListener()
            if freed || !enabled { return }
        }
        if err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED { return }
        if let ecb = errorCallback {
            let arg = userData
            unlockListener()
            Sys.errno = err
            ecb(cPointer, arg)
            lockListener()
        } else {
            Log.warnErrno("Error from accept() call", err)
        }
    }
}

/// The accept event's callback. The handler keeps the listener alive until
/// it returns, whatever the user's callbacks do.
private let listenerReadable: EventCallback = { _, _, arg in
    guard let arg else { return }
    let l = Unmanaged<Listener>.fromOpaque(arg).takeUnretainedValue()
    withExtendedLifetime(l) { l.acceptReady() }
}
