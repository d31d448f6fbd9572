import CEventSys

// bufferevent.h, bufferevent_struct.h, bufferevent_compat.h. Thin: check
// arguments, call BufferEvent. Where libevent would crash on a NULL
// bufferevent (or assert) we log and fail instead.

/// A live bufferevent (else the complaint bevOf makes).
@inline(__always)
func isLiveBev(_ p: BevPtr?, _ fn: StaticString) -> Bool {
    if let p, cev_bev_owner(p) != nil { return true }
    notLiveBev(p, fn)
    return false
}

@inline(__always)
func bevOf(_ p: BevPtr?, _ fn: StaticString) -> BufferEvent? {
    guard let p, cev_bev_owner(p) != nil else {
        notLiveBev(p, fn)
        return nil
    }
    return BufferEvent.from(p)
}

/// The complaint, out of line so the exports' usual path stays short.
@inline(never)
func notLiveBev(_ p: BevPtr?, _ fn: StaticString) {
    Log.warnx(p == nil ? "\(fn): NULL bufferevent" : "\(fn): not a live bufferevent")
}

/// Run `body` with the bufferevent's lock held (BEV_LOCK), or return
/// `fallback` for a NULL bufferevent.
@inline(__always)
private func withBev<R>(_ p: BevPtr?, _ fn: StaticString, _ fallback: R, _ body: (BufferEvent) -> R) -> R {
    guard let p, isLiveBev(p, fn) else { return fallback }
    return BufferEvent.with(UnsafeMutableRawPointer(p)) { $0.locked(body) }
}

/// A bufferevent bufferevent_socket_connect may use: a socket, or a kind
/// from another library that has an fd (TLS over a socket).
@inline(__always)
private func connectableOf(_ p: BevPtr?, _ fn: StaticString) -> BufferEvent? {
    guard let b = bevOf(p, fn) else { return nil }
    if b is SocketBufferEvent { return b }
    if let o = b as? OpsBufferEvent, o.ops.pointee.get_fd != nil { return b }
    Log.warnx("\(fn): not a socket bufferevent")
    return nil
}

private typealias RateCfgPtr = OpaquePointer

@inline(__always)
private func cfgOf(_ p: OpaquePointer?) -> TokenBucketCfgPtr? {
    p.map { TokenBucketCfgPtr($0) }
}

// MARK: creation and lifetime

@_cdecl("bufferevent_socket_new")
public func bufferevent_socket_new(_ base: OpaquePointer?, _ fd: Int32, _ options: Int32) -> BevPtr? {
    SocketBufferEvent.create(base: base, fd: fd, options: options)?.publish()
}

@_cdecl("bufferevent_socket_connect")
public func bufferevent_socket_connect(_ p: BevPtr?, _ sa: UnsafePointer<sockaddr>?, _ len: Int32) -> Int32 {
    connectableOf(p, "bufferevent_socket_connect")?.connect(sa, len) ?? -1
}

@_cdecl("bufferevent_socket_connect_hostname")
public func bufferevent_socket_connect_hostname(_ p: BevPtr?, _ dns: OpaquePointer?, _ family: Int32,
                                                _ host: UnsafePointer<CChar>?, _ port: Int32) -> Int32 {
    connectableOf(p, "bufferevent_socket_connect_hostname")?.connectHostname(dns, family, host, port) ?? -1
}

@_cdecl("bufferevent_socket_get_dns_error")
public func bufferevent_socket_get_dns_error(_ p: BevPtr?) -> Int32 {
    withBev(p, "bufferevent_socket_get_dns_error", 0) { $0.dnsError }
}

@_cdecl("bufferevent_base_set")
public func bufferevent_base_set(_ base: OpaquePointer?, _ p: BevPtr?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_base_set") else { return -1 }
    guard let base = baseOf(base) else {
        Log.warnx("bufferevent_base_set: NULL event_base")
        return -1
    }
    return b.locked { $0.setBase(base) }
}

