import CEventSys

/// struct evutil_monotonic_timer: a clock that never goes backwards.
///
/// By default CLOCK_MONOTONIC_COARSE when it is at least millisecond-fine
/// (cheaper to read), else CLOCK_MONOTONIC; EV_MONOT_PRECISE always takes
/// CLOCK_MONOTONIC; EV_MONOT_FALLBACK uses wall-clock time with an offset
/// that absorbs any step backwards.
final class MonotonicTimer {
    static let precise: Int32 = 1
    static let fallback: Int32 = 2

    enum Source { case monotonic, coarse, wallClock }

    var source: Source = .monotonic
    /// For .wallClock: added to gettimeofday, and the last value reported.
    var offset: Micros = 0
    var last: Micros = 0

    init() { configure(flags: 0) }

    func configure(flags: Int32) {
        if flags & MonotonicTimer.fallback != 0 {
            source = .wallClock
            offset = 0
            last = 0
            return
        }
        source = .monotonic
        if flags & MonotonicTimer.precise == 0 {
            var res = timespec()
            if clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 && res.tv_nsec <= 1_000_000 {
                source = .coarse
            }
        }
    }

    func now() -> timeval {
        switch source {
        case .monotonic, .coarse:
            var ts = timespec()
            if clock_gettime(source == .coarse ? CLOCK_MONOTONIC_COARSE : CLOCK_MONOTONIC, &ts) != 0 {
                source = .wallClock
                return now()
            }
            return timeval(tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000)
        case .wallClock:
            var t = micros(Clock.wall()) + offset
            if t < last {
                offset += last - t
                t = last
            }
            last = t
            return timevalFrom(t)
        }
    }
}
