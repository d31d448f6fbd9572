import XCTest
import CEventExtra
@testable import EventExtra

/// evtag: the encodings against vectors worked out by hand from libevent's
/// wire format description, and the buffer calls' consumption rules.
final class TagTests: XCTestCase {
    private func enc(_ v: UInt64) -> [UInt8] {
        var b = TagCodec.zeroIntBytes
        let n = TagCodec.encodeInt(v, into: &b)
        return withUnsafeBytes(of: &b) { Array($0[0..<n]) }
    }

    private func tagBytes(_ t: UInt32) -> [UInt8] {
        var b: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
        let n = TagCodec.encodeTag(t, into: &b)
        return withUnsafeBytes(of: &b) { Array($0[0..<n]) }
    }

    private func bytes(_ buf: OpaquePointer) -> [UInt8] {
        let n = evbuffer_get_length(buf)
        var out = [UInt8](repeating: 0, count: n)
        _ = out.withUnsafeMutableBytes { evbuffer_copyout(buf, $0.baseAddress, n) }
        return out
    }

    private func buffer(_ b: [UInt8]) -> OpaquePointer {
        let buf = evbuffer_new()!
        _ = b.withUnsafeBytes { evbuffer_add(buf, $0.baseAddress, b.count) }
        return buf
    }

    func testIntegerVectors() {
        XCTAssertEqual(enc(0), [0x00])
        XCTAssertEqual(enc(5), [0x05])
        XCTAssertEqual(enc(0xf), [0x0f])
        XCTAssertEqual(enc(0x12), [0x12, 0x10])       // 2 nibbles: count 1, then 2, 1
        XCTAssertEqual(enc(0x123), [0x23, 0x21])      // 3 nibbles: 3 | 2,1
        XCTAssertEqual(enc(0x1234), [0x34, 0x32, 0x10])
        XCTAssertEqual(enc(0xffff_ffff), [0x7f, 0xff, 0xff, 0xff, 0xf0])
        XCTAssertEqual(enc(UInt64.max), [0xff] + [UInt8](repeating: 0xff, count: 7) + [0xf0])
    }