@_cdecl("bufferevent_get_base")
public func bufferevent_get_base(_ p: BevPtr?) -> OpaquePointer? {
    guard let p, bevOf(p, "bufferevent_get_base") != nil else { return nil }
    return p.pointee.ev_base
}

@_cdecl("bufferevent_priority_set")
public func bufferevent_priority_set(_ p: BevPtr?, _ pri: Int32) -> Int32 {
    withBev(p, "bufferevent_priority_set", -1) { $0.setPriority(pri) }
}

@_cdecl("bufferevent_get_priority")
public func bufferevent_get_priority(_ p: BevPtr?) -> Int32 {
    withBev(p, "bufferevent_get_priority", -1) { $0.priority() }
}

@_cdecl("bufferevent_free")
public func bufferevent_free(_ p: BevPtr?) {
    guard let b = bevOf(p, "bufferevent_free") else { return }
    if b.finalizing {
        Log.warnx("bufferevent_free: bufferevent \(hexPointer(p)) freed twice")
        return
    }
    if b.lock != nil && b.finalizesInline {
        b.setCallbacks(nil, nil, nil, nil)
        b.decref()
        return
    }
    b.locked { b in
        b.setCallbacks(nil, nil, nil, nil)
        b.decref()
    }
}

@_cdecl("bufferevent_incref")
public func bufferevent_incref(_ p: BevPtr?) {
    withBev(p, "bufferevent_incref", ()) { $0.incref() }
}

@_cdecl("bufferevent_decref")
public func bufferevent_decref(_ p: BevPtr?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_decref") else { return -1 }
    if b.lock != nil && b.finalizesInline { return b.decref() }
    return b.locked { $0.decref() }
}

// As libevent's, bufferevent_lock also holds a reference until the matching
// unlock: a bufferevent freed while locked lives until then.
@_cdecl("bufferevent_lock")
public func bufferevent_lock(_ p: BevPtr?) {
    guard let b = bevOf(p, "bufferevent_lock") else { return }
    b.lockBev()
    b.incref()
}

@_cdecl("bufferevent_unlock")
public func bufferevent_unlock(_ p: BevPtr?) {
    guard let b = bevOf(p, "bufferevent_unlock") else { return }
    let l = b.lock
    b.decref()
    // Unless that finished the bufferevent on the spot (no base) and took the lock with it.
    if let l, b.lock == l { BufferLock.unlock(l) }
}

// MARK: callbacks and fd

@_cdecl("bufferevent_setcb")
public func bufferevent_setcb(_ p: BevPtr?, _ r: bufferevent_data_cb?, _ w: bufferevent_data_cb?,
                              _ e: bufferevent_event_cb?, _ arg: UnsafeMutableRawPointer?) {
    withBev(p, "bufferevent_setcb", ()) { $0.setCallbacks(r, w, e, arg) }
}

@_cdecl("bufferevent_getcb")
public func bufferevent_getcb(_ p: BevPtr?, _ r: UnsafeMutablePointer<bufferevent_data_cb?>?,
                              _ w: UnsafeMutablePointer<bufferevent_data_cb?>?,
                              _ e: UnsafeMutablePointer<bufferevent_event_cb?>?,
                              _ arg: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
    guard let p, bevOf(p, "bufferevent_getcb") != nil else { return }
    r?.pointee = p.pointee.readcb
    w?.pointee = p.pointee.writecb
    e?.pointee = p.pointee.errorcb
    arg?.pointee = p.pointee.cbarg
}

@_cdecl("bufferevent_setfd")
public func bufferevent_setfd(_ p: BevPtr?, _ fd: Int32) -> Int32 {
    withBev(p, "bufferevent_setfd", -1) { $0.setFd(fd) }
}

@_cdecl("bufferevent_getfd")
public func bufferevent_getfd(_ p: BevPtr?) -> Int32 {
    withBev(p, "bufferevent_getfd", -1) { $0.getFd() ?? -1 }
}

