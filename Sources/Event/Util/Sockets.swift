import CEventSys

/// Socket set-up used by util.h and the listener.  Each option helper
/// returns setsockopt's result (0, or -1 with errno set).
enum Sockets {
    @inline(__always)
    static func setIntOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32 = 1) -> Int32 {
        var v = value
        return Sys.call { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }.value
    }

    /// SO_REUSEADDR: rebind a port still in TIME_WAIT.
    static func makeReusable(_ fd: Int32) -> Int32 { setIntOption(fd, SOL_SOCKET, SO_REUSEADDR) }

    /// SO_REUSEPORT: several sockets share one port.
    static func makeReusablePort(_ fd: Int32) -> Int32 { setIntOption(fd, SOL_SOCKET, SO_REUSEPORT) }

    /// IPV6_V6ONLY: an IPv6 listener that does not take IPv4-mapped peers.
    static func makeIPv6Only(_ fd: Int32) -> Int32 { setIntOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY) }

    /// TCP_DEFER_ACCEPT: wake the listener only once the peer has sent data.
    static func makeDeferred(_ fd: Int32) -> Int32 { setIntOption(fd, Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT) }

    static let sockNonBlock = Int32(SOCK_NONBLOCK.rawValue)
    static let sockCloExec = Int32(SOCK_CLOEXEC.rawValue)

    /// socket(2), with SOCK_NONBLOCK / SOCK_CLOEXEC applied by fcntl when the
    /// kernel refuses them in the type.
    static func open(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Result<Int32> {
        let r = Sys.call { socket(domain, type, proto) }
        let extra = type & (sockNonBlock | sockCloExec)
        if !r.failed || extra == 0 || r.errno != EINVAL { return r }
        let plain = Sys.call { socket(domain, type & ~extra, proto) }
        if plain.failed { return plain }
        if (type & sockNonBlock != 0 && !Sys.setNonBlocking(plain.value)) ||
            (type & sockCloExec != 0 && !Sys.setCloseOnExec(plain.value)) {
            let e = Sys.errno
            Sys.close(plain.value)
            return Result(value: -1, errno: e)
        }
        return plain
    }

    typealias Result<T: BinaryInteger> = Sys.Result<T>

    /// accept4(2) with SOCK_NONBLOCK / SOCK_CLOEXEC as asked.
    static func accept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>, _ len: UnsafeMutablePointer<socklen_t>,
                       flags: Int32) -> Result<Int32> {
        return Sys.call { accept4(fd, __SOCKADDR_ARG(__sockaddr__: addr), len, flags) }
    }
}
