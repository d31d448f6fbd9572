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
    nonisolated(unsafe) static var debugMask: UInt32 = 0

    static func emit(_ severity: Int32, _ message: LogText) {
        var text = message.text
        text.withCString { cmsg in
            if let cb = callback {
                cb(severity, cmsg)
            } else {
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
        }
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
        if let f = fatalCallback {
            f(code)
            exit(code)
        }
        if code == errAbort { abort() }
        exit(code)
    }

    /// libevent's internal-consistency check failure.
    static func bug(_ text: LogText) -> Never {
        fatal(errAbort, text)
    }
}

/// "0x…" rendering of a pointer, like "%p".
func hexPointer(_ p: UnsafeRawPointer?) -> Hex { Hex(p) }
