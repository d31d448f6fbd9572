import CEventSys

/// Allocation for memory a C caller can see or free: events from event_new,
/// strings handed back to the caller, and the library's raw tables. Routed
/// through event_set_mem_functions' replacements when the program set them;
/// so are Swift objects, through the runtime hooks in runtime_alloc.c,
/// which also explains how running out of memory is handled: these
/// functions return nil, object construction is checked with
/// failureMark/failed(since:).
public enum Memory {
    public typealias MallocFn = @convention(c) (Int) -> UnsafeMutableRawPointer?
    public typealias ReallocFn = @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer?
    public typealias FreeFn = @convention(c) (UnsafeMutableRawPointer?) -> Void

    nonisolated(unsafe) static var userMalloc: MallocFn? = nil
    nonisolated(unsafe) static var userRealloc: ReallocFn? = nil
    nonisolated(unsafe) static var userFree: FreeFn? = nil

    /// libevent returns NULL for a zero-byte request; so do we.
    @inline(__always)
    static func malloc(_ size: Int) -> UnsafeMutableRawPointer? {
        if size <= 0 { return nil }
        if let f = userMalloc { return f(size) }
        return CEventSys.malloc(size)
    }

    static func calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        // The C caller's size_t values arrive as Int: read them back unsigned,
        // so a huge count or size is libevent's overflow (NULL, ENOMEM).
        let c = UInt(bitPattern: count), z = UInt(bitPattern: size)
        if c == 0 || z == 0 { return nil }
        let (t, overflow) = c.multipliedReportingOverflow(by: z)
        if overflow || t > UInt(Int.max) { Sys.errno = ENOMEM; return nil }
        let total = Int(t)
        if let f = userMalloc {
            guard let p = f(total) else { return nil }
            memset(p, 0, total)
            return p
        }
        return CEventSys.calloc(count, size)
    }

    static func realloc(_ p: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        if let f = userRealloc { return f(p, size) }
        return CEventSys.realloc(p, size)
    }

    @inline(__always)
    static func free(_ p: UnsafeMutableRawPointer?) {
        guard let p else { return }
        if let f = userFree { f(p) } else { CEventSys.free(p) }
    }

    /// A NUL-terminated copy of `bytes` that the caller releases with its free.
    static func strdup(_ s: String) -> UnsafeMutablePointer<CChar>? {
        var s = s
        return s.withUTF8 { u in
            guard let p = malloc(u.count + 1) else { return nil }
            if u.count > 0 { memcpy(p, u.baseAddress!, u.count) }
            p.storeBytes(of: 0, toByteOffset: u.count, as: UInt8.self)
            return p.assumingMemoryBound(to: CChar.self)
        }
    }

    /// `count` uninitialised T's from the (possibly replaced) allocator, or
    /// nil (also when the size overflows).
    static func tryAllocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        let (bytes, overflow) = Swift.max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        if overflow { return nil }
        return malloc(bytes)?.bindMemory(to: T.self, capacity: count)
    }

    /// `count` uninitialised T's, never nil: when the allocator fails the
    /// block comes from the emergency reserve and counts as a failure, which
    /// the entry point that builds something sees through failed(since:)
    /// and undoes. Prefer tryAllocate; release either with deallocate.
    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let (bytes, overflow) = Swift.max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        // Callers pass constants or doubled capacities: never from C.
        precondition(!overflow, "Memory.allocate: size overflow")
        return cev_mem_alloc_or_reserve(bytes)!.bindMemory(to: T.self, capacity: count)
    }

    /// Frees what allocate or tryAllocate returned (a reserve block too).
    static func deallocate<T>(_ p: UnsafeMutablePointer<T>?) {
        cev_mem_free_any(UnsafeMutableRawPointer(p))
    }

    // MARK: running out of memory (runtime_alloc.c)

    /// The calling thread's count of allocations the allocator refused
    /// that were served from the emergency reserve (Swift objects, Array
    /// storage, `allocate`). Take it before building something...
    @inline(__always)
    static func failureMark() -> UInt { UInt(cev_alloc_failure_count()) }

    /// ...and compare after: true when some of it lives in the reserve and
    /// must be taken apart, the entry point returning libevent's failure.
    @inline(__always)
    static func failed(since mark: UInt) -> Bool { UInt(cev_alloc_failure_count()) != mark }

    /// `make()`'s object, or nil when building it ran out of memory (the
    /// object is then released: only for objects whose deinit undoes all).
    @inline(__always)
    static func build<T: AnyObject>(_ make: () -> T?) -> T? {
        let mark = failureMark()
        let obj = make()
        if failed(since: mark) { return nil }
        return obj
    }

    /// A typed array in library-managed memory that grows by doubling.
    static func grow<T>(_ p: UnsafeMutablePointer<T>?, from old: Int, to new: Int) -> UnsafeMutablePointer<T>? {
        let raw = realloc(UnsafeMutableRawPointer(p), new * MemoryLayout<T>.stride)
        return raw?.bindMemory(to: T.self, capacity: new)
    }
}

// The embedded runtime's object allocator calls these (runtime_alloc.c), so
// Swift objects honour event_set_mem_functions too. malloc(0) must still
// give a unique pointer there, hence the size floor of 1 on the C side.
@_cdecl("cev_mem_alloc")
public func cev_mem_alloc(_ size: Int) -> UnsafeMutableRawPointer? {
    if let f = Memory.userMalloc { return f(size) }
    return malloc(size)
}

@_cdecl("cev_mem_free")
public func cev_mem_free(_ p: UnsafeMutableRawPointer?) {
    if let f = Memory.userFree { f(p) } else { free(p) }
}
