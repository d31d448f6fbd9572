import CEventExtra

// The http code's two uses of Support, under short names: memory C sees
// comes from the program's allocator (Support/Memory), messages go to its
// log callback (Support/Log).
enum HMem {
    @inline(__always) static func malloc(_ n: Int) -> UnsafeMutableRawPointer? { return n <= 0 ? nil : Memory.malloc(n) }
    @inline(__always) static func calloc(_ n: Int, _ size: Int) -> UnsafeMutableRawPointer? { return Memory.calloc(n, size) }
    @inline(__always) static func free(_ p: UnsafeMutableRawPointer?) { if let p { Memory.free(p) } }
}

enum HLog {
    static func warnx(_ msg: StaticString) { Log.warnx("\(msg)") }
}
