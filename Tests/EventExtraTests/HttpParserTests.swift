import XCTest
import CEventExtra
@testable import EventExtra

/// The strict parts of the http parser, one rule at a time (what the server
/// answers for each is checked end to end by tests/http_strict.sh).
final class HttpParserTests: XCTestCase {
    func bytes(_ s: StaticString) -> [UInt8] { return HttpBytes.array(s) }

    func testChunkSizes() {
        XCTAssertEqual(HttpParser.chunkSize(bytes("5")), 5)
        XCTAssertEqual(HttpParser.chunkSize(bytes("fF")), 255)
        XCTAssertEqual(HttpParser.chunkSize(bytes("0")), 0)
        XCTAssertEqual(HttpParser.chunkSize(bytes("7fffffffffffffff")), Int64.max)
        XCTAssertNil(HttpParser.chunkSize(bytes("8000000000000000")))   // past Int64.max
        XCTAssertNil(HttpParser.chunkSize(bytes("ffffffffffffffffff")))
        XCTAssertNil(HttpParser.chunkSize(bytes("0x5")))
        XCTAssertNil(HttpParser.chunkSize(bytes("+5")))
        XCTAssertNil(HttpParser.chunkSize(bytes("-5")))
        XCTAssertNil(HttpParser.chunkSize(bytes(" 5")))
        XCTAssertNil(HttpParser.chunkSize(bytes("5 ")))
        XCTAssertNil(HttpParser.chunkSize(bytes("5;ext")))
        XCTAssertNil(HttpParser.chunkSize(bytes("")))
    }

