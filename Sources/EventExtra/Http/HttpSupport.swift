import CEventExtra

// Temporary stand-ins for EventExtra/Support (memory through the program's
// allocator, logging through its callback). Every use in Http goes through
// these few names so switching to Support is a one-file change.
enum HMem {
    @inline(__always)
    static func malloc(_ n: Int) -> UnsafeMutableRawPointer? {
        if n <= 0 { return nil }
        return CEventExtra.malloc(n)
    }
    @inline(__always)
    static func calloc(_ n: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        if n <= 0 || size <= 0 { return nil }
        return CEventExtra.calloc(n, size)
    }
    @inline(__always)
    static func realloc(_ p: UnsafeMutableRawPointer?, _ n: Int) -> UnsafeMutableRawPointer? {
        return CEventExtra.realloc(p, n)
    }
    @inline(__always)
    static func free(_ p: UnsafeMutableRawPointer?) {
        if let p { CEventExtra.free(p) }
    }
}

enum HLog {
    /// libevent logs these at warn level; messages are fixed texts.
    static func warnx(_ msg: StaticString) { _ = msg }
}
