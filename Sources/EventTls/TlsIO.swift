import CEventTls

// Reading, writing and the handshake, over the socket or the underlying
// bufferevent. The shape is libevent's (bufferevent_openssl.c read as a
// specification): SSL_read / SSL_write under the core's limits, the
// "read blocked on write" / "write blocked on read" states a renegotiation
// or a TLS 1.3 key update can cause, and the event callback after a
// failure with the OpenSSL errors kept for bufferevent_get_openssl_error.
// Differences (better): one readable event reads up to the bufferevent's
// read maximum (bufferevent_set_max_single_read, rate limits), not one
// 4 KiB slice; a peer closing without close_notify is a dirty shutdown on
// OpenSSL 3 too (its "unexpected eof" error), so allow_dirty_shutdown works.

/// BEV_OPT_DEFER_CALLBACKS.
let deferCallbacks: Int32 = 0x04

/// A failed SSL call, reported after the data before it.
struct Closing {
    var when: Int16
    var code: Int32
    var ret: Int32
}

extension Tls {
    // MARK: starting and stopping the transport

    /// Bytes the SSL object has already decrypted and holds.
    var sslPending: Int32 { SSL_pending(ssl) }

    @discardableResult
    func startReading() -> Int32 {
        if let u = under {
            bufferevent_unsuspend_read_(u, suspendFilterRead)
            return 0
        }
        var r = bufferevent_add_event_(&bev.pointee.ev_read, &bev.pointee.timeout_read)
        if r == 0 && readBlockedOnWrite { r = bufferevent_add_event_(&bev.pointee.ev_write, &bev.pointee.timeout_write) }
        return r
    }

    @discardableResult
    func startWriting() -> Int32 {
        if under != nil { return 0 }
        var r = bufferevent_add_event_(&bev.pointee.ev_write, &bev.pointee.timeout_write)
        if r == 0 && writeBlockedOnRead { r = bufferevent_add_event_(&bev.pointee.ev_read, &bev.pointee.timeout_read) }
        return r
    }

    func stopReading() {
        if writeBlockedOnRead { return }
        if let u = under {
            bufferevent_suspend_read_(u, suspendFilterRead)
        } else {
            _ = event_del(&bev.pointee.ev_read)
        }
    }

    func stopWriting() {
        if readBlockedOnWrite || under != nil { return }
        _ = event_del(&bev.pointee.ev_write)
    }

    func setReadBlockedOnWrite() -> Int32 {
        if under == nil { stopReading() }
        readBlockedOnWrite = true
        return startWriting()
    }

    func setWriteBlockedOnRead() -> Int32 {
        if under == nil { stopWriting() }
        writeBlockedOnRead = true
        return startReading()
    }

    func clearReadBlockedOnWrite() -> Int32 {
        readBlockedOnWrite = false
        if enabled & EV.write == 0 { stopWriting() }
        return enabled & EV.read != 0 ? startReading() : 0
    }

    func clearWriteBlockedOnRead() -> Int32 {
        writeBlockedOnRead = false
        if enabled & EV.read == 0 { stopReading() }
        return enabled & EV.write != 0 ? startWriting() : 0
    }

    /// libevent's bufferevent_trigger_nolock_ (an inline function there,
    /// so ours too, over the exported run_*cb_): the read callback at the
    /// low watermark or more, the write callback at its low watermark or less.
    func trigger(_ iotype: Int16, _ options: Int32) {
        if iotype & EV.read != 0 &&
            UInt(bitPattern: evbuffer_get_length(input)) >= UInt(bitPattern: bev.pointee.wm_read.low) {
            bufferevent_run_readcb_(bev, options)
        }
        if iotype & EV.write != 0 &&
            UInt(bitPattern: evbuffer_get_length(output)) <= UInt(bitPattern: bev.pointee.wm_write.low) {
            bufferevent_run_writecb_(bev, options)
        }
    }

    // MARK: failure