    func testVersions() {
        XCTAssertTrue(HttpParser.parseVersion(bytes("HTTP/1.1")[...])! == (1, 1))
        XCTAssertTrue(HttpParser.parseVersion(bytes("HTTP/1.0")[...])! == (1, 0))
        XCTAssertTrue(HttpParser.parseVersion(bytes("HTTP/0.9")[...])! == (0, 9))
        XCTAssertTrue(HttpParser.parseVersion(bytes("HTTP/01.01")[...])! == (1, 1))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/2.0")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/1.99999999999")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/1.-1")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/+1.1")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/1.1 ")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/1.")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("http/1.1")[...]))
        XCTAssertNil(HttpParser.parseVersion(bytes("HTTP/.1")[...]))
    }

    func testContentLength() {
        XCTAssertEqual(HttpParser.contentLength(HttpBytes.cstr("0")), 0)
        XCTAssertEqual(HttpParser.contentLength(HttpBytes.cstr("123")), 123)
        XCTAssertEqual(HttpParser.contentLength(HttpBytes.cstr("9223372036854775807")), Int64.max)
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("9223372036854775808")))
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("+5")))
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("-5")))
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("5, 5")))
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("")))
        XCTAssertNil(HttpParser.contentLength(HttpBytes.cstr("0x10")))
    }

    func testTransferEncoding() {
        XCTAssertTrue(HttpParser.teEndsChunked(HttpBytes.cstr("chunked")))
        XCTAssertTrue(HttpParser.teEndsChunked(HttpBytes.cstr("Chunked")))
        XCTAssertTrue(HttpParser.teEndsChunked(HttpBytes.cstr("gzip, chunked")))
        XCTAssertTrue(HttpParser.teEndsChunked(HttpBytes.cstr("gzip,chunked")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("chunked, gzip")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("chunked, chunked")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("identity")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("chunkedx")))
        XCTAssertFalse(HttpParser.teEndsChunked(HttpBytes.cstr("g\u{1}zip, chunked")))
    }

    func testHeaderNames() {
        XCTAssertTrue(HttpParser.isTchar(UInt8(ascii: "a")))
        XCTAssertTrue(HttpParser.isTchar(UInt8(ascii: "-")))
        XCTAssertFalse(HttpParser.isTchar(UInt8(ascii: " ")))
        XCTAssertFalse(HttpParser.isTchar(UInt8(ascii: ":")))
        XCTAssertFalse(HttpParser.isTchar(0))
        XCTAssertFalse(HttpParser.isTchar(0x80))
    }

    /// Whole messages through an evbuffer: first line, headers, framing.
    func parse(_ text: StaticString, kind: evhttp_request_kind = EVHTTP_REQUEST) -> (HttpParseResult, HttpParseResult?, HReq) {
        let r = HttpRequest.new(nil, nil)!
        r.pointee.kind = kind
        let buf = evbuffer_new()
        _ = evbuffer_add(buf, text.utf8Start, text.utf8CodeUnitCount)
        let first = HttpParser.firstLine(r, buf, maxHeaders: 1000, isKnownHost: { _ in true })
        var second: HttpParseResult? = nil
        if first == .done { second = HttpParser.headers(r, buf, maxHeaders: 1000) }
        evbuffer_free(buf)
        return (first, second, r)
    }

    func testMessages() {
        var (a, b, r) = parse("GET /x?y HTTP/1.1\r\nHost: h\r\nX:  v  \r\n\r\n")
        XCTAssertEqual(a, .done); XCTAssertEqual(b, .done)
        XCTAssertEqual(String(cString: HttpHeaders.find(r.pointee.input_headers!, "x")!), "v")
        HttpRequest.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n")
        XCTAssertEqual(b, .corrupted); HttpRequest.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\n: v\r\n\r\n")
        XCTAssertEqual(b, .corrupted); HttpRequest.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nX: a\0b\r\n\r\n")
        XCTAssertEqual(b, .corrupted); HttpRequest.free(r)
        // libevent splits the request line at its first and last space, so a
        // target may hold spaces (its regress http/simple_nonconformant).
        (a, b, r) = parse("GET  /x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(a, .done)
        XCTAssertEqual(String(cString: r.pointee.uri!), " /x"); HttpRequest.free(r)
        (a, b, r) = parse("GET /x HTTP/1.1\r\nHost: h\r\n")
        XCTAssertEqual(b, .more); HttpRequest.free(r)
        (a, b, r) = parse("HTTP/1.1 200 Fine thanks\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", kind: EVHTTP_RESPONSE)
        XCTAssertEqual(a, .done); XCTAssertEqual(r.pointee.response_code, 200)
        XCTAssertEqual(String(cString: r.pointee.response_code_line!), "Fine thanks")
        if case .length(let n) = HttpParser.framing(r) { XCTAssertEqual(n, 5) } else { XCTFail("framing") }
        HttpRequest.free(r)
        (a, b, r) = parse("HTTP/1.1 20 OK\r\n\r\n", kind: EVHTTP_RESPONSE)
        XCTAssertEqual(a, .corrupted); HttpRequest.free(r)
        (a, b, r) = parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
        if case .invalid = HttpParser.framing(r) {} else { XCTFail("conflicting lengths") }
        HttpRequest.free(r)
        (a, b, r) = parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n")
        if case .invalid = HttpParser.framing(r) {} else { XCTFail("TE with CL") }
        HttpRequest.free(r)
        (a, b, r) = parse("HTTP/1.0 200 OK\r\n\r\n", kind: EVHTTP_RESPONSE)
        if case .untilClose = HttpParser.framing(r) {} else { XCTFail("close-delimited") }
        HttpRequest.free(r)
    }
}

final class HttpUriTests: XCTestCase {
    func parts(_ s: StaticString, _ flags: UInt32 = 0) -> [String?]? {
        guard let u = HttpUri.parse(HttpBytes.array(s), flags: flags) else { return nil }
        func str(_ p: HCStr?) -> String? { return p.map { String(cString: $0) } }
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
        let u = HttpUri.parse(HttpBytes.array("http://h:8/p?q#f"), flags: 0)!
        var buf = [CChar](repeating: 0, count: 64)
        XCTAssertNotNil(u.join(&buf, 64))
        XCTAssertEqual(String(cString: buf), "http://h:8/p?q#f")
        XCTAssertNil(u.join(&buf, 5))
    }

    func testEncoding() {
        let e = HttpEncoding.encode(HttpBytes.cstr("a b/~"), 5, spaceAsPlus: true)
        XCTAssertEqual(e, HttpBytes.array("a+b%2F~"))
        let d = HttpEncoding.decode(HttpBytes.cstr("a+b%41%4?x+y"), 12, plusMode: -1)
        XCTAssertEqual(d, HttpBytes.array("a+bA%4?x y"))
        XCTAssertEqual(HttpEncoding.decode(HttpBytes.cstr("%"), 1, plusMode: 1), HttpBytes.array("%"))
        let h = HttpEncoding.htmlEscape(HttpBytes.cstr("<&>\"'"))!
        XCTAssertEqual(String(cString: h), "&lt;&amp;&gt;&quot;&#039;")
        HMem.free(h)
    }
}
