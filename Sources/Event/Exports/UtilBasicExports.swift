import CEventSys

// util.h: the socket helpers the event core's users need first.

@_cdecl("evutil_make_socket_nonblocking")
public func evutil_make_socket_nonblocking(_ fd: Int32) -> Int32 {
    if !Sys.setNonBlocking(fd) {
        Log.warnErrno("fcntl(\(fd), F_SETFL)")
        return -1
    }
    return 0
}

@_cdecl("evutil_make_socket_closeonexec")
public func evutil_make_socket_closeonexec(_ fd: Int32) -> Int32 {
    if !Sys.setCloseOnExec(fd) {
        Log.warnErrno("fcntl(\(fd), F_SETFD)")
        return -1
    }
    return 0
}

@_cdecl("evutil_closesocket")
public func evutil_closesocket(_ fd: Int32) -> Int32 { Sys.close(fd) }

@_cdecl("evutil_socketpair")
public func evutil_socketpair(_ family: Int32, _ type: Int32, _ proto: Int32, _ sv: UnsafeMutablePointer<Int32>?) -> Int32 {
    return socketpair(family, type, proto, sv)
}
