import CEventSys

/// Logging and fatal errors, routed the way event_set_log_callback and
/// event_set_fatal_callback ask.
public enum Log {
    public typealias Callback = @convention(c) (Int32, UnsafePointer<CChar>?) -> Void
    public typealias FatalCallback = @convention(c) (Int32) -> Void

    static let debug: Int32 = 0
    static let msg: Int32 = 1
    static let warn: Int32 = 2
    static let err: Int32 = 3

    /// libevent's code for "this is a bug": passed to the fatal callback.
    static let errAbort: Int32 = Int32(bitPattern: 0xdeaddead)

    nonisolated(unsafe) static var callback: Callback? = nil
    nonisolated(unsafe) static var fatalCallback: FatalCallback? = nil
    /// event_enable_debug_logging's mask, kept in libevent's exported
    /// event_debug_logging_mask_ (C) so programs and libevent_extra see it.
    static var debugMask: UInt32 {
        get { cev_debug_logging_mask() }
        set { cev_set_debug_logging_mask(newValue) }
    }

    static func emit(_ severity: Int32, _ message: LogText) {
        var text = message.text
        text.withCString { cmsg in emit(severity, cString: cmsg) }
    }

    /// A finished message: to the program's log callback, else "[sev] msg"
    /// on stderr.
    static func emit(_ severity: Int32, cString cmsg: UnsafePointer<CChar>) {
        if let cb = callback {
            cb(severity, cmsg)
            return
        }
        let tag: StaticString
        switch severity {
        case debug: tag = "debug"
        case msg: tag = "msg"
        case warn: tag = "warn"
        case err: tag = "err"
        default: tag = "???"
        }
        var line = TextBuffer()
        line.append("[")
        line.append(tag)
        line.append("] ")
        line.append(cString: cmsg)
        line.append("\n")
        line.write(to: stderr)
    }

    @inline(never) static func warnx(_ text: LogText) { emit(warn, text) }
    @inline(never) static func msgx(_ text: LogText) { emit(msg, text) }

    /// Warning with the current errno's text appended, like event_warn.
    @inline(never)
    static func warnErrno(_ text: LogText, _ e: Int32 = Sys.errno) {
        var t = text
        t.text.append(": ")
        t.text.append(cString: strerror(e))
        emit(warn, t)
    }

    @inline(__always) static var debugOn: Bool { debugMask != 0 }

    @inline(__always)
    static func debugx(_ text: @autoclosure () -> LogText) {
        if debugMask != 0 { emit(debug, text()) }
    }

    /// An unrecoverable error: log, then the fatal callback, then exit.
    @inline(never)
    static func fatal(_ code: Int32, _ text: LogText) -> Never {
        emit(err, text)
        exit(code)
    }

    /// libevent's event_exit: the fatal callback (then exit if it returns),
    /// else abort for a bug, else exit.
    static func exit(_ code: Int32) -> Never {
        if let f = fatalCallback {
            f(code)
            CEventSys.exit(code)
        }
        if code == errAbort { abort() }
        CEventSys.exit(code)
    }

    /// libevent's internal-consistency check failure.
    static func bug(_ text: LogText) -> Never {
        fatal(errAbort, text)
    }
}

// The C logging functions (internal_exports.c) format, then come here.
@_cdecl("cev_log_emit_c")
public func cev_log_emit_c(_ severity: Int32, _ msg: UnsafePointer<CChar>?) {
    guard let msg else { return }
    Log.emit(severity, cString: msg)
}

@_cdecl("cev_log_exit")
public func cev_log_exit(_ code: Int32) -> Never { Log.exit(code) }

/// "0x…" rendering of a pointer, like "%p".
func hexPointer(_ p: UnsafeRawPointer?) -> Hex { Hex(p) }
