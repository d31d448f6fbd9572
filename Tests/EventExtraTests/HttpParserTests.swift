import XCTest
import CEventExtra
@testable import EventExtra

/// The strict parts of the http parser, one rule at a time (what the server
/// answers for each is checked end to end by tests/http_strict.sh).
final class HttpParserTests: XCTestCase {
    func bytes(_ s: StaticString) -> [UInt8] { return Bytes.array(s) }

    func testChunkSizes() {
        XCTAssertEqual(Parser.chunkSize(bytes("5")), 5)
        XCTAssertEqual(Parser.chunkSize(bytes("fF")), 255)
        XCTAssertEqual(Parser.chunkSize(bytes("0")), 0)
        XCTAssertEqual(Parser.chunkSize(bytes("7fffffffffffffff")), Int64.max)
        XCTAssertNil(Parser.chunkSize(bytes("8000000000000000")))   // past Int64.max
        XCTAssertNil(Parser.chunkSize(bytes("ffffffffffffffffff")))
        XCTAssertNil(Parser.chunkSize(bytes("0x5")))
        XCTAssertNil(Parser.chunkSize(bytes("+5")))
        XCTAssertNil(Parser.chunkSize(bytes("-5")))
        XCTAssertNil(Parser.chunkSize(bytes(" 5")))
        XCTAssertNil(Parser.chunkSize(bytes("5 ")))
        XCTAssertNil(Parser.chunkSize(bytes("5;ext")))
        XCTAssertNil(Parser.chunkSize(bytes("")))
    }

    func testVersions() {
        XCTAssertTrue(Parser.parseVersion(bytes("HTTP/1.1")[...])! == (1, 1))
        XCTAssertTrue(Parser.parseVersion(bytes("HTTP/1.0")[...])! == (1, 0))
        XCTAssertTrue(Parser.parseVersion(bytes("HTTP/0.9")[...])! == (0, 9))
        XCTAssertTrue(Parser.parseVersion(bytes("HTTP/01.01")[...])! == (1, 1))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/2.0")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/1.99999999999")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/1.-1")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/+1.1")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/1.1 ")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/1.")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("http/1.1")[...]))
        XCTAssertNil(Parser.parseVersion(bytes("HTTP/.1")[...]))
    }

    func testContentLength() {
        XCTAssertEqual(Parser.contentLength(Bytes.cstr("0")), 0)
        XCTAssertEqual(Parser.contentLength(Bytes.cstr("123")), 123)
        XCTAssertEqual(Parser.contentLength(Bytes.cstr("9223372036854775807")), Int64.max)
        XCTAssertNil(Parser.contentLength(Bytes.cstr("9223372036854775808")))
        XCTAssertNil(Parser.contentLength(Bytes.cstr("+5")))
        XCTAssertNil(Parser.contentLength(Bytes.cstr("-5")))
        XCTAssertNil(Parser.contentLength(Bytes.cstr("5, 5")))
        XCTAssertNil(Parser.contentLength(Bytes.cstr("")))
        XCTAssertNil(Parser.contentLength(Bytes.cstr("0x10")))
    }

    func testTransferEncoding() {
        XCTAssertTrue(Parser.teEndsChunked(Bytes.cstr("chunked")))
        XCTAssertTrue(Parser.teEndsChunked(Bytes.cstr("Chunked")))
        XCTAssertTrue(Parser.teEndsChunked(Bytes.cstr("gzip, chunked")))
        XCTAssertTrue(Parser.teEndsChunked(Bytes.cstr("gzip,chunked")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("chunked, gzip")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("chunked, chunked")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("identity")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("chunkedx")))
        XCTAssertFalse(Parser.teEndsChunked(Bytes.cstr("g\u{1}zip, chunked")))
    }

    func testHeaderNames() {
        XCTAssertTrue(Parser.isTchar(UInt8(ascii: "a")))
        XCTAssertTrue(Parser.isTchar(UInt8(ascii: "-")))
        XCTAssertFalse(Parser.isTchar(UInt8(ascii: " ")))
        XCTAssertFalse(Parser.isTchar(UInt8(ascii: ":")))
        XCTAssertFalse(Parser.isTchar(0))
        XCTAssertFalse(Parser.isTchar(0x80))
    }

    /// Whole messages through an evbuffer: first line, headers, framing.
    func parse(_ text: StaticString, kind: evhttp_request_kind = EVHTTP_REQUEST) -> (ParseResult, ParseResult?, Req) {
        let r = Request.new(nil, nil)!
        r.pointee.kind = kind
        let buf = evbuffer_new()
        _ = evbuffer_add(buf, text.utf8Start, text.utf8CodeUnitCount)
        let first = Parser.firstLine(r, buf, maxHeaders: 1000, isKnownHost: { _ in true })
        var second: ParseResult? = nil
        if first == .done { second = Parser.headers(r, buf, maxHeaders: 1000) }
        evbuffer_free(buf)
        return (first, second, r)
    }

    func testMessages() {
        var (a, b, r) = parse("GET /x?y HTTP/1.1\r\nHost: h\r\nX:  v  \r\n\r\n")
        XCTAssertEqual(a, .done); XCTAssertEqual(b, .done)
        XCTAssertEqual(String(cString: Headers.find(r.pointee.input_headers!, "x")!), "v")
        Request.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n")
        XCTAssertEqual(b, .corrupted); Request.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\n: v\r\n\r\n")
        XCTAssertEqual(b, .corrupted); Request.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nX: a\0b\r\n\r\n")
        XCTAssertEqual(b, .corrupted); Request.free(r)
        (a, b, r) = parse("GET  /x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(a, .corrupted); Request.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nHost: h\r\n")
        XCTAssertEqual(b, .more); Request.free(r)
        (a, b, r) = parse("HTTP/1.1 200 Fine thanks\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", kind: EVHTTP_RESPONSE)
        XCTAssertEqual(a, .done); XCTAssertEqual(r.pointee.response_code, 200)
        XCTAssertEqual(String(cString: r.pointee.response_code_line!), "Fine thanks")
        if case .length(let n) = Parser.framing(r) { XCTAssertEqual(n, 5) } else { XCTFail("framing") }
        Request.free(r)
        (a, b, r) = parse("HTTP/1.1 20 OK\r\n\r\n", kind: EVHTTP_RESPONSE)
        XCTAssertEqual(a, .corrupted); Request.free(r)
        (a, b, r) = parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
        if case .invalid = Parser.framing(r) {} else { XCTFail("conflicting lengths") }
        Request.free(r)
        (a, b, r) = parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n")
        if case .invalid = Parser.framing(r) {} else { XCTFail("TE with CL") }
        Request.free(r)
        (a, b, r) = parse("HTTP/1.0 200 OK\r\n\r\n", kind: EVHTTP_RESPONSE)
        if case .untilClose = Parser.framing(r) {} else { XCTFail("close-delimited") }
        Request.free(r)
    }
}

