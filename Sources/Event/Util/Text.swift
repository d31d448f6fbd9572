import CEventSys

/// Bytes of text built without Swift's String machinery, which is large in
/// Embedded Swift. Log messages and dump output are made of these.
public struct TextBuffer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(96) }

    mutating func append(_ s: StaticString) {
        if s.hasPointerRepresentation {
            bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        } else {
            // A one-scalar literal: ASCII is all we write.
            bytes.append(UInt8(truncatingIfNeeded: s.unicodeScalar.value))
        }
    }

    mutating func append(cString p: UnsafePointer<CChar>) {
        var q = p
        while q.pointee != 0 { bytes.append(UInt8(bitPattern: q.pointee)); q += 1 }
    }

    mutating func append(_ v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDigits(UInt64(bitPattern: 0 &- v), radix: 10, minWidth: 1)
        } else {
            appendDigits(UInt64(v), radix: 10, minWidth: 1)
        }
    }

    mutating func appendDigits(_ v: UInt64, radix: UInt64, minWidth: Int) {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &tmp) { raw in
            var n = v, i = raw.count
            repeat {
                let d = UInt8(truncatingIfNeeded: n % radix)
                i -= 1
                raw[i] = d < 10 ? d + 48 : d + 87
                n /= radix
            } while n != 0 && i > 0
            while raw.count - i < minWidth && i > 0 { i -= 1; raw[i] = 48 }
            bytes.append(contentsOf: raw[i...])
        }
    }

    /// Hand the text, NUL-terminated, to `body`.
    mutating func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        bytes.append(0)
        defer { bytes.removeLast() }
        return bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { body($0) }
        }
    }

    func write(to f: UnsafeMutablePointer<FILE>) {
        bytes.withUnsafeBufferPointer { b in _ = fwrite(b.baseAddress, 1, b.count, f) }
    }
}

/// A value shown in hexadecimal ("%x"); `Hex(p)` of a pointer shows "0x…" like "%p".
struct Hex {
    let value: UInt64
    let pointerStyle: Bool
    init<T: BinaryInteger>(_ v: T) { value = UInt64(truncatingIfNeeded: v); pointerStyle = false }
    init(_ p: UnsafeRawPointer?) { value = UInt64(UInt(bitPattern: p)); pointerStyle = true }
    init<T>(_ p: UnsafeMutablePointer<T>?) { self.init(UnsafeRawPointer(p)) }
}

/// What the Log functions take: written like a String literal with
/// interpolations, built straight into bytes.
public struct LogText: ExpressibleByStringInterpolation {
    var text: TextBuffer

    public init(stringLiteral s: StaticString) {
        text = TextBuffer()
        text.append(s)
    }

    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = TextBuffer()
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ s: StaticString) { text.append(s) }
        public mutating func appendInterpolation<T: BinaryInteger>(_ v: T) { text.append(Int64(truncatingIfNeeded: v)) }
        public mutating func appendInterpolation(_ s: StaticString) { text.append(s) }
        public mutating func appendInterpolation(_ s: UnsafePointer<CChar>) { text.append(cString: s) }
        public mutating func appendInterpolation(_ s: String) {
            var s = s
            s.withUTF8 { text.bytes.append(contentsOf: $0) }
        }
        mutating func appendInterpolation(_ h: Hex) {
            if h.pointerStyle && h.value == 0 { text.append("(nil)"); return }
            if h.pointerStyle { text.append("0x") }
            text.appendDigits(h.value, radix: 16, minWidth: 1)
        }
        mutating func appendInterpolation(_ t: LogText) { text.bytes.append(contentsOf: t.text.bytes) }
    }
    public typealias StringInterpolation = Interpolation
    public typealias StringLiteralType = StaticString
}
