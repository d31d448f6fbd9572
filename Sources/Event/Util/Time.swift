import CEventSys

/// Microseconds. Deadlines are kept as one integer so comparisons are one
/// instruction; `timeval` only appears at the API boundary.
typealias Micros = Int64

/// A deadline as one integer, ordered the way libevent compares timevals:
/// (sec, usec) pairs, against a `now` whose tv_usec is in 0..<1_000_000. So
/// a tv_usec outside that range counts as 0 (negative) or as the next
/// second (1_000_000 and more), which orders every deadline against every
/// normalised time exactly as libevent's evutil_timercmp does. Values beyond
/// what microseconds can hold saturate: centuries away either way. For
/// normalised timevals this is just sec * 1_000_000 + usec.
@inline(__always)
func micros(_ tv: timeval) -> Micros {
    let s = Micros(tv.tv_sec), u = Micros(tv.tv_usec)
    // The common path: one unsigned compare and two overflow checks.
    if UInt64(bitPattern: u) >= 1_000_000 { return microsOutOfRange(tv) }
    let (p, o1) = s.multipliedReportingOverflow(by: 1_000_000)
    if o1 { return microsOutOfRange(tv) }
    let (r, o2) = p.addingReportingOverflow(u)
    if o2 { return microsOutOfRange(tv) }
    return r
}

/// `micros` for a tv_usec out of range or a sum that overflows.
@inline(never)
func microsOutOfRange(_ tv: timeval) -> Micros {
    let s = Micros(tv.tv_sec), u = Micros(tv.tv_usec)
    let (p, o1) = s.multipliedReportingOverflow(by: 1_000_000)
    if o1 { return s > 0 ? Micros.max : Micros.min }
    // The clamped tv_usec is not negative: only upward overflow is left.
    let (r, o2) = p.addingReportingOverflow(u < 0 ? 0 : (u > 1_000_000 ? 1_000_000 : u))
    return o2 ? Micros.max : r
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

/// timeval arithmetic exactly as libevent's evutil_timeradd / timersub:
/// one normalisation step, and two's-complement wrap-around instead of a
/// trap. Programs observe the wrap: a timeout near LONG_MAX added to the
/// clock becomes a negative deadline that fires at once, and event_pending
/// reports the wrapped value.
@inline(__always)
func tvAdd(_ a: timeval, _ b: timeval) -> timeval {
    var r = timeval(tv_sec: a.tv_sec &+ b.tv_sec, tv_usec: a.tv_usec &+ b.tv_usec)
    if _slowPath(r.tv_usec >= 1_000_000) { r.tv_sec &+= 1; r.tv_usec &-= 1_000_000 }
    return r
}

@inline(__always)
func tvSub(_ a: timeval, _ b: timeval) -> timeval {
    var r = timeval(tv_sec: a.tv_sec &- b.tv_sec, tv_usec: a.tv_usec &- b.tv_usec)
    if r.tv_usec < 0 { r.tv_sec &-= 1; r.tv_usec &+= 1_000_000 }
    return r
}

@inline(__always)
func tvLess(_ a: timeval, _ b: timeval) -> Bool {
    return a.tv_sec == b.tv_sec ? a.tv_usec < b.tv_usec : a.tv_sec < b.tv_sec
}