@_cdecl("bufferevent_get_underlying")
public func bufferevent_get_underlying(_ p: BevPtr?) -> BevPtr? {
    withBev(p, "bufferevent_get_underlying", nil) { $0.underlying?.bev }
}

// MARK: data

@_cdecl("bufferevent_write")
public func bufferevent_write(_ p: BevPtr?, _ data: UnsafeRawPointer?, _ size: Int) -> Int32 {
    withBev(p, "bufferevent_write", -1) { $0.write(data, bufferSize(size)) }
}

@_cdecl("bufferevent_write_buffer")
public func bufferevent_write_buffer(_ p: BevPtr?, _ buf: OpaquePointer?) -> Int32 {
    guard let src = buf else {
        _ = bufferOf(buf, "bufferevent_write_buffer")
        return -1
    }
    return withBev(p, "bufferevent_write_buffer", -1) { b in
        EvBuffer.ref(src)._withUnsafeGuaranteedRef { b.writeBuffer($0) }
    }
}

@_cdecl("bufferevent_read")
public func bufferevent_read(_ p: BevPtr?, _ data: UnsafeMutableRawPointer?, _ size: Int) -> Int {
    guard let b = bevOf(p, "bufferevent_read") else { return 0 }
    return b.read(data, size)
}

@_cdecl("bufferevent_read_buffer")
public func bufferevent_read_buffer(_ p: BevPtr?, _ buf: OpaquePointer?) -> Int32 {
    guard let b = bevOf(p, "bufferevent_read_buffer"), let dst = bufferOf(buf, "bufferevent_read_buffer") else { return -1 }
    return b.readBuffer(dst)
}

@_cdecl("bufferevent_get_input")
public func bufferevent_get_input(_ p: BevPtr?) -> OpaquePointer? {
    guard let p, isLiveBev(p, "bufferevent_get_input") else { return nil }
    return p.pointee.input
}

@_cdecl("bufferevent_get_output")
public func bufferevent_get_output(_ p: BevPtr?) -> OpaquePointer? {
    guard let p, isLiveBev(p, "bufferevent_get_output") else { return nil }
    return p.pointee.output
}

// MARK: enabling, timeouts, watermarks

@_cdecl("bufferevent_enable")
public func bufferevent_enable(_ p: BevPtr?, _ events: Int16) -> Int32 {
    withBev(p, "bufferevent_enable", -1) { $0.enable(events) }
}

@_cdecl("bufferevent_disable")
public func bufferevent_disable(_ p: BevPtr?, _ events: Int16) -> Int32 {
    withBev(p, "bufferevent_disable", -1) { $0.disable(events) }
}

@_cdecl("bufferevent_get_enabled")
public func bufferevent_get_enabled(_ p: BevPtr?) -> Int16 {
    guard let p, bevOf(p, "bufferevent_get_enabled") != nil else { return 0 }
    return p.pointee.enabled
}

@_cdecl("bufferevent_set_timeouts")
public func bufferevent_set_timeouts(_ p: BevPtr?, _ r: UnsafePointer<timeval>?, _ w: UnsafePointer<timeval>?) -> Int32 {
    withBev(p, "bufferevent_set_timeouts", -1) { $0.setTimeouts(r?.pointee, w?.pointee) }
}

@_cdecl("bufferevent_setwatermark")
public func bufferevent_setwatermark(_ p: BevPtr?, _ events: Int16, _ low: Int, _ high: Int) {
    withBev(p, "bufferevent_setwatermark", ()) { $0.setWatermark(events, low, high) }
}

@_cdecl("bufferevent_getwatermark")
public func bufferevent_getwatermark(_ p: BevPtr?, _ events: Int16, _ low: UnsafeMutablePointer<Int>?,
                                     _ high: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let p, bevOf(p, "bufferevent_getwatermark") != nil else { return -1 }
    let wm: event_watermark
    if events == EV.write {
        wm = p.pointee.wm_write
    } else if events == EV.read {
        wm = p.pointee.wm_read
    } else {
        return -1
    }
    low?.pointee = wm.low
    high?.pointee = wm.high
    return 0
}