    func testIntegerRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let v = UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            let e = enc(v)
            e.withUnsafeBytes {
                let d = TagCodec.decodeInt($0, maxNibbles: 16)
                XCTAssertEqual(d?.value, v)
                XCTAssertEqual(d?.length, e.count)
                // Every shorter prefix is refused.
                for cut in 0..<e.count {
                    XCTAssertNil(TagCodec.decodeInt(UnsafeRawBufferPointer(rebasing: $0[0..<cut]), maxNibbles: 16))
                }
            }
        }
    }

    func testIntegerTooWide() {
        [0x80, 0, 0, 0, 0, 0].withUnsafeBytes {   // 9 nibbles: too wide for 32 bits
            XCTAssertNil(TagCodec.decodeInt($0, maxNibbles: 8))
            XCTAssertEqual(TagCodec.decodeInt($0, maxNibbles: 16)?.length, 5)
        }
    }

    func testTagVectors() {
        XCTAssertEqual(tagBytes(0), [0x00])
        XCTAssertEqual(tagBytes(0x66), [0x66])
        XCTAssertEqual(tagBytes(0x166), [0xe6, 0x02])
        XCTAssertEqual(tagBytes(UInt32.max), [0xff, 0xff, 0xff, 0xff, 0x0f])
        for t: UInt32 in [0, 1, 127, 128, 300, 1 << 21, 1 << 28, UInt32.max] {
            tagBytes(t).withUnsafeBytes {
                XCTAssertEqual(TagCodec.decodeTag($0)?.tag, t)
            }
        }
    }

    func testTagOverflowAndTruncation() {
        for bad: [UInt8] in [[], [0x80], [0xff, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff, 0x10],
                             [0xff, 0xff, 0xff, 0xff, 0x8f, 0x00], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]] {
            bad.withUnsafeBytes { XCTAssertNil(TagCodec.decodeTag($0), "\(bad)") }
        }
    }

    func testMarshalUnmarshalItems() {
        let buf = evbuffer_new()!
        defer { evbuffer_free(buf) }
        evtag_marshal_int(buf, 1, 0x1234)
        evtag_marshal_int64(buf, 2, 0x1_0000_0000)
        evtag_marshal_string(buf, 300, "hi")
        var tv = timeval(tv_sec: 3, tv_usec: 0x45)
        evtag_marshal_timeval(buf, 4, &tv)
        XCTAssertEqual(bytes(buf), [0x01, 0x03, 0x34, 0x32, 0x10,
                                    0x02, 0x05, 0x80, 0, 0, 0, 0x01,
                                    0xac, 0x02, 0x02, 0x68, 0x69,
                                    0x04, 0x03, 0x03, 0x15, 0x40])
        var len: UInt32 = 0
        XCTAssertEqual(evtag_peek_length(buf, &len), 0)
        XCTAssertEqual(len, 5)
        var v32: UInt32 = 0
        XCTAssertEqual(evtag_unmarshal_int(buf, 1, &v32), 3)   // the integer's encoded length
        XCTAssertEqual(v32, 0x1234)
        var v64: UInt64 = 0
        XCTAssertEqual(evtag_unmarshal_int64(buf, 2, &v64), 5)
        XCTAssertEqual(v64, 0x1_0000_0000)
        var s: UnsafeMutablePointer<CChar>?
        XCTAssertEqual(evtag_unmarshal_string(buf, 300, &s), 0)
        XCTAssertEqual(strcmp(s!, "hi"), 0)
        Memory.free(s)
        var out = timeval()
        XCTAssertEqual(evtag_unmarshal_timeval(buf, 4, &out), 0)
        XCTAssertEqual(out.tv_sec, 3)
        XCTAssertEqual(out.tv_usec, 0x45)
        XCTAssertEqual(evbuffer_get_length(buf), 0)
    }

    func testMismatchConsumesHeaderOnly() {
        let buf = buffer([0x01, 0x01, 0x05, 0x09])
        defer { evbuffer_free(buf) }
        var v: UInt32 = 0
        XCTAssertEqual(evtag_unmarshal_int(buf, 2, &v), -1)
        XCTAssertEqual(bytes(buf), [0x01, 0x05, 0x09])   // the tag is gone, as in libevent
    }

    func testLengthBeyondBuffer() {
        let buf = buffer([0x01, 0x05, 0xaa, 0xbb])
        defer { evbuffer_free(buf) }
        XCTAssertEqual(evtag_unmarshal_header(buf, nil), -1)
        XCTAssertEqual(bytes(buf), [0xaa, 0xbb])
    }

    func testIntegerRunningPastPayload() {
        // Payload length 1, but its integer claims 2 bytes: value stored, -1, payload drained.
        let buf = buffer([0x01, 0x01, 0x12, 0x10, 0x77])
        defer { evbuffer_free(buf) }
        var v: UInt32 = 0
        XCTAssertEqual(evtag_unmarshal_int(buf, 1, &v), -1)
        XCTAssertEqual(v, 0x12)
        XCTAssertEqual(bytes(buf), [0x10, 0x77])
    }

    func testFixedAndUnmarshal() {
        let buf = evbuffer_new()!, dst = evbuffer_new()!
        defer { evbuffer_free(buf); evbuffer_free(dst) }
        evtag_marshal(buf, 7, "abcd", 4)
        evtag_marshal(buf, 8, nil, 0)
        evtag_marshal(buf, 9, "xy", 2)
        var fixed: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        XCTAssertEqual(evtag_unmarshal_fixed(buf, 7, &fixed, 4), 0)
        XCTAssertEqual(fixed.3, UInt8(ascii: "d"))
        var tag: UInt32 = 0
        XCTAssertEqual(evtag_unmarshal(buf, &tag, dst), 0)
        XCTAssertEqual(tag, 8)
        XCTAssertEqual(evtag_peek(buf, &tag), 1)
        XCTAssertEqual(evtag_unmarshal_fixed(buf, 9, &fixed, 3), -1)   // wrong size: header consumed
        XCTAssertEqual(bytes(buf), [0x78, 0x79])
        XCTAssertEqual(evtag_consume(buf), -1)
    }

    func testRandomBytesNeverFault() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let n = Int.random(in: 0...24, using: &rng)
            var b = [UInt8](repeating: 0, count: n)
            for i in 0..<n { b[i] = UInt8.random(in: 0...255, using: &rng) }
            let buf = buffer(b)
            let dst = evbuffer_new()!
            var t: UInt32 = 0, v: UInt32 = 0, v64: UInt64 = 0, tv = timeval()
            var s: UnsafeMutablePointer<CChar>?
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: _ = evtag_unmarshal(buf, &t, dst)
            case 1: _ = evtag_unmarshal_int(buf, UInt32(b.first ?? 0) & 0x7f, &v)
            case 2: _ = evtag_unmarshal_int64(buf, UInt32(b.first ?? 0) & 0x7f, &v64)
            case 3: _ = evtag_unmarshal_timeval(buf, UInt32(b.first ?? 0) & 0x7f, &tv)
            case 4: if evtag_unmarshal_string(buf, UInt32(b.first ?? 0) & 0x7f, &s) == 0 { Memory.free(s) }
            case 5: _ = evtag_peek_length(buf, &v); _ = evtag_payload_length(buf, &v)
            default: while evtag_consume(buf) == 0 {}
            }
            XCTAssertLessThanOrEqual(evbuffer_get_length(buf), n)
            evbuffer_free(buf)
            evbuffer_free(dst)
        }
    }
}
