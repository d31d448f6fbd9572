import CEventExtra

/// Logging of the extra library: each message goes through the core's
/// event_msgx/event_warnx/event_debugx_ (cevx_log), so the program's log callback and
/// event_enable_debug_logging apply exactly as to the core's own messages.
enum Log {
    static let debug: Int32 = EVENT_LOG_DEBUG
    static let msg: Int32 = EVENT_LOG_MSG
    static let warn: Int32 = EVENT_LOG_WARN

    static func emit(_ severity: Int32, _ message: LogText) {
        var text = message.text
        text.withCString { cevx_log(severity, $0) }
    }

    @inline(never) static func warnx(_ text: LogText) { emit(warn, text) }
    @inline(never) static func msgx(_ text: LogText) { emit(msg, text) }

    /// Warning with errno's text appended, like event_warn.
    @inline(never)
    static func warnErrno(_ text: LogText, _ e: Int32 = Sys.errno) {
        var t = text
        t.text.append(": ")
        t.text.append(cString: strerror(e))
        emit(warn, t)
    }

    @inline(__always) static var debugOn: Bool { cevx_debug_on() != 0 }

    /// The text is only built when debug logging is on.
    @inline(__always)
    static func debugx(_ text: @autoclosure () -> LogText) {
        if cevx_debug_on() != 0 { emit(debug, text()) }
    }
}
