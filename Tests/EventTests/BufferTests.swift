import XCTest
import CEventSys
@testable import Event

/// evbuffer behaviour that the C parity tests cannot cover: inputs on which
/// libevent crashes (we must fail cleanly), our own extensions, and
/// internal properties (chain header size, chain reuse).
final class BufferTests: XCTestCase {
    private func contents(_ b: OpaquePointer) -> [UInt8] {
        let n = Event.evbuffer_get_length(b)
        var out = [UInt8](repeating: 0, count: n)
        if n > 0 { _ = out.withUnsafeMutableBytes { Event.evbuffer_copyout(b, $0.baseAddress, n) } }
        return out
    }

    private func add(_ b: OpaquePointer, _ s: String) {
        var s = s
        s.withUTF8 { u in _ = Event.evbuffer_add(b, u.baseAddress, u.count) }
    }

    /// An evbuffer_ptr whose private pos_in_chain the program scribbled on
    /// (beyond its chain, or negative): refused, never a trap or a read
    /// outside the chain (libevent would read out of bounds).
    func testScribbledPosInChainIsRefused() {
        let b = Event.evbuffer_new()!
        defer { Event.evbuffer_free(b) }
        add(b, "hello world")
        for bad in [Int.max, Int.min, -1, 12] {
            var p = Event.evbuffer_search(b, "world", 5, nil)
            XCTAssertEqual(p.pos, 6)
            p.internal_.pos_in_chain = bad
            var v = iovec()
            XCTAssertEqual(Event.evbuffer_peek(b, 4, &p, &v, 1), 0, "peek, pos_in_chain \(bad)")
            let q = Event.evbuffer_search(b, "d", 1, &p)
            XCTAssertEqual(q.pos, -1, "search, pos_in_chain \(bad)")
            var out = [UInt8](repeating: 0, count: 4)
            XCTAssertEqual(out.withUnsafeMutableBytes { Event.evbuffer_copyout_from(b, &p, $0.baseAddress, 4) }, -1,
                           "copyout_from, pos_in_chain \(bad)")
        }
    }

    func testChainHeaderIsLibeventSized() {
        XCTAssertEqual(MemoryLayout<Chain>.size, ChainSize.header)
        XCTAssertEqual(Chain.allocation(for: 0), 1024)
        XCTAssertEqual(Chain.allocation(for: 976), 1024)
        XCTAssertEqual(Chain.allocation(for: 977), 2048)
        XCTAssertNil(Chain.allocation(for: Int.max))
        XCTAssertNil(Chain.allocation(for: -1))
    }

    /// cev_buffer_writev (C) reads chains through its own view of the layout.
    func testChainViewMatchesChain() {
        XCTAssertEqual(MemoryLayout<cev_chain_view>.size, MemoryLayout<Chain>.size)
        XCTAssertEqual(MemoryLayout<cev_chain_view>.offset(of: \.next), MemoryLayout<Chain>.offset(of: \.next))
        XCTAssertEqual(MemoryLayout<cev_chain_view>.offset(of: \.misalign), MemoryLayout<Chain>.offset(of: \.misalign))
        XCTAssertEqual(MemoryLayout<cev_chain_view>.offset(of: \.off), MemoryLayout<Chain>.offset(of: \.off))
        XCTAssertEqual(MemoryLayout<cev_chain_view>.offset(of: \.flags), MemoryLayout<Chain>.offset(of: \.flags))
        XCTAssertEqual(MemoryLayout<cev_chain_view>.offset(of: \.buffer), MemoryLayout<Chain>.offset(of: \.buffer))
    }

    /// The core is an 80-byte allocation, a 96-byte malloc chunk: two per
    /// bufferevent, part of its idle memory (bench/bev_echo.c -m idle).
    /// CorePtr.has loads four bytes at conditionsOffset and tests the first
    /// and the third: where the two condition bytes must be.
    func testBufferCoreKeepsItsSizeAndLayout() {
        XCTAssertEqual(MemoryLayout<BufferCore>.stride, 80)
        XCTAssertEqual(MemoryLayout<BufferCore>.offset(of: \.slow), BufferCore.conditionsOffset)
        XCTAssertEqual(MemoryLayout<BufferCore>.offset(of: \.lockedState), BufferCore.conditionsOffset + 2)
        XCTAssertNotEqual(BufferCore.conditionsOffset, 0)
    }