@_cdecl("bufferevent_flush")
public func bufferevent_flush(_ p: BevPtr?, _ iotype: Int16, _ mode: bufferevent_flush_mode) -> Int32 {
    withBev(p, "bufferevent_flush", -1) { $0.flush(iotype, Int32(bitPattern: mode.rawValue)) }
}

@_cdecl("bufferevent_trigger")
public func bufferevent_trigger(_ p: BevPtr?, _ iotype: Int16, _ options: Int32) {
    withBev(p, "bufferevent_trigger", ()) { $0.trigger(iotype, options) }
}

@_cdecl("bufferevent_trigger_event")
public func bufferevent_trigger_event(_ p: BevPtr?, _ what: Int16, _ options: Int32) {
    withBev(p, "bufferevent_trigger_event", ()) { $0.runEventCallback(what, options) }
}

// MARK: pairs and filters

@_cdecl("bufferevent_pair_new")
public func bufferevent_pair_new(_ base: OpaquePointer?, _ options: Int32, _ pair: UnsafeMutablePointer<BevPtr?>?) -> Int32 {
    guard let pair else {
        Log.warnx("bufferevent_pair_new: NULL result array")
        return -1
    }
    guard let bp = base ?? Globals.currentBase else {
        Log.warnx("bufferevent_pair_new: NULL event_base")
        return -1
    }
    guard let (a, b) = PairBufferEvent.create(base: bp, options: options) else { return -1 }
    pair[0] = a.bev
    pair[1] = b.bev
    return 0
}

@_cdecl("bufferevent_pair_get_partner")
public func bufferevent_pair_get_partner(_ p: BevPtr?) -> BevPtr? {
    withBev(p, "bufferevent_pair_get_partner", nil) { ($0 as? PairBufferEvent)?.partner?.bev }
}

@_cdecl("bufferevent_filter_new")
public func bufferevent_filter_new(_ under: BevPtr?, _ input: bufferevent_filter_cb?, _ output: bufferevent_filter_cb?,
                                   _ options: Int32, _ freeContext: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?,
                                   _ ctx: UnsafeMutableRawPointer?) -> BevPtr? {
    guard let under else { return nil }
    guard let u = bevOf(under, "bufferevent_filter_new") else { return nil }
    let i = input.map { unsafeBitCast($0, to: FilterFunction.self) }
    let o = output.map { unsafeBitCast($0, to: FilterFunction.self) }
    return FilterBufferEvent.create(u, i, o, options, freeContext, ctx)?.publish()
}

// MARK: single read/write limits

@_cdecl("bufferevent_set_max_single_read")
public func bufferevent_set_max_single_read(_ p: BevPtr?, _ size: Int) -> Int32 {
    withBev(p, "bufferevent_set_max_single_read", -1) { b in
        b.maxSingleRead = size <= 0 ? BufferEvent.defaultMaxSingle : size
        return 0
    }
}

@_cdecl("bufferevent_set_max_single_write")
public func bufferevent_set_max_single_write(_ p: BevPtr?, _ size: Int) -> Int32 {
    withBev(p, "bufferevent_set_max_single_write", -1) { b in
        b.maxSingleWrite = size <= 0 ? BufferEvent.defaultMaxSingle : size
        return 0
    }
}

@_cdecl("bufferevent_get_max_single_read")
public func bufferevent_get_max_single_read(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_max_single_read", -1) { $0.maxSingleRead }
}

@_cdecl("bufferevent_get_max_single_write")
public func bufferevent_get_max_single_write(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_max_single_write", -1) { $0.maxSingleWrite }
}

@_cdecl("bufferevent_get_max_to_read")
public func bufferevent_get_max_to_read(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_max_to_read", -1) { $0.readMax() }
}

@_cdecl("bufferevent_get_max_to_write")
public func bufferevent_get_max_to_write(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_max_to_write", -1) { $0.writeMax() }
}

// MARK: rate limits

