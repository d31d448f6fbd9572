import CEventExtra

/// Memory of the extra library: what a C caller sees or frees comes from
/// the program's allocator through the core's event_mm_*_ (NULL is the
/// caller's to handle); Swift objects are built under a failure mark, as in
/// the core (Sources/README.md: running out of memory).
enum Memory {
    static func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        event_mm_malloc_(size)
    }

    static func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        event_mm_calloc_(count, size)
    }

    static func realloc(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        event_mm_realloc_(p, size)
    }

    /// NULL is not handed on: event_mm_free_ would pass it to the program's
    /// free, which a counting allocator (libevent's own leak tests) counts.
    static func free(_ p: UnsafeMutableRawPointer?) {
        if let p { event_mm_free_(p) }
    }

    /// A NUL-terminated copy of `bytes`, from the program's allocator.
    static func strdup<C: Collection>(_ bytes: C) -> UnsafeMutablePointer<CChar>? where C.Element == UInt8 {
        let n = bytes.count
        guard n < Int.max, let p = malloc(n + 1)?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var i = 0
        for b in bytes { p[i] = b; i += 1 }
        p[n] = 0
        return UnsafeMutableRawPointer(p).assumingMemoryBound(to: CChar.self)
    }

    static func strdup(_ s: UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>? {
        event_mm_strdup_(s)
    }

    /// A typed table of `count` elements, or nil (overflow or no memory).
    static func tryAllocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        let (bytes, over) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: max(count, 1))
        if over { return nil }
        return malloc(bytes)?.bindMemory(to: T.self, capacity: count)
    }

    static func deallocate<T>(_ p: UnsafeMutablePointer<T>?) {
        free(UnsafeMutableRawPointer(p))
    }

    /// The calling thread's count of refused runtime allocations.
    static func failureMark() -> UInt { UInt(cev_alloc_failure_count()) }

    /// Whether an allocation failed since `mark` (the object built meanwhile
    /// may hold emergency blocks and must be taken apart).
    static func failed(since mark: UInt) -> Bool { UInt(cev_alloc_failure_count()) != mark }

    /// Build an object; nil if memory ran out meanwhile (`make`'s result is
    /// dropped, so its deinit must undo what it did).
    static func build<T: AnyObject>(_ make: () -> T?) -> T? {
        let mark = failureMark()
        guard let obj = make() else { return nil }
        return failed(since: mark) ? nil : obj
    }
}