    /// The fast paths' gate (`slow`) is where a buffer without a lock keeps
    /// its conditions; once it has a lock the gate is closed for good and
    /// left alone, the conditions moving to `lockedState` (other threads
    /// change a locked buffer's conditions while its fast paths look at the
    /// gate without the lock).
    func testFastPathGateOfLockedBuffer() {
        let p = Event.evbuffer_new()!
        let core = CorePtr(p)
        let b = EvBuffer.from(p)
        XCTAssertEqual(Event.evbuffer_freeze(p, 0), 0)
        XCTAssertEqual(core.pointee.slow, BufferCore.Slow.freezeEnd)
        XCTAssertEqual(core.pointee.lockedState, 0)
        // A lock that is never taken here (set and cleared directly).
        b.lock = UnsafeMutableRawPointer(bitPattern: 0x1000)
        XCTAssertEqual(core.pointee.slow, BufferCore.Slow.locked)
        XCTAssertEqual(core.pointee.lockedState, BufferCore.Slow.freezeEnd)
        b.freezeEnd = false
        b.freezeStart = true
        core.pointee.notifiesParent = true
        XCTAssertEqual(core.pointee.slow, BufferCore.Slow.locked)
        XCTAssertEqual(core.pointee.lockedState, BufferCore.Slow.freezeStart | BufferCore.Slow.callbacks)
        XCTAssertTrue(b.freezeStart && core.freezeStart)
        XCTAssertFalse(b.freezeEnd || core.freezeEnd)
        XCTAssertTrue(b.watched && core.watched)
        b.lock = nil
        XCTAssertEqual(core.pointee.slow, BufferCore.Slow.freezeStart | BufferCore.Slow.callbacks)
        XCTAssertEqual(core.pointee.lockedState, 0)
        b.freezeStart = false
        core.pointee.notifiesParent = false
        XCTAssertEqual(core.pointee.slow, 0)
        Event.evbuffer_free(p)
    }

    func testNullBuffersFailCleanly() {
        XCTAssertEqual(Event.evbuffer_add(nil, "x", 1), -1)
        XCTAssertEqual(Event.evbuffer_drain(nil, 1), -1)
        XCTAssertEqual(Event.evbuffer_get_length(nil), 0)
        XCTAssertEqual(Event.evbuffer_get_contiguous_space(nil), 0)
        XCTAssertEqual(Event.evbuffer_remove(nil, nil, 1), -1)
        XCTAssertEqual(Event.evbuffer_copyout(nil, nil, 1), -1)
        XCTAssertNil(Event.evbuffer_pullup(nil, -1))
        XCTAssertNil(Event.evbuffer_readln(nil, nil, EVBUFFER_EOL_ANY))
        XCTAssertEqual(Event.evbuffer_search(nil, "a", 1, nil).pos, -1)
        XCTAssertEqual(Event.evbuffer_reserve_space(nil, 1, nil, 1), -1)
        XCTAssertEqual(Event.evbuffer_add_buffer(nil, nil), -1)
        XCTAssertNil(Event.evbuffer_add_cb(nil, nil, nil))
        XCTAssertEqual(Event.evbuffer_write(nil, 1), -1)
        XCTAssertEqual(Event.evbuffer_read(nil, 0, 1), -1)
        Event.evbuffer_free(nil)
    }

    func testNullDataWithLengthIsRefused() {
        let b = Event.evbuffer_new()!
        XCTAssertEqual(Event.evbuffer_add(b, nil, 5), -1)
        XCTAssertEqual(Event.evbuffer_prepend(b, nil, 5), -1)
        XCTAssertEqual(Event.evbuffer_add_reference(b, nil, 5, nil, nil), -1)
        XCTAssertEqual(Event.evbuffer_get_length(b), 0)
        add(b, "abc")
        XCTAssertEqual(Event.evbuffer_remove(b, nil, 2), -1)
        XCTAssertEqual(Event.evbuffer_get_length(b), 3)
        var v = iovec()
        XCTAssertEqual(Event.evbuffer_commit_space(b, nil, 1), -1)
        XCTAssertEqual(Event.evbuffer_reserve_space(b, 1, &v, 1), 1)
        Event.evbuffer_free(b)
    }

    /// libevent asserts here (no chain after a full last chain).
    func testZeroSizedMultiVectorReserveOnFullChain() {
        let b = Event.evbuffer_new()!
        let full = [UInt8](repeating: 7, count: 976)
        _ = full.withUnsafeBytes { Event.evbuffer_add(b, $0.baseAddress, 976) }
        var v = [iovec](repeating: iovec(), count: 2)
        XCTAssertEqual(Event.evbuffer_reserve_space(b, 0, &v, 2), 0)
        XCTAssertEqual(Event.evbuffer_get_length(b), 976)
        Event.evbuffer_free(b)
    }