@_cdecl("ev_token_bucket_cfg_new")
public func ev_token_bucket_cfg_new(_ readRate: Int, _ readBurst: Int, _ writeRate: Int, _ writeBurst: Int,
                                    _ tick: UnsafePointer<timeval>?) -> OpaquePointer? {
    TokenBuckets.makeConfig(readRate, readBurst, writeRate, writeBurst, tick?.pointee).map { OpaquePointer($0) }
}

@_cdecl("ev_token_bucket_cfg_free")
public func ev_token_bucket_cfg_free(_ cfg: OpaquePointer?) {
    Memory.free(UnsafeMutableRawPointer(cfg))
}

@_cdecl("bufferevent_set_rate_limit")
public func bufferevent_set_rate_limit(_ p: BevPtr?, _ cfg: OpaquePointer?) -> Int32 {
    withBev(p, "bufferevent_set_rate_limit", -1) { RateLimit.set($0, cfgOf(cfg)) }
}

@_cdecl("bufferevent_get_token_bucket_cfg")
public func bufferevent_get_token_bucket_cfg(_ p: BevPtr?) -> OpaquePointer? {
    withBev(p, "bufferevent_get_token_bucket_cfg", nil) { $0.rate?.cfg.map { OpaquePointer($0) } }
}

@_cdecl("bufferevent_get_read_limit")
public func bufferevent_get_read_limit(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_read_limit", -1) { RateLimit.limit($0, write: false) }
}

@_cdecl("bufferevent_get_write_limit")
public func bufferevent_get_write_limit(_ p: BevPtr?) -> Int {
    withBev(p, "bufferevent_get_write_limit", -1) { RateLimit.limit($0, write: true) }
}

@_cdecl("bufferevent_decrement_read_limit")
public func bufferevent_decrement_read_limit(_ p: BevPtr?, _ decr: Int) -> Int32 {
    withBev(p, "bufferevent_decrement_read_limit", -1) { RateLimit.decrement($0, decr, write: false) }
}

@_cdecl("bufferevent_decrement_write_limit")
public func bufferevent_decrement_write_limit(_ p: BevPtr?, _ decr: Int) -> Int32 {
    withBev(p, "bufferevent_decrement_write_limit", -1) { RateLimit.decrement($0, decr, write: true) }
}

@inline(__always)
private func groupOf(_ g: OpaquePointer?, _ fn: StaticString) -> RateGroup? {
    guard let g else {
        Log.warnx("\(fn): NULL rate-limit group")
        return nil
    }
    return RateGroup.from(g)
}

@_cdecl("bufferevent_rate_limit_group_new")
public func bufferevent_rate_limit_group_new(_ base: OpaquePointer?, _ cfg: OpaquePointer?) -> OpaquePointer? {
    guard let c = cfgOf(cfg) else {
        Log.warnx("bufferevent_rate_limit_group_new: NULL configuration")
        return nil
    }
    guard let bp = base ?? Globals.currentBase else {
        Log.warnx("bufferevent_rate_limit_group_new: NULL event_base")
        return nil
    }
    return RateGroup.create(base: bp, cfg: c.pointee)
}

@_cdecl("bufferevent_rate_limit_group_set_cfg")
public func bufferevent_rate_limit_group_set_cfg(_ g: OpaquePointer?, _ cfg: OpaquePointer?) -> Int32 {
    guard let g, let c = cfgOf(cfg) else { return -1 }
    RateGroup.from(g).setConfig(c.pointee)
    return 0
}

@_cdecl("bufferevent_rate_limit_group_set_min_share")
public func bufferevent_rate_limit_group_set_min_share(_ g: OpaquePointer?, _ share: Int) -> Int32 {
    groupOf(g, "bufferevent_rate_limit_group_set_min_share")?.setMinShare(share) ?? -1
}

@_cdecl("bufferevent_rate_limit_group_free")
public func bufferevent_rate_limit_group_free(_ g: OpaquePointer?) {
    groupOf(g, "bufferevent_rate_limit_group_free")?.destroy()
}

