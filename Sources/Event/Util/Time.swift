import CEventSys

/// Microseconds. Deadlines are kept as one integer so comparisons are one
/// instruction; `timeval` only appears at the API boundary.
typealias Micros = Int64

/// Saturates instead of wrapping: a deadline centuries away stays in the future.
@inline(__always)
func micros(_ tv: timeval) -> Micros {
    let (s, o) = Micros(tv.tv_sec).multipliedReportingOverflow(by: 1_000_000)
    if o { return tv.tv_sec > 0 ? Micros.max : Micros.min }
    let (r, o2) = s.addingReportingOverflow(Micros(tv.tv_usec))
    if o2 { return tv.tv_sec > 0 ? Micros.max : Micros.min }
    return r
}

@inline(__always)
func timevalFrom(_ us: Micros) -> timeval {
    var s = us / 1_000_000
    var u = us % 1_000_000
    if u < 0 { u += 1_000_000; s -= 1 }
    return timeval(tv_sec: Int(s), tv_usec: Int(u))
}

enum Clock {
    /// CLOCK_MONOTONIC through the vDSO.
    @inline(__always)
    static func monotonic() -> Micros {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Micros(ts.tv_sec) &* 1_000_000 &+ Micros(ts.tv_nsec / 1000)
    }

    /// libevent reads the coarse (jiffy-resolution) clock unless a precise
    /// timer was asked for; which one is observable in the order of timers
    /// that fall due in the same tick, so we do the same.
    @inline(__always)
    static func monotonicTimeval(_ id: clockid_t = CLOCK_MONOTONIC) -> timeval {
        var ts = timespec()
        clock_gettime(id, &ts)
        return timeval(tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000)
    }

    static func wall() -> timeval {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return tv
    }
}

/// timeval arithmetic with libevent's evutil_timeradd/sub normalisation.
@inline(__always)
func tvAdd(_ a: timeval, _ b: timeval) -> timeval {
    var r = timeval(tv_sec: a.tv_sec + b.tv_sec, tv_usec: a.tv_usec + b.tv_usec)
    if r.tv_usec >= 1_000_000 { r.tv_sec += 1; r.tv_usec -= 1_000_000 }
    return r
}

@inline(__always)
func tvSub(_ a: timeval, _ b: timeval) -> timeval {
    var r = timeval(tv_sec: a.tv_sec - b.tv_sec, tv_usec: a.tv_usec - b.tv_usec)
    if r.tv_usec < 0 { r.tv_sec -= 1; r.tv_usec += 1_000_000 }
    return r
}

@inline(__always)
func tvLess(_ a: timeval, _ b: timeval) -> Bool {
    return a.tv_sec == b.tv_sec ? a.tv_usec < b.tv_usec : a.tv_sec < b.tv_sec
}