    func testPositionsOutsideTheBuffer() {
        let b = Event.evbuffer_new()!
        add(b, "hello world")
        var p = evbuffer_ptr()
        var out = [UInt8](repeating: 0, count: 8)
        p.pos = -1
        XCTAssertEqual(out.withUnsafeMutableBytes { Event.evbuffer_copyout_from(b, &p, $0.baseAddress, 4) }, -1)
        p.pos = 50
        XCTAssertEqual(out.withUnsafeMutableBytes { Event.evbuffer_copyout_from(b, &p, $0.baseAddress, 4) }, -1)
        // A zeroed pointer with only pos set is located from pos.
        p = evbuffer_ptr()
        p.pos = 6
        XCTAssertEqual(out.withUnsafeMutableBytes { Event.evbuffer_copyout_from(b, &p, $0.baseAddress, 5) }, 5)
        XCTAssertEqual(Array(out[0..<5]), Array("world".utf8))
        Event.evbuffer_free(b)
    }

    /// libevent frees the target's empty chains but keeps pointing at them.
    func testBufferReferenceIntoBufferWithOnlyEmptyChains() {
        let src = Event.evbuffer_new()!, dst = Event.evbuffer_new()!
        add(src, "shared")
        XCTAssertEqual(Event.evbuffer_expand(dst, 100), 0)
        XCTAssertEqual(Event.evbuffer_add_buffer_reference(dst, src), 0)
        XCTAssertEqual(contents(dst), Array("shared".utf8))
        Event.evbuffer_free(src)
        XCTAssertEqual(contents(dst), Array("shared".utf8))
        Event.evbuffer_free(dst)
    }

    /// Two views of one chain pulled up must not write into shared memory.
    func testPullupOfViewsDoesNotCorruptEachOther() {
        let src = Event.evbuffer_new()!, v1 = Event.evbuffer_new()!, v2 = Event.evbuffer_new()!
        add(src, "AAAA")
        XCTAssertEqual(Event.evbuffer_add_buffer_reference(v1, src), 0)
        XCTAssertEqual(Event.evbuffer_add_buffer_reference(v2, src), 0)
        add(v1, "1111")
        add(v2, "2222")
        XCTAssertNotNil(Event.evbuffer_pullup(v1, -1))
        XCTAssertNotNil(Event.evbuffer_pullup(v2, -1))
        XCTAssertEqual(contents(v1), Array("AAAA1111".utf8))
        XCTAssertEqual(contents(v2), Array("AAAA2222".utf8))
        XCTAssertEqual(contents(src), Array("AAAA".utf8))
        Event.evbuffer_free(v1)
        Event.evbuffer_free(v2)
        Event.evbuffer_free(src)
    }

