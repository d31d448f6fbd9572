import CEventSys

/// evutil_secure_rng_*: the kernel's CSPRNG (getrandom, or the urandom
/// device where getrandom is missing).  libevent 2.1.12 built on this C
/// library delegates to arc4random: initialisation cannot fail, the device
/// file cannot be chosen (-1), and added bytes are not needed.
enum SecureRandom {
    private static let devicePath: StaticString = "/dev/urandom"

    /// 0 when random bytes can be had, -1 otherwise.
    static func initialize() -> Int32 {
        var probe: UInt8 = 0
        return fill(&probe, 1, fatalOnFailure: false) ? 0 : -1
    }

    /// Fill `n` bytes. A system with no source of randomness at all cannot
    /// honour the contract (this call cannot fail), so that is fatal.
    @discardableResult
    static func fill(_ buf: UnsafeMutableRawPointer, _ n: Int, fatalOnFailure: Bool = true) -> Bool {
        var done = 0
        while done < n {
            let r = Sys.call { getrandom(buf + done, n - done, 0) }
            if r.failed {
                if r.errno == ENOSYS || r.errno == EPERM { break }
                if fatalOnFailure { Log.fatal(1, "evutil_secure_rng_get_bytes: getrandom: \(Sys.strerror(r.errno))") }
                return false
            }
            done += r.value
        }
        if done == n { return true }
        if fillFromDevice(buf + done, n - done) { return true }
        if fatalOnFailure { Log.fatal(1, "evutil_secure_rng_get_bytes: no source of random bytes") }
        return false
    }

    private static func fillFromDevice(_ buf: UnsafeMutableRawPointer, _ n: Int) -> Bool {
        let path = UnsafeRawPointer(devicePath.utf8Start).assumingMemoryBound(to: CChar.self)
        // "e": close-on-exec, so a fork/exec in another thread cannot inherit it.
        guard let f = fopen(path, "rbe") else { return false }
        defer { fclose(f) }
        return fread(buf, 1, n, f) == n
    }
}
