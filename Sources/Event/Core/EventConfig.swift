import CEventSys

/// struct event_config: preferences for event_base_new_with_config.
final class EventConfig {
    var avoided: [UnsafeMutablePointer<CChar>] = []
    var requiredFeatures: Int32 = 0
    var flags: Int32 = 0
    var cpusHint: Int32 = 0
    /// Kept as the caller's timeval (tv_sec < 0: none): libevent adds it to
    /// the clock as is, wrap-around included.
    var maxDispatchInterval = timeval(tv_sec: -1, tv_usec: 0)
    var maxDispatchCallbacks = Int.max
    var limitCallbacksAfterPriority = 1

    deinit {
        for p in avoided { Memory.free(p) }
    }

    func avoid(_ method: UnsafePointer<CChar>) -> Int32 {
        let n = strlen(method)
        guard avoided.reserveOneMore(), let copy = Memory.malloc(n + 1) else { return -1 }
        memcpy(copy, method, n + 1)
        avoided.append(copy.assumingMemoryBound(to: CChar.self))
        return 0
    }

    func avoids(_ kind: BackendKind) -> Bool {
        let name = kind.name.utf8Start.withMemoryRebound(to: CChar.self, capacity: 1) { $0 }
        for p in avoided where strcmp(p, name) == 0 { return true }
        return false
    }

    func setMaxDispatchInterval(_ tv: timeval?, callbacks: Int32, minPriority: Int32) {
        maxDispatchInterval = tv ?? timeval(tv_sec: -1, tv_usec: 0)
        maxDispatchCallbacks = callbacks >= 0 ? Int(callbacks) : Int.max
        limitCallbacksAfterPriority = minPriority < 0 ? 0 : Int(minPriority)
    }
}