    private static var cleanups = 0
    func testFailedFileSegmentAddKeepsTheReference() throws {
        var path = Array("/tmp/buftestXXXXXX".utf8CString)
        let fd = mkstemp(&path)
        XCTAssertGreaterThanOrEqual(fd, 0)
        unlink(path)
        let text = Array("0123456789".utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, 10) }
        let b = Event.evbuffer_new()!
        let seg = try XCTUnwrap(Event.evbuffer_file_segment_new(fd, 0, 10, UInt32(EVBUF_FS_CLOSE_ON_FREE)))
        BufferTests.cleanups = 0
        Event.evbuffer_file_segment_add_cleanup_cb(seg, { _, _, _ in BufferTests.cleanups += 1 }, nil)
        XCTAssertEqual(Event.evbuffer_add_file_segment(b, seg, 5, 10), -1)
        XCTAssertEqual(Event.evbuffer_add_file_segment(b, seg, 11, -1), -1)
        XCTAssertEqual(Event.evbuffer_add_file_segment(b, seg, 2, 3), 0)
        Event.evbuffer_file_segment_free(seg)
        XCTAssertEqual(BufferTests.cleanups, 0)
        XCTAssertEqual(contents(b), Array("234".utf8))
        Event.evbuffer_free(b)
        XCTAssertEqual(BufferTests.cleanups, 1)
        XCTAssertEqual(fcntl_getfd(fd), -1)
    }

    /// libevent reads wild memory for a sendfile chain; we read the file.
    func testSendfileChainReadAsMemory() {
        var path = Array("/tmp/buftestXXXXXX".utf8CString)
        let fd = mkstemp(&path)
        unlink(path)
        let text = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, text.count) }
        let b = Event.evbuffer_new()!
        XCTAssertEqual(Event.evbuffer_set_flags(b, UInt64(EVBUFFER_FLAG_DRAINS_TO_FD)), 0)
        XCTAssertEqual(Event.evbuffer_add_file(b, fd, 3, 10), 0)
        XCTAssertEqual(contents(b), Array("defghijklm".utf8))
        let found = Event.evbuffer_search(b, "hij", 3, nil)
        XCTAssertEqual(found.pos, 4)
        Event.evbuffer_free(b)
    }

    func testMaxRead() {
        let b = Event.evbuffer_new()!
        XCTAssertEqual(Event.evbuffer_get_max_read(b), 4096)
        XCTAssertEqual(Event.evbuffer_set_max_read(b, 0), -1)
        XCTAssertEqual(Event.evbuffer_set_max_read(b, Int(Int32.max) + 1), -1)
        XCTAssertEqual(Event.evbuffer_set_max_read(b, 100_000), 0)
        XCTAssertEqual(Event.evbuffer_get_max_read(b), 100_000)
        var sv: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sv), 0)
        let data = [UInt8](repeating: 1, count: 50_000)
        var written = 0
        while written < data.count {
            let r = data.withUnsafeBytes { write(sv[0], $0.baseAddress! + written, data.count - written) }
            if r <= 0 { break }
            written += r
        }
        let r = Event.evbuffer_read(b, sv[1], -1)
        XCTAssertGreaterThan(r, 4096)
        close(sv[0])
        close(sv[1])
        Event.evbuffer_free(b)
    }

    private static var freedInCallback: OpaquePointer? = nil
    private static var calls = 0
    func testCallbackMayFreeItsBuffer() {
        let b = Event.evbuffer_new()!
        BufferTests.freedInCallback = b
        BufferTests.calls = 0
        _ = Event.evbuffer_add_cb(b, { buf, _, _ in
            BufferTests.calls += 1
            Event.evbuffer_free(buf)
        }, nil)
        _ = Event.evbuffer_add_cb(b, { _, _, _ in BufferTests.calls += 1 }, nil)
        add(b, "x")
        XCTAssertEqual(BufferTests.calls, 2)
    }

    private static var second: OpaquePointer? = nil
    func testCallbackMayRemoveTheNextEntry() {
        let b = Event.evbuffer_new()!
        BufferTests.calls = 0
        let victim = Event.evbuffer_add_cb(b, { _, _, _ in BufferTests.calls += 100 }, nil)
        BufferTests.second = victim
        _ = Event.evbuffer_add_cb(b, { buf, _, _ in
            BufferTests.calls += 1
            _ = Event.evbuffer_remove_cb_entry(buf, BufferTests.second)
        }, nil)
        add(b, "x")
        XCTAssertEqual(BufferTests.calls, 1)
        add(b, "y")
        XCTAssertEqual(BufferTests.calls, 2)
        Event.evbuffer_free(b)
    }

    private static var mallocs = 0
    /// Once a buffer has had a chain, add + drain cycles reuse it.
    func testNoAllocationPerAddDrainCycle() {
        let b = Event.evbuffer_new()!
        let piece = [UInt8](repeating: 9, count: 65536)
        _ = piece.withUnsafeBytes { Event.evbuffer_add(b, $0.baseAddress, 16) }
        _ = Event.evbuffer_drain(b, 16)
        _ = piece.withUnsafeBytes { Event.evbuffer_add(b, $0.baseAddress, 65536) }
        _ = Event.evbuffer_drain(b, 65536)
        BufferTests.mallocs = 0
        Memory.userMalloc = { n in BufferTests.mallocs += 1; return CEventSys.malloc(n) }
        Memory.userFree = { p in CEventSys.free(p) }
        defer { Memory.userMalloc = nil; Memory.userFree = nil }
        for _ in 0..<1000 {
            _ = piece.withUnsafeBytes { Event.evbuffer_add(b, $0.baseAddress, 16) }
            _ = Event.evbuffer_drain(b, 16)
        }
        XCTAssertEqual(BufferTests.mallocs, 0)
        Event.evbuffer_free(b)
    }
}

/// Freed chains: an emptied buffer keeps nothing (idle connections cost no
/// chain memory, as in libevent); 1 KiB chains go to the thread's cache,
/// which holds at most CEV_CACHE_1K_MAX of them, and come back from it.
final class BufferChainCacheTests: XCTestCase {
    override func setUp() { cev_chain_cache_flush_current() }
    override func tearDown() { cev_chain_cache_flush_current() }

    private func cached1k() -> [UnsafeMutableRawPointer] {
        var out: [UnsafeMutableRawPointer] = []
        while let p = cev_chain_cache_get_1k() { out.append(p) }
        return out
    }

    private func put1k(_ ps: [UnsafeMutableRawPointer]) {
        for p in ps where cev_chain_cache_put_1k(p) == 0 { Memory.free(p) }
    }

