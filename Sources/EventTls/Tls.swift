import CEventTls

// A TLS bufferevent (bufferevent_ssl.h): a core bufferevent of the kind
// `cevtls_ops` (CEventKindOps.h) whose context is a `Tls` object. Two
// flavours, as libevent's: over a socket (the SSL object reads and writes
// the fd; ev_read / ev_write watch it) or over another bufferevent (a BIO
// moves the records through the underlying bufferevent's buffers, whose
// callbacks we take over; ev_read / ev_write are then timeout timers).
//
// Lifetime. The core owns the bufferevent and calls the table: unlink when
// the last reference goes (let go of the underlying bufferevent), destruct
// from the finalizer (close the fd and free the SSL with
// BEV_OPT_CLOSE_ON_FREE, drop this object). The core drops our reference on
// the underlying bufferevent after that.
//
// Locking. Every entry (socket events, underlying callbacks, the output
// callback, the public functions) runs under the bufferevent's lock
// (bufferevent_incref_and_lock_ or BEV_LOCK): this object is only touched
// there.

public typealias BevPtr = UnsafeMutablePointer<bufferevent>

enum TlsState {
    static let open: UInt32 = 0        // BUFFEREVENT_SSL_OPEN
    static let connecting: UInt32 = 1  // BUFFEREVENT_SSL_CONNECTING
    static let accepting: UInt32 = 2   // BUFFEREVENT_SSL_ACCEPTING
}

enum EV {
    static let timeout: Int16 = 0x01
    static let read: Int16 = 0x02
    static let write: Int16 = 0x04
    static let persist: Int16 = 0x10
    static let finalize: Int16 = 0x40
}

enum BevEvent {
    static let reading: Int16 = 0x01
    static let writing: Int16 = 0x02
    static let eof: Int16 = 0x10
    static let error: Int16 = 0x20
    static let timeout: Int16 = 0x40
    static let connected: Int16 = 0x80
}

enum BevOpt {
    static let closeOnFree: Int32 = 0x01
    static let threadsafe: Int32 = 0x02
}

/// BEV_SUSPEND_FILT_READ: a filter holds its underlying bufferevent's reading.
let suspendFilterRead: UInt16 = 0x10

/// Results of one read or write round (bit set).
enum Op {
    static let progress: Int32 = 1
    static let blocked: Int32 = 2
    static let error: Int32 = 4
}

/// Where the kind's context sits (reported by bufferevent_init_common_; the
/// same for every bufferevent).
nonisolated(unsafe) var contextOffset = 0

final class Tls {
    var bev: BevPtr
    let ssl: OpaquePointer
    /// The bufferevent under a filter (we hold a reference on it).
    var under: BevPtr?
    var options: Int32
    var outputEntry: OpaquePointer? = nil
    /// BIO byte counts at the last rate-limit charge.
    var countedWritten: UInt64 = 0
    var countedRead: UInt64 = 0
    /// A blocked SSL_write must be retried with this many bytes (-1: none).
    var lastWrite = -1
    /// OpenSSL errors of the last failure, popped by bufferevent_get_openssl_error.
    var errors: (UInt32, UInt32, UInt32) = (0, 0, 0)
    var errorCount = 0
    var state: UInt32
    var readBlockedOnWrite = false
    var writeBlockedOnRead = false
    var allowDirtyShutdown = false
    var fdIsSet = false
    /// The core stopped reading / writing (disabled or suspended: watermark,
    /// rate limit); mirrors its calls of our enable / disable entries.
    var readStopped = false
    var writeStopped = false

    init(ssl: OpaquePointer, under: BevPtr?, state: UInt32, options: Int32) {
        self.ssl = ssl
        self.under = under
        self.state = state
        self.options = options
        bev = BevPtr(bitPattern: 1)!  // set once the core made the bufferevent
    }

    /// The Tls object of a TLS bufferevent, nil for any other kind.
    @inline(__always)
    static func of(_ p: BevPtr?) -> Tls? {
        guard let p, p.pointee.be_ops == cevtls_ops_ptr() else { return nil }
        guard let ctx = (UnsafeMutableRawPointer(p) + contextOffset).load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<Tls>.fromOpaque(ctx).takeUnretainedValue()
    }

    var input: OpaquePointer { bev.pointee.input }
    var output: OpaquePointer { bev.pointee.output }
    var enabled: Int16 { bev.pointee.enabled }
    var isFilter: Bool { under != nil }

    func putError(_ e: UInt) {
        switch errorCount {
        case 0: errors.0 = UInt32(truncatingIfNeeded: e)
        case 1: errors.1 = UInt32(truncatingIfNeeded: e)
        case 2: errors.2 = UInt32(truncatingIfNeeded: e)
        default: return
        }
        errorCount += 1
    }

    func popError() -> UInt {
        guard errorCount > 0 else { return 0 }
        errorCount -= 1
        switch errorCount {
        case 0: return UInt(errors.0)
        case 1: return UInt(errors.1)
        default: return UInt(errors.2)
        }
    }
}

/// Log a fixed message through the program's log callback.
@inline(never)
func warn(_ msg: StaticString) {
    msg.withUTF8Buffer { u in
        u.baseAddress!.withMemoryRebound(to: CChar.self, capacity: u.count) { cevtls_warn($0) }
    }
}

@inline(never)
func warn(_ msg: StaticString, _ code: Int32) {
    msg.withUTF8Buffer { u in
        u.baseAddress!.withMemoryRebound(to: CChar.self, capacity: u.count) { cevtls_warn_code($0, code) }
    }
}