final class HttpUriTests: XCTestCase {
    func parts(_ s: StaticString, _ flags: UInt32 = 0) -> [String?]? {
        guard let u = HttpUri.parse(Bytes.array(s), flags: flags) else { return nil }
        func str(_ p: CStr?) -> String? { return p.map { String(cString: $0) } }
        return [str(u.scheme), str(u.userinfo), str(u.host), String(u.port), str(u.path), str(u.query), str(u.fragment)]
    }

    func testParse() {
        XCTAssertEqual(parts("http://u:p@h:80/a?b#c")!, ["http", "u:p", "h", "80", "/a", "b", "c"])
        XCTAssertEqual(parts("http://[::1]/")!, ["http", nil, "[::1]", "-1", "/", nil, nil])
        XCTAssertEqual(parts("/a b", UInt32(EVHTTP_URI_NONCONFORMANT))!, [nil, nil, nil, "-1", "/a b", nil, nil])
        XCTAssertNil(parts("/a b"))
        XCTAssertNil(parts("http://h:65536/"))
        XCTAssertNil(parts("http://[zz]/"))
        XCTAssertNil(parts("a:b:c/d e"))
        XCTAssertNotNil(parts("x/y:z"))  // only the first segment may not hold a colon
        XCTAssertNil(parts("1x:y"))
        XCTAssertEqual(parts("")!, [nil, nil, nil, "-1", "", nil, nil])
    }

    func testJoin() {
        let u = HttpUri.parse(Bytes.array("http://h:8/p?q#f"), flags: 0)!
        var buf = [CChar](repeating: 0, count: 64)
        XCTAssertNotNil(u.join(&buf, 64))
        XCTAssertEqual(String(cString: buf), "http://h:8/p?q#f")
        XCTAssertNil(u.join(&buf, 5))
    }

    func testEncoding() {
        let e = Encoding.encode(Bytes.cstr("a b/~"), 5, spaceAsPlus: true)
        XCTAssertEqual(e, Bytes.array("a+b%2F~"))
        let d = Encoding.decode(Bytes.cstr("a+b%41%4?x+y"), 12, plusMode: -1)
        XCTAssertEqual(d, Bytes.array("a+bA%4?x y"))
        XCTAssertEqual(Encoding.decode(Bytes.cstr("%"), 1, plusMode: 1), Bytes.array("%"))
        let h = Encoding.htmlEscape(Bytes.cstr("<&>\"'"))!
        XCTAssertEqual(String(cString: h), "&lt;&amp;&gt;&quot;&#039;")
        HMem.free(h)
    }
}