@_cdecl("bufferevent_add_to_rate_limit_group")
public func bufferevent_add_to_rate_limit_group(_ p: BevPtr?, _ g: OpaquePointer?) -> Int32 {
    withBev(p, "bufferevent_add_to_rate_limit_group", -1) { b in
        guard let grp = groupOf(g, "bufferevent_add_to_rate_limit_group") else {
            // libevent would crash on a NULL group; leave the current one instead.
            RateLimit.leaveGroup(b, unsuspend: true)
            return 0
        }
        return RateLimit.join(b, grp)
    }
}

@_cdecl("bufferevent_remove_from_rate_limit_group")
public func bufferevent_remove_from_rate_limit_group(_ p: BevPtr?) -> Int32 {
    withBev(p, "bufferevent_remove_from_rate_limit_group", -1) { b in
        RateLimit.leaveGroup(b, unsuspend: true)
        return 0
    }
}

@_cdecl("bufferevent_rate_limit_group_get_read_limit")
public func bufferevent_rate_limit_group_get_read_limit(_ g: OpaquePointer?) -> Int {
    groupOf(g, "bufferevent_rate_limit_group_get_read_limit")?.tokens(write: false) ?? -1
}

@_cdecl("bufferevent_rate_limit_group_get_write_limit")
public func bufferevent_rate_limit_group_get_write_limit(_ g: OpaquePointer?) -> Int {
    groupOf(g, "bufferevent_rate_limit_group_get_write_limit")?.tokens(write: true) ?? -1
}

@_cdecl("bufferevent_rate_limit_group_decrement_read")
public func bufferevent_rate_limit_group_decrement_read(_ g: OpaquePointer?, _ decr: Int) -> Int32 {
    groupOf(g, "bufferevent_rate_limit_group_decrement_read")?.decrement(decr, write: false) ?? -1
}

@_cdecl("bufferevent_rate_limit_group_decrement_write")
public func bufferevent_rate_limit_group_decrement_write(_ g: OpaquePointer?, _ decr: Int) -> Int32 {
    groupOf(g, "bufferevent_rate_limit_group_decrement_write")?.decrement(decr, write: true) ?? -1
}

@_cdecl("bufferevent_rate_limit_group_get_totals")
public func bufferevent_rate_limit_group_get_totals(_ g: OpaquePointer?, _ r: UnsafeMutablePointer<UInt64>?,
                                                    _ w: UnsafeMutablePointer<UInt64>?) {
    guard let grp = groupOf(g, "bufferevent_rate_limit_group_get_totals") else { return }
    let t = grp.totals()
    r?.pointee = t.read
    w?.pointee = t.written
}

@_cdecl("bufferevent_rate_limit_group_reset_totals")
public func bufferevent_rate_limit_group_reset_totals(_ g: OpaquePointer?) {
    guard let grp = groupOf(g, "bufferevent_rate_limit_group_reset_totals") else { return }
    grp.resetTotals()
}

// MARK: bufferevent_compat.h

@_cdecl("bufferevent_new")
public func bufferevent_new(_ fd: Int32, _ r: bufferevent_data_cb?, _ w: bufferevent_data_cb?,
                            _ e: bufferevent_event_cb?, _ arg: UnsafeMutableRawPointer?) -> BevPtr? {
    guard let b = SocketBufferEvent.create(base: nil, fd: fd, options: 0) else { return nil }
    b.setCallbacks(r, w, e, arg)
    return b.publish()
}

@_cdecl("bufferevent_settimeout")
public func bufferevent_settimeout(_ p: BevPtr?, _ r: Int32, _ w: Int32) {
    let rt: timeval? = r != 0 ? timeval(tv_sec: Int(r), tv_usec: 0) : nil
    let wt: timeval? = w != 0 ? timeval(tv_sec: Int(w), tv_usec: 0) : nil
    _ = withBev(p, "bufferevent_settimeout", -1) { $0.setTimeouts(rt, wt) }
}