    /// A full drain on the fast path (one plain chain) and on the slow path
    /// (a callback watches) both leave the buffer without chains, the chain
    /// in the cache.
    func testEmptiedBufferKeepsNoChain() {
        for watched in [false, true] {
            let b = Event.evbuffer_new()!
            if watched { _ = Event.evbuffer_add_cb(b, { _, _, _ in }, nil) }
            _ = Event.evbuffer_add(b, "hello world!\n", 13)
            let c = CorePtr(b).pointee.first
            XCTAssertNotNil(c)
            XCTAssertEqual(c.map { $0.pointee.bufferLen + ChainSize.header }, ChainSize.minAlloc)
            _ = Event.evbuffer_drain(b, 13)
            XCTAssertNil(CorePtr(b).pointee.first, "watched \(watched)")
            XCTAssertNil(CorePtr(b).pointee.last, "watched \(watched)")
            let got = cached1k()
            XCTAssertEqual(got.count, 1, "watched \(watched)")
            XCTAssertEqual(got.first, c.map { UnsafeMutableRawPointer($0) }, "watched \(watched)")
            put1k(got)
            Event.evbuffer_free(b)
        }
    }

    /// The next small add into an empty buffer takes the cached chain (no
    /// allocation), with libevent's capacity, empty apart from the bytes.
    func testAddIntoEmptyBufferReusesCachedChain() {
        let b = Event.evbuffer_new()!
        defer { Event.evbuffer_free(b) }
        _ = Event.evbuffer_add(b, "0123456789", 10)
        let first = CorePtr(b).pointee.first
        _ = Event.evbuffer_drain(b, 10)
        _ = Event.evbuffer_add(b, "abc", 3)
        let c = CorePtr(b).pointee.first
        XCTAssertEqual(c, first)
        XCTAssertEqual(c?.pointee.misalign, 0)
        XCTAssertEqual(c?.pointee.off, 3)
        XCTAssertEqual(c?.pointee.flags, 0)
        XCTAssertEqual(c.map { $0.pointee.bufferLen + ChainSize.header }, ChainSize.minAlloc)
        XCTAssertNil(c?.pointee.next)
        XCTAssertEqual(Event.evbuffer_get_length(b), 3)
        var out = [UInt8](repeating: 0, count: 3)
        _ = out.withUnsafeMutableBytes { Event.evbuffer_copyout(b, $0.baseAddress, 3) }
        XCTAssertEqual(out, Array("abc".utf8))
        XCTAssertEqual(cached1k().count, 0)
    }

    /// However many buffers empty at once, the thread keeps at most
    /// CEV_CACHE_1K_MAX chains (the rest are freed); a buffer freed with its
    /// chains gives them back to the allocator.
    func testCacheIsBounded() {
        let n = Int(CEV_CACHE_1K_MAX) + 36
        var bufs: [OpaquePointer] = []
        for _ in 0..<n {
            let b = Event.evbuffer_new()!
            _ = Event.evbuffer_add(b, "x", 1)
            bufs.append(b)
        }
        for b in bufs { _ = Event.evbuffer_drain(b, 1) }
        let kept = cached1k()
        XCTAssertEqual(kept.count, Int(CEV_CACHE_1K_MAX))
        for p in kept { Memory.free(p) }
        for b in bufs { _ = Event.evbuffer_add(b, "y", 1) }
        for b in bufs { Event.evbuffer_free(b) }
        XCTAssertEqual(cached1k().count, 0)
    }
}

final class BufferSearchTests: XCTestCase {
    /// The vectorized single-region search against a plain scan.
    func testFindMatchesNaiveScan() {
        var rng: UInt64 = 0x1234_5678
        func next() -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng >> 33)
        }
        for _ in 0..<3000 {
            let n = next() % 80
            let alphabet: [UInt8] = [97, 98, 13, 10]
            let hay = (0..<n).map { _ in alphabet[next() % 4] }
            let len = 1 + next() % 5
            let needle = (0..<len).map { _ in alphabet[next() % 4] }
            var expected: Int? = nil
            if len <= n {
                for i in 0...(n - len) where Array(hay[i..<(i + len)]) == needle {
                    expected = i
                    break
                }
            }
            let got = hay.withUnsafeBufferPointer { h in
                needle.withUnsafeBufferPointer { nd in
                    EvBuffer.find(nd.baseAddress!, len, in: h.baseAddress ?? UnsafePointer(bitPattern: 1)!, n)
                }
            }
            XCTAssertEqual(got, expected, "hay \(hay) needle \(needle)")
        }
    }
}
