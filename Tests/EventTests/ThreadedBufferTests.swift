import XCTest
import CEventSys
@testable import Event

// Buffers shared between threads: a BEV_OPT_THREADSAFE pair written from
// one thread while the loop delivers in another, and an evbuffer with
// evbuffer_enable_locking changed from several (with deferred callbacks;
// with its callbacks and freezing changed meanwhile).
final class ThreadedBufferTests: ThreadedTestCase {
    func testPairWrittenFromAnotherThread() {
        final class Stream {
            let mon = Monitor()
            var received = 0
            var mismatches = 0
        }
        let stream = Stream()
        let base = newBase()
        var pair: [BevPtr?] = [nil, nil]
        XCTAssertEqual(bufferevent_pair_new(base, BevOpt.threadsafe, &pair), 0)
        let (writer, reader) = (pair[0]!, pair[1]!)
        let onRead: bufferevent_data_cb = { bev, arg in
            let s = Unmanaged<Stream>.fromOpaque(arg!).takeUnretainedValue()
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = bufferevent_read(bev, &buf, buf.count)
                if n <= 0 { break }
                s.mon.update {
                    for k in 0..<n where buf[k] != UInt8((s.received + k) % 251) { s.mismatches += 1 }
                    s.received += n
                }
            }
        }
        bufferevent_setcb(reader, onRead, nil, nil, Unmanaged.passUnretained(stream).toOpaque())
        XCTAssertEqual(bufferevent_enable(reader, EV.read), 0)
        XCTAssertEqual(bufferevent_enable(writer, EV.write), 0)
        let loop = LoopThread(base)
        let chunk = 1000, chunks = 100
        onThreads(2) { t in
            if t == 0 {
                var buf = [UInt8](repeating: 0, count: chunk)
                for c in 0..<chunks {
                    for k in 0..<chunk { buf[k] = UInt8((c * chunk + k) % 251) }
                    _ = bufferevent_write(writer, &buf, chunk)
                }
            } else {
                for _ in 0..<200 {
                    _ = bufferevent_disable(reader, EV.read)
                    _ = bufferevent_enable(reader, EV.read)
                }
            }
        }
        XCTAssertTrue(stream.mon.wait { stream.received == chunk * chunks },
                      "received \(stream.mon.locked { stream.received })")
        XCTAssertEqual(stream.mon.locked { stream.mismatches }, 0, "bytes out of order or corrupted")
        // Freed while the loop runs, which finalizes them (a deferred
        // callback still queued holds a reference that only the loop drops:
        // event_base_free would discard it, as libevent's does).
        bufferevent_free(writer)
        bufferevent_free(reader)
        loopPass(base)
        loopPass(base)
        guard loop.stop() else { return }
        event_base_free(base)
    }

    func testLockedBufferChangedFromSeveralThreadsWithDeferredCallbacks() {
        final class Changes {
            let mon = Monitor()
            var added = 0
            var deleted = 0
        }
        let changes = Changes()
        let base = newBase()
        let buf = Event.evbuffer_new()!
        XCTAssertEqual(Event.evbuffer_enable_locking(buf, nil), 0)
        XCTAssertEqual(Event.evbuffer_defer_callbacks(buf, base), 0)
        let onChange: evbuffer_cb_func = { _, info, arg in
            let c = Unmanaged<Changes>.fromOpaque(arg!).takeUnretainedValue()
            c.mon.update {
                c.added += info!.pointee.n_added
                c.deleted += info!.pointee.n_deleted
            }
        }
        XCTAssertNotNil(Event.evbuffer_add_cb(buf, onChange, Unmanaged.passUnretained(changes).toOpaque()))
        let loop = LoopThread(base)
        onThreads(3) { t in
            var data = [UInt8](repeating: 3, count: 100)
            for _ in 0..<200 {
                // Small adds and partial drains: the fast paths, which must
                // leave a locked buffer to the locked slow paths.
                if t < 2 { _ = Event.evbuffer_add(buf, &data, t == 0 ? 100 : 10) } else { _ = Event.evbuffer_drain(buf, 50) }
            }
        }
        // Every change was queued for reporting before this pass.
        loopPass(base)
        guard loop.stop() else { return }
        changes.mon.locked {
            XCTAssertEqual(changes.added, 200 * 110)
            XCTAssertEqual(Event.evbuffer_get_length(buf), changes.added - changes.deleted)
        }
        Event.evbuffer_free(buf)
        event_base_free(base)
    }

    /// Adds and drains (the fast-path entry points, which look at the
    /// buffer before taking its lock) while another thread freezes and
    /// unfreezes both ends and adds, disables and removes a callback entry,
    /// all of which change the buffer's state under its lock. Under
    /// ThreadSanitizer this is where an unlocked look at that state shows.
    func testLockedBufferAddDrainWhileCallbacksAndFreezeChange() {
        final class Counts {
            let mon = Monitor()
            var added = 0
            var deleted = 0
            var extraCalls = 0
        }
        let counts = Counts()
        let arg = Unmanaged.passUnretained(counts).toOpaque()
        let buf = Event.evbuffer_new()!
        XCTAssertEqual(Event.evbuffer_enable_locking(buf, nil), 0)
        // Immediate callbacks run under the buffer's lock, once per change.
        let onChange: evbuffer_cb_func = { _, info, arg in
            let c = Unmanaged<Counts>.fromOpaque(arg!).takeUnretainedValue()
            c.mon.update {
                c.added += info!.pointee.n_added
                c.deleted += info!.pointee.n_deleted
            }
        }
        let onChangeExtra: evbuffer_cb_func = { _, _, arg in
            let c = Unmanaged<Counts>.fromOpaque(arg!).takeUnretainedValue()
            c.mon.update { c.extraCalls += 1 }
        }
        XCTAssertNotNil(Event.evbuffer_add_cb(buf, onChange, arg))
        final class Tally { let mon = Monitor(); var addsDone = 0, addsRefused = 0, drainsRefused = 0 }
        let tally = Tally()
        let rounds = 3000
        onThreads(4) { t in
            var data = [UInt8](repeating: 7, count: 10)
            var done = 0, refused = 0, drainRefused = 0
            for i in 0..<rounds {
                switch t {
                case 0, 1:
                    if Event.evbuffer_add(buf, &data, 10) == 0 { done += 1 } else { refused += 1 }
                case 2:
                    if Event.evbuffer_drain(buf, 7) != 0 { drainRefused += 1 }
                default:
                    XCTAssertEqual(Event.evbuffer_freeze(buf, Int32(i & 1)), 0)
                    let e = Event.evbuffer_add_cb(buf, onChangeExtra, arg)
                    XCTAssertNotNil(e)
                    XCTAssertEqual(Event.evbuffer_unfreeze(buf, Int32(i & 1)), 0)
                    if let e {
                        XCTAssertEqual(Event.evbuffer_cb_clear_flags(buf, e, UInt32(EVBUFFER_CB_ENABLED)), 0)
                        XCTAssertEqual(Event.evbuffer_cb_set_flags(buf, e, UInt32(EVBUFFER_CB_ENABLED)), 0)
                        XCTAssertEqual(Event.evbuffer_remove_cb_entry(buf, e), 0)
                    }
                }
            }
            tally.mon.update {
                tally.addsDone += done
                tally.addsRefused += refused
                tally.drainsRefused += drainRefused
            }
        }
        tally.mon.locked {
            XCTAssertEqual(tally.addsDone + tally.addsRefused, 2 * rounds)
            counts.mon.locked {
                // Every accepted add was reported, and nothing else was added.
                XCTAssertEqual(counts.added, 10 * tally.addsDone)
                XCTAssertEqual(Event.evbuffer_get_length(buf), counts.added - counts.deleted)
            }
        }
        // Both ends are open again and only the first callback is left.
        var more = [UInt8](repeating: 1, count: 5)
        let before = counts.mon.locked { (counts.added, counts.extraCalls) }
        XCTAssertEqual(Event.evbuffer_add(buf, &more, 5), 0)
        XCTAssertEqual(Event.evbuffer_drain(buf, 1), 0)
        counts.mon.locked {
            XCTAssertEqual(counts.added, before.0 + 5)
            XCTAssertEqual(counts.extraCalls, before.1)
        }
        Event.evbuffer_free(buf)
    }
}