    /// The connection ended (`code`: SSL_get_error of return value `ret`):
    /// EOF for a clean close_notify (or a dirty close the program allows),
    /// ERROR otherwise, with the OpenSSL errors kept.
    func connectionClosed(_ when: Int16, _ code: Int32, _ ret: Int32) {
        var event = BevEvent.error
        var dirty = false
        // The SSL_get_error code goes first among the kept errors (as
        // libevent 2.1.12 keeps it) for I/O and protocol failures.
        switch code {
        case SSL_ERROR_ZERO_RETURN:
            if SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN != 0 { event = BevEvent.eof } else { dirty = true }
        case SSL_ERROR_SYSCALL:
            if (ret == 0 || ret == -1) && ERR_peek_error() == 0 { dirty = true }
            putError(UInt(code))
        case SSL_ERROR_SSL:
            // OpenSSL 3 reports a close without close_notify as this error.
            let e = ERR_peek_error()
            if e != 0 && ERR_GET_LIB(e) == ERR_LIB_SSL && cevtls_err_reason(e) == cevtls_unexpected_eof_reason() {
                dirty = true
            }
            putError(UInt(code))
        case SSL_ERROR_WANT_X509_LOOKUP:
            putError(UInt(code))
        default:
            warn("BUG: Unexpected OpenSSL error code", code)
        }
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            putError(e)
        }
        if dirty && allowDirtyShutdown { event = BevEvent.eof }
        stopReading()
        stopWriting()
        bufferevent_run_eventcb_(bev, when | event, 0)
    }

    // MARK: rate limits

    func resetCounts() {
        countedWritten = BIO_number_written(SSL_get_wbio(ssl))
        countedRead = BIO_number_read(SSL_get_rbio(ssl))
    }

    /// Charge the rate limits with what the BIOs moved since last time.
    func chargeBuckets() {
        let w = BIO_number_written(SSL_get_wbio(ssl))
        let r = BIO_number_read(SSL_get_rbio(ssl))
        let dw = w &- countedWritten
        let dr = r &- countedRead
        countedWritten = w
        countedRead = r
        if dw != 0 { _ = bufferevent_decrement_write_buckets_(bev, Int(truncatingIfNeeded: dw)) }
        if dr != 0 { _ = bufferevent_decrement_read_buckets_(bev, Int(truncatingIfNeeded: dr)) }
    }

    // MARK: reading

    /// SSL_read into the input until `want` bytes came, the SSL object
    /// blocks, or reading gets stopped. A failure is left in `closing` for
    /// the caller to report once what came before it is in the input.
    func doRead(_ want: Int, _ closing: inout Closing?, _ total: inout Int) -> Int32 {
        if readStopped { return 0 }
        var atmost = bufferevent_get_read_max_(bev)
        if want < atmost { atmost = want }
        if atmost <= 0 { return 0 }
        var result: Int32 = 0
        var vecs = (iovec(), iovec())
        withUnsafeMutablePointer(to: &vecs) {
            $0.withMemoryRebound(to: iovec.self, capacity: 2) { v in
                let n = Int(evbuffer_reserve_space(input, atmost, v, 2))
                if n < 0 {
                    result = Op.error
                    return
                }
                var left = atmost
                var used: Int32 = 0
                var i = 0
                var stop = false
                while i < n && !stop && left > 0 {
                    guard let base = v[i].iov_base else { break }
                    let cap = min(v[i].iov_len, left)
                    var got = 0
                    while got < cap {
                        if readStopped {
                            stop = true
                            break
                        }
                        if (got > 0 || total > 0) && socketDrained() {
                            // Nothing more to read now: wait for the next readable
                            // event, as libevent, so a close behind the data is
                            // reported from the next loop iteration, not this one.
                            result |= Op.blocked
                            stop = true
                            break
                        }
                        // A stale error on this thread's queue (the program's, another
                        // connection's) would turn WANT_READ into SSL_ERROR_SSL: clear it, as libevent.
                        ERR_clear_error()
                        let r = SSL_read(ssl, base + got, Int32(clamping: cap - got))
                        if r > 0 {
                            result |= Op.progress
                            got += Int(r)
                            chargeBuckets()
                            if readBlockedOnWrite && clearReadBlockedOnWrite() < 0 {
                                result |= Op.error
                                stop = true
                                break
                            }
                            continue
                        }
                        let err = SSL_get_error(ssl, r)
                        switch err {
                        case SSL_ERROR_WANT_READ:
                            if readBlockedOnWrite && clearReadBlockedOnWrite() < 0 { result |= Op.error }
                        case SSL_ERROR_WANT_WRITE:
                            if !readBlockedOnWrite && setReadBlockedOnWrite() < 0 { result |= Op.error }
                        default:
                            closing = Closing(when: BevEvent.reading, code: err, ret: r)
                        }
                        result |= Op.blocked
                        stop = true
                        break
                    }
                    if got > 0 {
                        v[i].iov_len = got
                        used = Int32(i + 1)
                    }
                    left -= got
                    total += got
                    if got < cap { break }
                    i += 1
                }
                if used > 0 {
                    _ = evbuffer_commit_space(input, v, used)
                    if under != nil { resetGenericReadTimeout() }
                }
            }
        }
        return result
    }

    /// Over a socket: OpenSSL holds no bytes (decrypted or raw) and the
    /// kernel none either, so another SSL_read could only block or find the
    /// end of the connection.
    func socketDrained() -> Bool {
        if under != nil || SSL_has_pending(ssl) != 0 { return false }
        return cevtls_readable_bytes(event_get_fd(&bev.pointee.ev_read)) == 0
    }

    /// How much to read now; 0: not reading.
    func bytesToRead() -> Int {
        if writeBlockedOnRead || enabled & EV.read == 0 || readStopped { return 0 }
        var n = bufferevent_get_read_max_(bev)
        let high = bev.pointee.wm_read.high
        if high != 0 {
            // size_t values, compared unsigned.
            let h = UInt(bitPattern: high)
            let have = UInt(bitPattern: evbuffer_get_length(input))
            if have >= h { return 0 }
            let room = Int(clamping: h - have)
            if room < n { n = room }
        }
        return n
    }

    /// The transport looks readable: finish a write that waits for a read,
    /// then read until blocked, stopped or full, plus what the SSL object
    /// already holds decrypted (it would not wake the loop again).
    func considerReading() {
        while writeBlockedOnRead {
            let r = doWrite()
            if r & (Op.blocked | Op.error) != 0 { break }
        }
        if writeBlockedOnRead { return }
        // Over a socket: up to the read maximum (bufferevent_set_max_single_read,
        // rate limits) and the watermark's room, then what OpenSSL already
        // decrypted (the fd would not wake us for it). Over a bufferevent:
        // until its input is empty, as libevent (it would not call again).
        var all: Int32 = 0
        var closing: Closing? = nil
        var budget = bytesToRead()
        while budget > 0 {
            var got = 0
            let r = doRead(budget, &closing, &got)
            all |= r
            if r & (Op.blocked | Op.error) != 0 || readStopped { break }
            if r & Op.progress != 0 && socketDrained() { break }
            if under != nil {
                budget = bytesToRead()
            } else {
                budget -= got
            }
            if budget <= 0 { budget = Int(sslPending) }
        }
        // The data first, then how the connection ended.
        if all & Op.progress != 0 { trigger(EV.read, 0) }
        if let c = closing {
            connectionClosed(c.when, c.code, c.ret)
            return
        }
        if under == nil && (readStopped || enabled & EV.read == 0) && !writeBlockedOnRead {
            _ = event_del(&bev.pointee.ev_read)
        }
    }

    // MARK: writing

    /// SSL_write from the output, up to the write maximum (or the retry of
    /// a blocked write, which must repeat its length).
    func doWrite() -> Int32 {
        let atmost = lastWrite > 0 ? lastWrite : bufferevent_get_write_max_(bev)
        if atmost <= 0 { return 0 }
        var result: Int32 = 0
        var written = 0
        var vecs = (iovec(), iovec(), iovec(), iovec(),
                    iovec(), iovec(), iovec(), iovec())
        var closing: Closing? = nil
        withUnsafeMutablePointer(to: &vecs) {
            $0.withMemoryRebound(to: iovec.self, capacity: 8) { v in
                var n = Int(evbuffer_peek(output, atmost, nil, v, 8))
                if n < 0 {
                    result |= Op.error
                    return
                }
                if n > 8 { n = 8 }
                for i in 0..<n {
                    if writeStopped { break }
                    if v[i].iov_len == 0 { continue }
                    let len = Int32(clamping: v[i].iov_len)
                    ERR_clear_error()   // as before SSL_read
                    let r = SSL_write(ssl, v[i].iov_base, len)
                    if r > 0 {
                        result |= Op.progress
                        if writeBlockedOnRead && clearWriteBlockedOnRead() < 0 {
                            result |= Op.error
                            break
                        }
                        written += Int(r)
                        lastWrite = -1
                        chargeBuckets()
                    } else {
                        let err = SSL_get_error(ssl, r)
                        switch err {
                        case SSL_ERROR_WANT_WRITE:
                            if writeBlockedOnRead && clearWriteBlockedOnRead() < 0 { result |= Op.error }
                            lastWrite = Int(len)
                        case SSL_ERROR_WANT_READ:
                            if !writeBlockedOnRead && setWriteBlockedOnRead() < 0 { result |= Op.error }
                            lastWrite = Int(len)
                        default:
                            closing = Closing(when: BevEvent.writing, code: err, ret: r)
                            lastWrite = -1
                        }
                        result |= Op.blocked
                        break
                    }
                }
            }
        }
        if written > 0 {
            _ = evbuffer_drain(output, written)
            if under != nil { resetGenericWriteTimeout() }
        }
        if let c = closing { connectionClosed(c.when, c.code, c.ret) }
        // Deferred, as libevent 2.1.12 does: a write callback that refills
        // the output does not recurse into the next SSL_write.
        if written > 0 { trigger(EV.write, deferCallbacks) }
        return result
    }

    /// Output waits: finish a read that waits for a write, then write while
    /// writing is on, output waits and the underlying output has room.
    func considerWriting() {
        while readBlockedOnWrite {
            var closing: Closing? = nil
            var got = 0
            let r = doRead(1024, &closing, &got)
            if r & Op.progress != 0 { trigger(EV.read, 0) }
            if let c = closing {
                connectionClosed(c.when, c.code, c.ret)
                return
            }
            if r & (Op.error | Op.blocked) != 0 { break }
        }
        if readBlockedOnWrite { return }
        while enabled & EV.write != 0 && !writeStopped && evbuffer_get_length(output) > 0 {
            if let u = under {
                let high = UInt(bitPattern: u.pointee.wm_write.high)
                if high != 0 && UInt(bitPattern: evbuffer_get_length(u.pointee.output)) >= high { break }
            }
            let r = doWrite()
            if r & (Op.blocked | Op.error) != 0 { break }
        }
        if under == nil && !readBlockedOnWrite {
            if evbuffer_get_length(output) == 0 || writeStopped || enabled & EV.write == 0 {
                _ = event_del(&bev.pointee.ev_write)
            }
        }
    }

    // MARK: handshake

    /// One handshake step: 1 done, 0 waiting, -1 failed (reported).
    @discardableResult
    func doHandshake() -> Int32 {
        guard state != TlsState.open else { return -1 }
        ERR_clear_error()   // as before SSL_read
        let r = SSL_do_handshake(ssl)
        chargeBuckets()
        if r == 1 {
            state = TlsState.open
            _ = setOpenCallbacks(-1)
            // Start reading and writing as enabled, then say so.
            _ = bufferevent_enable(bev, enabled)
            bufferevent_run_eventcb_(bev, BevEvent.connected, 0)
            return 1
        }
        let err = SSL_get_error(ssl, r)
        switch err {
        case SSL_ERROR_WANT_WRITE:
            if under == nil {
                stopReading()
                return startWriting()
            }
            return 0
        case SSL_ERROR_WANT_READ:
            if under == nil {
                stopWriting()
                return startReading()
            }
            return 0
        default:
            connectionClosed(BevEvent.reading, err, r)
            return -1
        }
    }

    // MARK: generic timeouts (filters)

    func resetGenericReadTimeout() {
        let tv = bev.pointee.timeout_read
        if tv.tv_sec != 0 || tv.tv_usec != 0 { _ = event_add(&bev.pointee.ev_read, &bev.pointee.timeout_read) }
    }

    func resetGenericWriteTimeout() {
        let tv = bev.pointee.timeout_write
        if tv.tv_sec != 0 || tv.tv_usec != 0 { _ = event_add(&bev.pointee.ev_write, &bev.pointee.timeout_write) }
    }
}
