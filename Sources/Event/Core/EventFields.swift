import CEventSys

public typealias EventPtr = UnsafeMutablePointer<event>
public typealias CallbackPtr = UnsafeMutablePointer<event_callback>
public typealias EventCallback = @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void
public typealias SelfCallback = @convention(c) (CallbackPtr?, UnsafeMutableRawPointer?) -> Void
public typealias EventFinalizer = @convention(c) (EventPtr?, UnsafeMutableRawPointer?) -> Void

/// Event flag bits (event.h) as Int16, the type of ev_events / ev_res.
enum EV {
    static let timeout: Int16 = 0x01
    static let read: Int16 = 0x02
    static let write: Int16 = 0x04
    static let signal: Int16 = 0x08
    static let persist: Int16 = 0x10
    static let et: Int16 = 0x20
    static let finalize: Int16 = 0x40
    static let closed: Int16 = 0x80
    static let io: Int16 = read | write | closed
}

/// EVLIST_* bits kept in evcb_flags.
enum EVList {
    static let timeout: Int16 = 0x01
    static let inserted: Int16 = 0x02
    static let signal: Int16 = 0x04
    static let active: Int16 = 0x08
    static let `internal`: Int16 = 0x10
    static let activeLater: Int16 = 0x20
    static let finalizing: Int16 = 0x40
    static let initialized: Int16 = 0x80
    static let all: Int16 = 0xff
}

/// How the loop invokes a queued callback (evcb_closure).
enum Closure {
    static let event: UInt8 = 0
    static let signal: UInt8 = 1
    static let persist: UInt8 = 2
    static let selfCallback: UInt8 = 3
    static let callbackFinalize: UInt8 = 4
    static let eventFinalize: UInt8 = 5
    static let eventFinalizeFree: UInt8 = 6
}

extension UnsafeMutablePointer where Pointee == event {
    @inline(__always) var callback: CallbackPtr {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: event_callback.self)
    }
    @inline(__always) var flags: Int16 {
        get { pointee.ev_evcallback.evcb_flags }
        nonmutating set { pointee.ev_evcallback.evcb_flags = newValue }
    }
    @inline(__always) var events: Int16 { pointee.ev_events }
    @inline(__always) var fd: Int32 { pointee.ev_fd }
    @inline(__always) var priority: Int {
        get { Int(pointee.ev_evcallback.evcb_pri) }
        nonmutating set { pointee.ev_evcallback.evcb_pri = UInt8(truncatingIfNeeded: newValue) }
    }
    @inline(__always) var closure: UInt8 {
        get { pointee.ev_evcallback.evcb_closure }
        nonmutating set { pointee.ev_evcallback.evcb_closure = newValue }
    }
    @inline(__always) var res: Int16 {
        get { pointee.ev_res }
        nonmutating set { pointee.ev_res = newValue }
    }
    @inline(__always) var heapIndex: Int32 {
        get { pointee.ev_timeout_pos.min_heap_idx }
        nonmutating set { pointee.ev_timeout_pos.min_heap_idx = newValue }
    }
    /// Relative timeout remembered for EV_PERSIST I/O and timer events.
    @inline(__always) var persistTimeout: timeval {
        get { pointee.ev_.ev_io.ev_timeout }
        nonmutating set { pointee.ev_.ev_io.ev_timeout = newValue }
    }
    @inline(__always) var ncalls: Int16 {
        get { pointee.ev_.ev_signal.ev_ncalls }
        nonmutating set { pointee.ev_.ev_signal.ev_ncalls = newValue }
    }
    @inline(__always) var pncalls: UnsafeMutablePointer<Int16>? {
        get { pointee.ev_.ev_signal.ev_pncalls }
        nonmutating set { pointee.ev_.ev_signal.ev_pncalls = newValue }
    }
    @inline(__always) var baseRef: OpaquePointer? { pointee.ev_base }
}

extension UnsafeMutablePointer where Pointee == event_callback {
    @inline(__always) var flags: Int16 {
        get { pointee.evcb_flags }
        nonmutating set { pointee.evcb_flags = newValue }
    }
    @inline(__always) var priority: Int { Int(pointee.evcb_pri) }
    /// The enclosing event, for callbacks that are events (EVLIST_INIT set).
    @inline(__always) var asEvent: EventPtr {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: event.self)
    }
    @inline(__always) var isEvent: Bool { pointee.evcb_flags & EVList.initialized != 0 }
}
