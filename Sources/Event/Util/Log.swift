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

    static func emit(_ severity: Int32, _ text: String) {
        var text = text
        text.withUTF8 { u in
            // Stack copy with a terminator; messages are short.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: u.count + 1) { buf in
                for i in 0..<u.count { buf[i] = CChar(bitPattern: u[i]) }
                buf[u.count] = 0
                if let cb = callback {
                    cb(severity, buf.baseAddress)
                } else {
                    let tag: String
                    switch severity {
                    case debug: tag = "debug"
                    case msg: tag = "msg"
                    case warn: tag = "warn"
                    case err: tag = "err"
                    default: tag = "???"
                    }
                    let line = "[\(tag)] "
                    writeStderr(line)
                    fputs(buf.baseAddress!, stderr)
                    fputs("\n", stderr)
                }
            }
        }
    }

    private static func writeStderr(_ s: String) {
        var s = s
        s.withUTF8 { u in _ = fwrite(u.baseAddress, 1, u.count, stderr) }
    }

    @inline(__always) static func warnx(_ text: @autoclosure () -> String) { emit(warn, text()) }
    @inline(__always) static func msgx(_ text: @autoclosure () -> String) { emit(msg, text()) }

    /// Warning with the current errno's text appended, like event_warn.
    static func warnErrno(_ text: String, _ e: Int32 = Sys.errno) {
        emit(warn, "\(text): \(Sys.strerror(e))")
    }

    @inline(__always) static var debugOn: Bool { debugMask != 0 }

    @inline(__always)
    static func debugx(_ text: @autoclosure () -> String) {
        if debugMask != 0 { emit(debug, text()) }
    }

    /// An unrecoverable error: log, then the fatal callback, then exit.
    static func fatal(_ code: Int32, _ text: String) -> Never {
        emit(err, text)
        if let f = fatalCallback {
            f(code)
            exit(code)
        }
        if code == errAbort { abort() }
        exit(code)
    }

    /// libevent's internal-consistency check failure.
    static func bug(_ text: String) -> Never {
        fatal(errAbort, text)
    }
}

/// "0x…" rendering of a pointer, for messages that name objects.
func hexPointer(_ p: UnsafeRawPointer?) -> String {
    guard let p else { return "(nil)" }
    return "0x" + String(UInt(bitPattern: p), radix: 16)
}
